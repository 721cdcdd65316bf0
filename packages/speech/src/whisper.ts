import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import {
  type DetectOptions,
  EngineBusyError,
  type EngineInfo,
  EngineUnavailableError,
  type LanguageDetection,
  type SpeechEngine,
  type TranscribeOptions,
  type Transcript,
} from './engine.js';

export interface WhisperEngineOptions {
  /** Path of a ggml Whisper model (whisper.cpp format). */
  modelPath: string;
  /** Threads whisper.cpp uses for one job. */
  threads?: number;
  /** Jobs allowed to wait behind the running one; more are refused with EngineBusyError. */
  maxQueue?: number;
  /** VidP's whisper.cpp module to load ('' the provisioned one, 'off' the prebuilt binding). */
  nativeModule?: string;
}

interface HostSegment {
  start: number;
  end: number;
  text: string;
}
type HostMessage =
  | { type: 'ready'; multilingual: boolean; languages: string[]; binding: string; probabilities: boolean }
  | { type: 'failed'; error: string }
  | {
      type: 'result';
      id: number;
      text?: string;
      segments?: HostSegment[];
      language?: string;
      probabilities?: Record<string, number>;
      noSpeech?: number | null;
    }
  | { type: 'error'; id: number; error: string };
type ResultMessage = Extract<HostMessage, { type: 'result' }>;

interface Job {
  id: number;
  kind: 'transcribe' | 'detect';
  pcm: Float32Array;
  opts: TranscribeOptions & DetectOptions;
  resolve(m: ResultMessage): void;
  reject(err: Error): void;
  onAbort?: () => void;
}

function hostScript(): string {
  return createRequire(import.meta.url).resolve('@vidp/speech/whisper-host');
}

/**
 * Whisper (whisper.cpp, through VidP's binding or @napi-rs/whisper) in one child process per service: the model is
 * loaded once, jobs run one at a time (bounded memory, predictable CPU), a bounded queue waits
 * behind, and a cancelled running job ends the host (restarted for the next job).
 */
