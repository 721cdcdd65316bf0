/** The port both services use: any recogniser that gives timed text and a spoken language. */

export interface Segment {
  /** Seconds from the start of the audio given to the engine. */
  start: number;
  end: number;
  text: string;
}

export interface Transcript {
  /** ISO 639-1 code (or Whisper's code where no 639-1 code exists) of the language spoken or forced. */
  language: string;
  text: string;
  segments: Segment[];
}

export interface TranscribeOptions {
  /** Force a language (code); detected when absent. */
  language?: string;
  /** Translate to English instead of transcribing. */
  translate?: boolean;
  /** Only detect the language (no decoding): `segments` is empty. */
  detectOnly?: boolean;
  /** Split segments at word boundaries to at most this many characters (subtitles). */
  maxSegmentChars?: number;
  signal?: AbortSignal;
}

export interface EngineInfo {
  name: string;
  model: string;
  multilingual: boolean;
  /** Language codes the engine can detect or be forced to. */
  languages: string[];
}

export interface SpeechEngine {
  /** Loads the model (once); resolves with what it can do. */
  start(): Promise<EngineInfo>;
  info(): EngineInfo | undefined;
  /** 16 kHz mono float PCM in, timed text out. */
  transcribe(pcm: Float32Array, opts?: TranscribeOptions): Promise<Transcript>;
  close(): Promise<void>;
}

/** Too many jobs are waiting for the engine: the caller should retry later (503). */
export class EngineBusyError extends Error {}
/** The engine is not available (no model configured, or it failed to load). */
export class EngineUnavailableError extends Error {}
