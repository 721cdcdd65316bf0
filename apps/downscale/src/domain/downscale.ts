import { stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { MediaInfo } from '@vidp/media';
import { SourceRejected } from './errors.js';
import { type LadderOptions, type LadderPlan, planLadder } from './ladder.js';
import type { MediaTools } from './ports.js';
import { thumbnailsVtt } from './thumbnails-vtt.js';

export interface Limits {
  maxDurationSec: number;
  maxDimension: number;
}

/** A file the caller receives: `part` names it in the response, `filename` keeps playlist links working. */
export interface OutputFile {
  part: string;
  filename: string;
  contentType: string;
  path: string;
}

export interface FileRef {
  part: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
}

export interface RenditionResult extends FileRef {
  rung: number;
  width: number;
  height: number;
  durationSec: number;
  /** Overall bitrate of the file (video + audio), kbit/s. */
  bitrateKbps: number;
  videoCodec: string;
  audio: boolean;
  crf: number;
  audioKbps?: number;
}

export interface DownscaleResult {
  source: {
    format: string;
    durationSec: number;
    sizeBytes: number;
    width: number;
    height: number;
    displayWidth: number;
    displayHeight: number;
    rotation: number;
    fps: number;
    videoCodec: string;
    audio: { codec: string; channels: number; sampleRate: number } | null;
  };
  settings: { preset: string; rungs: number[]; skippedRungs: number[]; hls: boolean };
  renditions: RenditionResult[];
  poster: (FileRef & { width: number; height: number; atSec: number }) | null;
  storyboard:
    | (FileRef & {
        width: number;
        height: number;
        columns: number;
        rows: number;
        count: number;
        thumbWidth: number;
        thumbHeight: number;
        intervalSec: number;
      })
    | null;
  /** The storyboard as a thumbnails WebVTT track (seek-bar previews), naming `storyboard.jpg`. */
  thumbnails: FileRef | null;
  hls: {
    master: FileRef;
    variants: {
      rung: number;
      bandwidth: number;
      averageBandwidth: number;
      playlist: FileRef;
      media: FileRef;
    }[];
  } | null;
  timings: { encodeSec: number; packageSec: number };
}

export interface DownscaleJob {
  sourcePath: string;
  options: LadderOptions;
  /** An empty folder for outputs; the caller removes it after sending them. */
  workDir: string;
  tools: MediaTools;
  limits: Limits;
  signal?: AbortSignal;
  /** 0..1 with a stage name; called often, throttled by the receiver. */
  onProgress?(fraction: number, stage: string): void;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Refuses sources over the configured limits, before any decoding. */
export function checkLimits(info: MediaInfo, limits: Limits): void {
  if (!info.video) {
    throw new SourceRejected(
      'no-video',
      'The file has no video stream; downscale needs a video (audio-only files have nothing to scale).',
    );
  }
  if (info.durationSec > limits.maxDurationSec) {
    throw new SourceRejected(
      'too-long',
      `The video lasts ${round(info.durationSec, 1)} s; this service accepts at most ${limits.maxDurationSec} s.`,
    );
  }
  const { width, height } = info.video;
  if (width > limits.maxDimension || height > limits.maxDimension) {
    throw new SourceRejected(
      'too-large',
      `The video is ${width}x${height}; this service accepts at most ${limits.maxDimension} pixels on either side.`,
    );
  }
  if (!(info.durationSec > 0)) {
    throw new SourceRejected('undecodable', 'The video has no duration: it holds no playable frames.');
  }
}

async function ref(file: OutputFile): Promise<FileRef> {
  const { size } = await stat(file.path);
  return { part: file.part, filename: file.filename, contentType: file.contentType, sizeBytes: size };
}

/**
 * The downscale job: probe, check limits, plan, encode the whole ladder in one decode,
 * check every output, optionally package HLS. Returns the result document and the files to
 * send back; knows nothing of HTTP or Dapr.
 */
export async function downscale(
  job: DownscaleJob,
): Promise<{ result: DownscaleResult; files: OutputFile[] }> {
  const { tools, signal } = job;
  const info = await tools.probe(job.sourcePath, signal);
  checkLimits(info, job.limits);
  const video = info.video!;
  const plan: LadderPlan = planLadder(info, job.options);
  const encodeShare = plan.hls ? 0.9 : 0.98;
  job.onProgress?.(0, 'encoding');

  const started = performance.now();
  const encoded = await tools.encode({ path: job.sourcePath, info }, plan, job.workDir, {
    ...(signal ? { signal } : {}),
    onProgress: (sec) => job.onProgress?.(Math.min(1, sec / plan.durationSec) * encodeShare, 'encoding'),
  });
  const encodeSec = (performance.now() - started) / 1000;

  const files: OutputFile[] = [];
  const renditions: RenditionResult[] = [];
  const probes = await Promise.all(
    plan.renditions.map((r) => {
      const path = encoded.renditions.get(r.name);
      if (!path) throw new Error(`ffmpeg wrote no ${r.name} rendition`);
      return tools.probe(path, signal);
    }),
  );
  for (const [i, r] of plan.renditions.entries()) {
    const path = encoded.renditions.get(r.name)!;
    const out = probes[i]!;
    if (!out.video) throw new Error(`the ${r.name} rendition has no video stream`);
    // A truncated upload still probes (its index says how long it should be) but decodes short.
    if (out.durationSec < info.durationSec - Math.max(0.5, info.durationSec * 0.02)) {
      throw new SourceRejected(
        'undecodable',
        `Only ${round(out.durationSec, 1)} s of the ${round(info.durationSec, 1)} s video could be decoded: the file is truncated or damaged.`,
      );
    }
    const file = { part: `rendition-${r.rung}`, filename: `${r.name}.mp4`, contentType: 'video/mp4', path };
    files.push(file);
    const fileRef = await ref(file);
    renditions.push({
      rung: r.rung,
      width: out.video.displayWidth,
      height: out.video.displayHeight,
      durationSec: round(out.durationSec),
      bitrateKbps: Math.round((fileRef.sizeBytes * 8) / out.durationSec / 1000),
      videoCodec: out.video.codec,
      audio: Boolean(out.audio),
      crf: r.crf,
      ...(r.audioKbps ? { audioKbps: r.audioKbps } : {}),
      ...fileRef,
    });
  }

  let poster: DownscaleResult['poster'] = null;
  if (encoded.poster) {
    const file = { part: 'poster', filename: 'poster.jpg', contentType: 'image/jpeg', path: encoded.poster };
    files.push(file);
    poster = {
      ...(await ref(file)),
      width: plan.poster.width,
      height: plan.poster.height,
      atSec: plan.poster.atSec,
    };
  }
  let storyboard: DownscaleResult['storyboard'] = null;
  if (encoded.storyboard) {
    const file = {
      part: 'storyboard',
      filename: 'storyboard.jpg',
      contentType: 'image/jpeg',
      path: encoded.storyboard,
    };
    files.push(file);
    const sb = plan.storyboard;
    storyboard = {
      ...(await ref(file)),
      width: sb.width,
      height: sb.height,
      columns: sb.columns,
      rows: sb.rows,
      count: sb.count,
      thumbWidth: sb.thumb.width,
      thumbHeight: sb.thumb.height,
      intervalSec: round(sb.intervalSec),
    };
  }
  let thumbnails: DownscaleResult['thumbnails'] = null;
  if (storyboard) {
    const file = {
      part: 'thumbnails',
      filename: 'thumbnails.vtt',
      contentType: 'text/vtt',
      path: join(job.workDir, 'thumbnails.vtt'),
    };
    const grid = { ...storyboard, intervalSec: plan.storyboard.intervalSec };
    await writeFile(file.path, thumbnailsVtt(grid, info.durationSec, storyboard.filename));
    files.push(file);
    thumbnails = await ref(file);
  }

  let hls: DownscaleResult['hls'] = null;
  let packageSec = 0;
  if (plan.hls) {
    job.onProgress?.(encodeShare, 'packaging');
    const t0 = performance.now();
    const packaged = await tools.packageHls(
      plan.renditions.map((r) => ({ name: r.name, path: encoded.renditions.get(r.name)! })),
      job.workDir,
      signal ? { signal } : {},
    );
    packageSec = (performance.now() - t0) / 1000;
    const masterFile = {
      part: 'hls-master',
      filename: basename(packaged.master),
      contentType: 'application/vnd.apple.mpegurl',
      path: packaged.master,
    };
    files.push(masterFile);
    const variants: NonNullable<DownscaleResult['hls']>['variants'] = [];
    for (const r of plan.renditions) {
      const v = packaged.variants.get(r.name);
      if (!v) throw new Error(`HLS packaging wrote no ${r.name} variant`);
      const playlist = {
        part: `hls-${r.rung}-playlist`,
        filename: basename(v.playlist),
        contentType: 'application/vnd.apple.mpegurl',
        path: v.playlist,
      };
      const media = {
        part: `hls-${r.rung}-media`,
        filename: basename(v.media),
        contentType: 'video/mp4',
        path: v.media,
      };
      files.push(playlist, media);
      variants.push({
        rung: r.rung,
        bandwidth: v.bandwidth,
        averageBandwidth: v.averageBandwidth,
        playlist: await ref(playlist),
        media: await ref(media),
      });
    }
    hls = { master: await ref(masterFile), variants };
  }
  job.onProgress?.(1, 'done');

  return {
    result: {
      source: {
        format: info.format,
        durationSec: round(info.durationSec),
        sizeBytes: info.sizeBytes,
        width: video.width,
        height: video.height,
        displayWidth: video.displayWidth,
        displayHeight: video.displayHeight,
        rotation: video.rotation,
        fps: round(video.fps, 3),
        videoCodec: video.codec,
        audio: info.audio
          ? { codec: info.audio.codec, channels: info.audio.channels, sampleRate: info.audio.sampleRate }
          : null,
      },
      settings: {
        preset: plan.preset,
        rungs: plan.renditions.map((r) => r.rung),
        skippedRungs: plan.skipped,
        hls: plan.hls,
      },
      renditions,
      poster,
      storyboard,
      thumbnails,
      hls,
      timings: { encodeSec: round(encodeSec, 2), packageSec: round(packageSec, 2) },
    },
    files,
  };
}