export class WhisperEngine implements SpeechEngine {
  private child: ChildProcess | undefined;
  private starting: Promise<EngineInfo> | undefined;
  private engineInfo: EngineInfo | undefined;
  private queue: Job[] = [];
  private running: Job | undefined;
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: WhisperEngineOptions) {}

  info(): EngineInfo | undefined {
    return this.engineInfo;
  }

  start(): Promise<EngineInfo> {
    if (this.closed) return Promise.reject(new EngineUnavailableError('the speech engine is closed'));
    if (this.child && this.engineInfo) return Promise.resolve(this.engineInfo);
    if (this.starting) return this.starting;
    if (!existsSync(this.opts.modelPath)) {
      return Promise.reject(
        new EngineUnavailableError(`no Whisper model at WHISPER_MODEL (${basename(this.opts.modelPath)})`),
      );
    }
    this.starting = new Promise<EngineInfo>((resolve, reject) => {
      const child = fork(hostScript(), [], {
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: {
          ...process.env,
          WHISPER_MODEL: this.opts.modelPath,
          WHISPER_THREADS: String(this.opts.threads ?? 2),
          WHISPER_NATIVE: this.opts.nativeModule ?? '',
          // ggml waits at a barrier after every operation. Spinning there (OpenMP's default) burns
          // the other core while a descheduled thread holds everyone up: on a busy 2-core machine
          // one JFK transcript took 6.4–8.2 CPU-s spinning and 1.4–1.7 sleeping (wall 34–66 s vs 9–12 s).
          OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'passive',
        },
      });
      // whisper.cpp reports loading on stderr: keep only the tail for errors.
      let stderrTail = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderrTail = (stderrTail + d.toString()).slice(-2000);
      });
      this.child = child;
      child.on('message', (m: HostMessage) => {
        if (m.type === 'ready') {
          this.engineInfo = {
            name: 'whisper.cpp',
            model: basename(this.opts.modelPath),
            multilingual: m.multilingual,
            languages: m.languages,
            binding: m.binding,
            probabilities: m.probabilities,
          };
          this.starting = undefined;
          resolve(this.engineInfo);
          this.pump();
        } else if (m.type === 'failed') {
          reject(new EngineUnavailableError(m.error));
        } else {
          this.finish(m);
        }
      });
      child.on('exit', (code, sig) => {
        if (this.child === child) this.child = undefined;
        if (this.starting) {
          this.starting = undefined;
          reject(
            new EngineUnavailableError(
              `the Whisper host stopped while loading (${code ?? sig}): ${stderrTail.slice(-300)}`,
            ),
          );
        }
        const job = this.running;
        this.running = undefined;
        if (job) job.reject(new Error(`the speech engine stopped during the job (${code ?? sig})`));
        if (!this.closed) this.pump();
      });
    });
    return this.starting;
  }

  async transcribe(pcm: Float32Array, opts: TranscribeOptions = {}): Promise<Transcript> {
    const m = await this.submit('transcribe', pcm, opts);
    return {
      language: m.language ?? '',
      text: (m.text ?? (m.segments ?? []).map((s) => s.text).join('')).trim(),
      // whisper.cpp counts in centiseconds.
      segments: (m.segments ?? []).map((s) => ({
        start: s.start / 100,
        end: s.end / 100,
        text: s.text.trim(),
      })),
    };
  }

  async detectLanguage(pcm: Float32Array, opts: DetectOptions = {}): Promise<LanguageDetection> {
    const m = await this.submit('detect', pcm, opts);
    return {
      probabilities: m.probabilities ?? {},
      noSpeech: m.noSpeech ?? null,
      text: (m.text ?? '').trim(),
    };
  }

  private submit(
    kind: Job['kind'],
    pcm: Float32Array,
    opts: TranscribeOptions & DetectOptions,
  ): Promise<ResultMessage> {
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason ?? new Error('aborted'));
    if (this.queue.length >= (this.opts.maxQueue ?? 8)) {
      return Promise.reject(new EngineBusyError('the speech engine is busy; retry in a moment'));
    }
    return new Promise<ResultMessage>((resolve, reject) => {
      const job: Job = { id: this.nextId++, kind, pcm, opts, resolve, reject };
      if (opts.signal) {
        const signal = opts.signal;
        job.onAbort = () =>
          this.cancel(job, signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  private cancel(job: Job, reason: Error) {
    const i = this.queue.indexOf(job);
    if (i >= 0) {
      this.queue.splice(i, 1);
      job.reject(reason);
    } else if (this.running === job) {
      // whisper.cpp cannot be interrupted from outside its call: end the host; the next job restarts it.
      this.running = undefined;
      job.reject(reason);
      this.child?.kill('SIGKILL');
      this.child = undefined;
      this.engineInfo = undefined;
    }
  }

  private pump() {
    if (this.running || this.queue.length === 0 || this.closed) return;
    if (!this.child || !this.engineInfo) {
      this.start().catch((err: Error) => {
        for (const job of this.queue.splice(0)) job.reject(err);
      });
      return;
    }
    const job = this.queue.shift() as Job;
    this.running = job;
    this.child.send({
      id: job.id,
      kind: job.kind,
      pcm: job.pcm,
      language: job.opts.language,
      translate: job.opts.translate,
      maxLen: job.opts.maxSegmentChars,
      beamSize: job.opts.beamSize,
      fitEncoder: job.opts.fitEncoder,
      textTokens: job.opts.textTokens,
    });
  }

  private finish(m: Extract<HostMessage, { id: number }>) {
    const job = this.running;
    if (!job || job.id !== m.id) return;
    this.running = undefined;
    if (job.onAbort) job.opts.signal?.removeEventListener('abort', job.onAbort);
    if (m.type === 'error') job.reject(new Error(`speech engine: ${m.error}`));
    else job.resolve(m);
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.reject(new EngineUnavailableError('the speech engine is closing'));
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
}
