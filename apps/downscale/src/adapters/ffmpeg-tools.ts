import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FfmpegError,
  type MediaInfo,
  probeMedia,
  runFfmpeg,
  safeInputArgs,
  UnsupportedMediaError,
} from '@vidp/media';
import { SourceRejected } from '../domain/errors.js';
import type { Control, EncodedFiles, HlsFiles, MediaTools } from '../domain/ports.js';
import { hlsArgs, ladderArgs, ladderPaths } from './ffmpeg-args.js';
import { masterPlaylist, variantBandwidth } from './hls-playlists.js';

export interface FfmpegToolsOptions {
  timeoutMs: number;
  nice: number;
  maxPixels: number;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Turns ffmpeg failures caused by the source into SourceRejected; cancellation and bugs pass through. */
function asRejection(err: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted || !(err instanceof FfmpegError)) return err;
  if (/timed out/.test(err.message)) {
    return new SourceRejected(
      'timed-out',
      'Encoding took longer than this service allows; send a shorter video.',
    );
  }
  if (err.exitCode !== null) {
    // stderr names internal paths: the caller gets a plain reason, the log keeps the rest.
    return new SourceRejected('undecodable', 'The video could not be decoded (damaged or truncated file?).');
  }
  return err;
}

/** MediaTools backed by the hardened ffmpeg/ffprobe wrappers of @vidp/media. */
export function ffmpegTools(opts: FfmpegToolsOptions): MediaTools {
  const run = (args: string[], ctl: Control) =>
    runFfmpeg(args, {
      timeoutMs: opts.timeoutMs,
      nice: opts.nice,
      ...(ctl.signal ? { signal: ctl.signal } : {}),
      ...(ctl.onProgress ? { onProgress: (p) => ctl.onProgress?.(p.outTimeSec) } : {}),
    }).catch((err: unknown) => {
      throw asRejection(err, ctl.signal);
    });

  return {
    async probe(path, signal): Promise<MediaInfo> {
      try {
        return await probeMedia(path, signal ? { signal } : {});
      } catch (err) {
        if (err instanceof UnsupportedMediaError) throw new SourceRejected('unsupported', err.message);
        throw asRejection(err, signal);
      }
    },

    async encode(source, plan, dir, ctl): Promise<EncodedFiles> {
      const paths = ladderPaths(plan, dir);
      const input = safeInputArgs(source.info, source.path, { maxPixels: opts.maxPixels });
      await run(ladderArgs(plan, input, paths), ctl);
      return {
        renditions: paths.renditions,
        ...((await exists(paths.poster)) ? { poster: paths.poster } : {}),
        ...((await exists(paths.storyboard)) ? { storyboard: paths.storyboard } : {}),
      };
    },

    async packageHls(renditions, dir, ctl): Promise<HlsFiles> {
      const hlsDir = join(dir, 'hls');
      await mkdir(hlsDir);
      const probes = await Promise.all(
        renditions.map((r) => probeMedia(r.path, ctl.signal ? { signal: ctl.signal } : {})),
      );
      await run(
        hlsArgs(
          renditions,
          probes.every((p) => p.audio),
          hlsDir,
        ),
        ctl,
      );
      const variants: HlsFiles['variants'] = new Map();
      const entries = [];
      for (const [i, r] of renditions.entries()) {
        const playlist = join(hlsDir, `${r.name}.m3u8`);
        const media = join(hlsDir, `${r.name}.m4s`);
        const bw = variantBandwidth(await readFile(playlist, 'utf8'));
        variants.set(r.name, { playlist, media, ...bw });
        entries.push({ name: r.name, info: probes[i] as MediaInfo, ...bw });
      }
      const master = join(hlsDir, 'master.m3u8');
      await writeFile(master, masterPlaylist(entries));
      return { master, variants };
    },
  };
}
