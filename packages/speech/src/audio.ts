import { open, rm, stat } from 'node:fs/promises';
import {
  beyondLimits,
  FfmpegError,
  type MediaInfo,
  probeMedia,
  runFfmpeg,
  whitelistedInputArgs,
} from '@vidp/media';

export const SAMPLE_RATE = 16_000;
const BYTES_PER_SAMPLE = 4;

/** The media has no usable audio (no audio stream, or audio that does not decode). */
export class NoAudioError extends Error {}

/** The media claims more than a speech job takes (a 2 s file may claim 136 years). */
export class MediaBeyondLimitsError extends Error {}

/** Longest media a speech job decodes, by what its container claims. */
export const MAX_SPEECH_MEDIA_SECONDS = 6 * 3600;

export interface PcmFile {
  path: string;
  samples: number;
  seconds: number;
  media: MediaInfo;
}

/**
 * Decodes the first audio stream of an already uploaded file to 16 kHz mono float PCM on disk
 * (Whisper's input). ffmpeg (an argument array, the demuxer allow-list) starts while ffprobe
 * checks the file, which saves the probe's time on every job; a file the probe refuses stops the
 * decoding, its output is removed, and the caller gets the probe's answer as before.
 */
export async function extractPcm(
  inputPath: string,
  outPath: string,
  opts: { signal?: AbortSignal; onProgress?: (seconds: number) => void; maxDurationSec?: number } = {},
): Promise<PcmFile> {
  const refused = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, refused.signal]) : refused.signal;
  const decoding = runFfmpeg(
    [
      ...whitelistedInputArgs(inputPath),
      '-map',
      '0:a:0',
      '-vn',
      '-ac',
      '1',
      '-ar',
      String(SAMPLE_RATE),
      '-f',
      'f32le',
      '-y',
      outPath,
    ],
    { signal, ...(opts.onProgress ? { onProgress: (p) => opts.onProgress?.(p.outTimeSec) } : {}) },
  ).then(
    () => null,
    (err: unknown) => err,
  );
  // Whatever ffmpeg wrote goes when the file is refused: no partial PCM is left.
  const discard = () => rm(outPath, { force: true });
  let media: MediaInfo;
  try {
    media = await probeMedia(inputPath, opts.signal ? { signal: opts.signal } : {});
    const beyond = beyondLimits(media, {
      maxDurationSec: opts.maxDurationSec ?? MAX_SPEECH_MEDIA_SECONDS,
      maxDimension: Number.POSITIVE_INFINITY,
    });
    if (beyond) throw new MediaBeyondLimitsError(beyond);
    if (!media.audio) throw new NoAudioError('The file has no audio stream: there is no speech to analyse.');
  } catch (err) {
    refused.abort();
    await decoding;
    await discard();
    throw err;
  }
  const failed = await decoding;
  if (failed) {
    await discard();
    if (opts.signal?.aborted) throw failed;
    if (failed instanceof FfmpegError && failed.exitCode !== null) {
      throw new NoAudioError('The audio stream could not be decoded (corrupt or unsupported audio).');
    }
    throw failed;
  }
  const samples = Math.floor((await stat(outPath)).size / BYTES_PER_SAMPLE);
  if (samples < SAMPLE_RATE / 10) {
    await discard();
    throw new NoAudioError('The audio stream decodes to no sound (under 0.1 s).');
  }
  return { path: outPath, samples, seconds: samples / SAMPLE_RATE, media };
}

/** Reads samples [from, to) of a PCM file (only that range is in memory). */
export async function readPcm(path: string, from: number, to: number): Promise<Float32Array> {
  const n = Math.max(0, to - from);
  const buf = Buffer.alloc(n * BYTES_PER_SAMPLE);
  const fh = await open(path, 'r');
  try {
    const { bytesRead } = await fh.read(buf, 0, buf.length, from * BYTES_PER_SAMPLE);
    const out = new Float32Array(Math.floor(bytesRead / BYTES_PER_SAMPLE));
    for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * BYTES_PER_SAMPLE);
    return out;
  } finally {
    await fh.close();
  }
}

/** Reads several sample ranges and joins them (speech-only audio for a window). */
export async function readPcmRanges(path: string, ranges: Array<[number, number]>): Promise<Float32Array> {
  const parts = await Promise.all(ranges.map(([a, b]) => readPcm(path, a, b)));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
