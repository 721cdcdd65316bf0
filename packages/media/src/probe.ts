import { FfmpegError, ffmpegReason, UnsupportedMediaError } from './ffmpeg-error.js';
import { ALLOWED_DEMUXERS, DEFAULT_MAX_PIXELS, FORMAT_WHITELIST, PROTOCOL_WHITELIST } from './limits.js';
import { runTool } from './run.js';

export interface VideoStreamInfo {
  codec: string;
  width: number;
  height: number;
  /** Average frame rate in frames per second. */
  fps: number;
  /** Clockwise rotation from the display matrix or the rotate tag (0, 90, 180, 270). */
  rotation: number;
  /** Width and height as displayed, after rotation. */
  displayWidth: number;
  displayHeight: number;
  pixelFormat?: string;
  /** Pixel aspect ratio (1 for square pixels). */
  sampleAspectRatio: number;
  /** Codec profile and level as ffprobe names them, e.g. "High" and 31. */
  profile?: string;
  level?: number;
  bitRate?: number;
  /** Duration of the video stream itself, when the container says. */
  durationSec?: number;
}

export interface AudioStreamInfo {
  codec: string;
  channels: number;
  sampleRate: number;
  bitRate?: number;
  durationSec?: number;
}

export interface MediaInfo {
  /** ffprobe's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  format: string;
  formatLongName: string;
  durationSec: number;
  sizeBytes: number;
  bitRate?: number;
  video?: VideoStreamInfo;
  audio?: AudioStreamInfo;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  pix_fmt?: string;
  sample_aspect_ratio?: string;
  profile?: string;
  level?: number;
  bit_rate?: string;
  duration?: string;
  channels?: number;
  sample_rate?: string;
  tags?: { rotate?: string };
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { attached_pic?: number };
}

interface RawProbe {
  format?: {
    format_name?: string;
    format_long_name?: string;
    duration?: string;
    size?: string;
    bit_rate?: string;
  };
  streams?: RawStream[];
}

function rate(r: string | undefined): number {
  const [n, d] = (r ?? '0/1').split('/').map(Number);
  return n && d ? n / d : 0;
}

function positive(v: string | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

function sarOf(s: RawStream): number {
  const [n, d] = (s.sample_aspect_ratio ?? '1:1').split(':').map(Number);
  // "0:1" means unknown: treat as square pixels.
  return n && d ? n / d : 1;
}

function rotationOf(s: RawStream): number {
  const fromMatrix = s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  const raw = fromMatrix ?? Number(s.tags?.rotate ?? 0);
  // Display-matrix rotation is counter-clockwise; normalise to clockwise 0/90/180/270.
  const cw = fromMatrix !== undefined ? -raw : raw;
  return (((Math.round(cw / 90) * 90) % 360) + 360) % 360;
}

/** Turns ffprobe's JSON into MediaInfo; pure, so it is unit-tested without ffprobe. */
export function parseProbe(raw: RawProbe): MediaInfo {
  const format = raw.format?.format_name ?? '';
  const v = raw.streams?.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = raw.streams?.find((s) => s.codec_type === 'audio');
  const info: MediaInfo = {
    format,
    formatLongName: raw.format?.format_long_name ?? '',
    durationSec: Number(raw.format?.duration ?? 0) || 0,
    sizeBytes: Number(raw.format?.size ?? 0) || 0,
    ...(raw.format?.bit_rate ? { bitRate: Number(raw.format.bit_rate) } : {}),
  };
  if (v?.width && v.height) {
    const rotation = rotationOf(v);
    const swap = rotation === 90 || rotation === 270;
    info.video = {
      codec: v.codec_name ?? 'unknown',
      width: v.width,
      height: v.height,
      fps: rate(v.avg_frame_rate) || rate(v.r_frame_rate),
      rotation,
      displayWidth: swap ? v.height : v.width,
      displayHeight: swap ? v.width : v.height,
      ...(v.pix_fmt ? { pixelFormat: v.pix_fmt } : {}),
      sampleAspectRatio: sarOf(v),
      ...(v.profile ? { profile: v.profile } : {}),
      ...(typeof v.level === 'number' && v.level > 0 ? { level: v.level } : {}),
      ...(positive(v.bit_rate) ? { bitRate: positive(v.bit_rate) } : {}),
      ...(positive(v.duration) ? { durationSec: positive(v.duration) } : {}),
    };
  }
  if (a) {
    info.audio = {
      codec: a.codec_name ?? 'unknown',
      channels: a.channels ?? 0,
      sampleRate: Number(a.sample_rate ?? 0),
      ...(positive(a.bit_rate) ? { bitRate: positive(a.bit_rate) } : {}),
      ...(positive(a.duration) ? { durationSec: positive(a.duration) } : {}),
    };
  }
  return info;
}

/**
 * Probes a local file. The demuxer is identified by ffprobe from the bytes (not the name)
 * and must be on the allow-list: playlists and concat scripts are refused before any
 * decoder sees them. Throws UnsupportedMediaError for anything that is not usable media.
 */
export async function probeMedia(
  path: string,
  opts: { signal?: AbortSignal; binary?: string } = {},
): Promise<MediaInfo> {
  let out: string;
  try {
    out = await runTool(
      opts.binary ?? 'ffprobe',
      [
        '-hide_banner',
        '-v',
        'error',
        '-protocol_whitelist',
        PROTOCOL_WHITELIST,
        // Refused while opening, before a playlist or script can read the files it names.
        '-format_whitelist',
        FORMAT_WHITELIST,
        '-print_format',
        'json',
        '-show_format',
        '-show_streams',
        // `file:` keeps a name like "x:y.mp4" from being read as a protocol.
        `file:${path}`,
      ],
      { timeoutMs: 60_000, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  } catch (err) {
    if (err instanceof FfmpegError && err.exitCode !== null) {
      if (/not on whitelist/i.test(err.stderrTail)) {
        throw new UnsupportedMediaError(
          'This media format is not accepted (playlists and scripts never are); send a video file such as MP4, MKV, WebM, MOV or AVI.',
        );
      }
      throw new UnsupportedMediaError(
        `Not a readable media file (${ffmpegReason(err.stderrTail, path) || 'unknown format'}).`,
      );
    }
    throw err;
  }
  const info = parseProbe(JSON.parse(out) as RawProbe);
  if (!ALLOWED_DEMUXERS.has(info.format)) {
    throw new UnsupportedMediaError(
      `Media format "${info.format || 'unknown'}" is not accepted; send a video file such as MP4, MKV, WebM, MOV or AVI.`,
    );
  }
  if (!info.video && !info.audio)
    throw new UnsupportedMediaError('The file has neither a video nor an audio stream.');
  return info;
}

/** ffprobe prefixes errors with the input's name: callers must not learn internal paths. */

/** The `-f` value that pins the demuxer ffprobe identified, so ffmpeg does not guess again. */
export function demuxerFlag(info: MediaInfo): string {
  return info.format.split(',')[0] as string;
}

/**
 * Input arguments for a file already accepted by `probeMedia`: the demuxer pinned to the one
 * ffprobe found, nested demuxers restricted to the allow-list, the decoder's picture size
 * bounded, and the path marked as a plain file (a name like "x:y.mp4" is no protocol).
 */
export function safeInputArgs(info: MediaInfo, path: string, opts: { maxPixels?: number } = {}): string[] {
  return ['-f', demuxerFlag(info), ...whitelistedInputArgs(path, opts)];
}

/**
 * Input arguments for ffmpeg started while `probeMedia` still runs on the same file (its answer
 * decides whether the output is kept): the same demuxer allow-list that ffprobe applies, so
 * ffmpeg's own probing can only pick a demuxer ffprobe could, and a plain-file path.
 */
export function whitelistedInputArgs(path: string, opts: { maxPixels?: number } = {}): string[] {
  return [
    '-format_whitelist',
    FORMAT_WHITELIST,
    '-max_pixels',
    String(opts.maxPixels ?? DEFAULT_MAX_PIXELS),
    '-i',
    `file:${path}`,
  ];
}
