import { FfmpegError } from './ffmpeg-error.js';
import { type MediaInfo, safeInputArgs } from './probe.js';
import { FFMPEG_BASE_ARGS, spawnTool } from './run.js';

export interface RawFrame {
  /** 0-based index among the frames this reader produced. */
  index: number;
  /** Presentation time of the frame, in seconds from the start. */
  timeSec: number;
  /** Packed RGB (rgb24), `width * height * 3` bytes; a fresh buffer the caller may keep or transfer. */
  data: Buffer;
}

export interface RawFrameOptions {
  /** Frames per second to output (ffmpeg's fps filter picks them). */
  fps: number;
  /** Output size in pixels. */
  width: number;
  height: number;
  /**
   * The picture is scaled to `scaleWidth` x `scaleHeight` and placed at (`padX`, `padY`) on a
   * black `width` x `height` canvas: a letterbox computed by the caller. Default: fill.
   */
  scaleWidth?: number;
  scaleHeight?: number;
  padX?: number;
  padY?: number;
  signal?: AbortSignal;
  /** Scheduling niceness for ffmpeg (default 10). */
  nice?: number;
  binary?: string;
}

/** The filter chain: pick frames at `fps`, scale in ffmpeg (never in JS), pad, convert to RGB. */
export function rawFrameFilter(o: RawFrameOptions): string {
  const sw = o.scaleWidth ?? o.width;
  const sh = o.scaleHeight ?? o.height;
  const parts = [`fps=${o.fps}`, `scale=${sw}:${sh}:flags=bilinear`];
  if (sw !== o.width || sh !== o.height) {
    parts.push(`pad=${o.width}:${o.height}:${o.padX ?? 0}:${o.padY ?? 0}:black`);
  }
  parts.push('format=rgb24');
  return parts.join(',');
}

/**
 * Decodes a probed local video into raw RGB frames read from ffmpeg's stdout, one frame at a
 * time (memory stays at a few frames whatever the video's length). Local-only protocols, the
 * demuxer pinned to what ffprobe identified (and the same input hardening as every call), ffmpeg killed when the signal aborts or the
 * consumer stops early. Throws FfmpegError when ffmpeg fails.
 */
export async function* readRawFrames(
  path: string,
  info: MediaInfo,
  opts: RawFrameOptions,
): AsyncGenerator<RawFrame, void, undefined> {
  if (!info.video) throw new FfmpegError('the media has no video stream', null, '');
  if (opts.signal?.aborted) throw new FfmpegError('ffmpeg cancelled before start', null, '');
  const frameBytes = opts.width * opts.height * 3;
  const args = [
    ...FFMPEG_BASE_ARGS,
    ...safeInputArgs(info, path),
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    rawFrameFilter(opts),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  const { child, stderrTail } = spawnTool(opts.binary ?? 'ffmpeg', args, opts.nice);
  let why: string | undefined;
  const onAbort = () => {
    why ??= 'cancelled';
    child.kill('SIGKILL');
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', (err) => reject(new FfmpegError(`ffmpeg could not start: ${err.message}`, null, '')));
    child.once('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= frameBytes) {
        const all = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
        const data = Buffer.from(all.subarray(0, frameBytes));
        const rest = all.subarray(frameBytes);
        pending = rest.length ? [rest] : [];
        pendingBytes = rest.length;
        yield { index, timeSec: index / opts.fps, data };
        index++;
      }
    }
    const code = await exited;
    if (why) throw new FfmpegError(`ffmpeg ${why}`, code, stderrTail());
    if (code !== 0) throw new FfmpegError(`ffmpeg exited with code ${code}`, code, stderrTail());
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited.catch(() => undefined);
    }
  }
}
