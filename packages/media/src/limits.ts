/**
 * Demuxers VidP accepts for uploaded media. Anything else is refused, above all the ones
 * that read other files or URLs (hls, concat, image2 sequences, ffmetadata, lavfi, tty...).
 * ffprobe reports a demuxer by its full name, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
 */
export const ALLOWED_DEMUXERS = new Set([
  'mov,mp4,m4a,3gp,3g2,mj2',
  'matroska,webm',
  'avi',
  'mpegts',
  'flv',
  'ogg',
  'asf',
  'mpeg',
  'wav',
  'mp3',
  'flac',
  'aac',
  'm4v',
]);

/** Only local files and pipes: never a network protocol, never a playlist fetching one. */
export const PROTOCOL_WHITELIST = 'file,pipe';
