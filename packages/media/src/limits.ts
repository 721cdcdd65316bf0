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

export interface MediaLimits {
  maxDurationSec: number;
  /** Largest width or height of the picture, as displayed. */
  maxDimension: number;
}

/**
 * Why probed media is beyond what a service takes (a sentence for the uploader), or
 * undefined. The probe reports what the container claims: a 2 s file may claim 136 years,
 * or a 16000 x 16000 picture, and either would make a decoder allocate or loop for ever.
 */
export function beyondLimits(
  info: { durationSec: number; video?: { displayWidth: number; displayHeight: number } },
  limits: MediaLimits,
): string | undefined {
  if (info.durationSec > limits.maxDurationSec)
    return `The media claims to last ${Math.round(info.durationSec)} s; at most ${limits.maxDurationSec} s are accepted.`;
  const v = info.video;
  if (v && Math.max(v.displayWidth, v.displayHeight) > limits.maxDimension)
    return `The picture is ${v.displayWidth} x ${v.displayHeight}; at most ${limits.maxDimension} pixels a side are accepted.`;
  return undefined;
}
