import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { FfmpegError } from './ffmpeg-error.js';
import { PROTOCOL_WHITELIST } from './limits.js';

export interface FfmpegProgress {
  /** Seconds of output written so far. */
  outTimeSec: number;
  speed?: number;
  done: boolean;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Killed after this long (default 1 h). */
  timeoutMs?: number;
  /** Scheduling niceness for the child (default 10: the HTTP server stays responsive). */
  nice?: number;
  onProgress?(p: FfmpegProgress): void;
  binary?: string;
}

const STDERR_TAIL = 8 * 1024;

/** What every ffmpeg call starts with: quiet, no stdin, and only local files and pipes. */
export const FFMPEG_BASE_ARGS: readonly string[] = [
  '-hide_banner',
  '-nostdin',
  '-loglevel',
  'error',
  '-protocol_whitelist',
  PROTOCOL_WHITELIST,
];

/**
 * Spawns a tool of the ffmpeg family (never through a shell) at a lower priority, so the
 * HTTP server stays responsive, keeping the end of what it prints on stderr for errors.
 */
export function spawnTool(binary: string, args: string[], nice = 10) {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) {
    try {
      setPriority(child.pid, nice);
    } catch {
      // not allowed here: run at normal priority
    }
  }
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
  });
  return { child, stderrTail: () => stderr.trim() };
}

/**
 * Runs ffmpeg with an argument array (never a shell), local-only protocols, no stdin, and
 * machine-readable progress on stdout. Rejects with FfmpegError on a non-zero exit,
 * on abort (ffmpeg is killed) or on timeout.
 */
export function runFfmpeg(args: string[], opts: RunOptions = {}): Promise<void> {
  const fullArgs = [
    ...FFMPEG_BASE_ARGS,
    ...(opts.onProgress ? ['-progress', 'pipe:1', '-nostats'] : []),
    ...args,
  ];
  return runTool(opts.binary ?? 'ffmpeg', fullArgs, opts).then(() => undefined);
}

/** Runs a tool of the ffmpeg family and returns its stdout; shared by ffmpeg and ffprobe. */
export function runTool(binary: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new FfmpegError(`${binary} cancelled before start`, null, ''));
      return;
    }
    const { child, stderrTail } = spawnTool(binary, args, opts.nice);
    let stdout = '';
    let progressBuf = '';
    const progress: FfmpegProgress = { outTimeSec: 0, done: false };
    child.stdout.on('data', (chunk: Buffer) => {
      if (!opts.onProgress) {
        stdout += chunk.toString();
        return;
      }
      progressBuf += chunk.toString();
      const lines = progressBuf.split('\n');
      progressBuf = lines.pop() ?? '';
      for (const line of lines) {
        const [key, value] = line.split('=', 2);
        if (key === 'out_time_us' || key === 'out_time_ms') {
          // Both carry microseconds (out_time_ms is misnamed in ffmpeg).
          const us = Number(value);
          if (Number.isFinite(us) && us >= 0) progress.outTimeSec = us / 1e6;
        } else if (key === 'speed') {
          const s = Number.parseFloat(value ?? '');
          if (Number.isFinite(s)) progress.speed = s;
        } else if (key === 'progress') {
          progress.done = value === 'end';
          opts.onProgress({ ...progress });
        }
      }
    });
    let why: string | undefined;
    const kill = (reason: string) => {
      why ??= reason;
      child.kill('SIGKILL');
    };
    const onAbort = () => kill('cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => kill('timed out'), opts.timeoutMs ?? 3_600_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new FfmpegError(`${binary} could not start: ${err.message}`, null, ''));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (why) reject(new FfmpegError(`${binary} ${why}`, code, stderrTail()));
      else if (code !== 0) reject(new FfmpegError(`${binary} exited with code ${code}`, code, stderrTail()));
      else resolve(stdout);
    });
  });
}
