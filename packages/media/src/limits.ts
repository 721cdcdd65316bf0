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

/**
 * The same allow-list as ffmpeg's `-format_whitelist` value. Unlike the check after probing, it
 * also binds demuxers opened from inside a file (a playlist hidden in an AVI subtitle track,
 * for one), because ffmpeg hands it down to every nested demuxer.
 */
export const FORMAT_WHITELIST = [...new Set([...ALLOWED_DEMUXERS].flatMap((d) => d.split(',')))].join(',');

/** Largest picture (in pixels) a decoder may allocate, whatever the container claims. */
export const DEFAULT_MAX_PIXELS = 4096 * 4096;

/** Only local files and pipes: never a network protocol, never a playlist fetching one. */
export const PROTOCOL_WHITELIST = 'file,pipe';
