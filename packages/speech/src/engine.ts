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
  /** Split segments at word boundaries to at most this many characters (subtitles). */
  maxSegmentChars?: number;
  /** Beam width (1: greedy). */
  beamSize?: number;
  /** Size the encoder to the audio (under 30 s) instead of padding it to 30 s: less work. */
  fitEncoder?: boolean;
  signal?: AbortSignal;
}

export interface DetectOptions {
  /** Also decode up to this many text tokens from the same encoder pass (0: none). */
  textTokens?: number;
  fitEncoder?: boolean;
  signal?: AbortSignal;
}

/** Whisper's language identification on one piece of audio. */
export interface LanguageDetection {
  /** Probability of each language the engine knows (summing to 1). */
  probabilities: Record<string, number>;
  /** Probability that the audio holds no speech, or null when the engine cannot tell. */
  noSpeech: number | null;
  /** A short transcript in the most likely language, when asked for. */
  text: string;
}

export interface EngineInfo {
  name: string;
  model: string;
  multilingual: boolean;
  /** Language codes the engine can detect or be forced to. */
  languages: string[];
  /** The binding that runs the model. */
  binding: string;
  /** Whether detectLanguage gives the model's probabilities (else all of it goes to one language). */
  probabilities: boolean;
}

export interface SpeechEngine {
  /** Loads the model (once); resolves with what it can do. */
  start(): Promise<EngineInfo>;
  info(): EngineInfo | undefined;
  /** 16 kHz mono float PCM in, timed text out. */
  transcribe(pcm: Float32Array, opts?: TranscribeOptions): Promise<Transcript>;
  /** One encoder pass and one decoder step: the model's probability for every language. */
  detectLanguage(pcm: Float32Array, opts?: DetectOptions): Promise<LanguageDetection>;
  close(): Promise<void>;
}

/** Too many jobs are waiting for the engine: the caller should retry later (503). */
export class EngineBusyError extends Error {}
/** The engine is not available (no model configured, or it failed to load). */
export class EngineUnavailableError extends Error {}
