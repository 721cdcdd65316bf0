import { UnsupportedMediaError } from '@vidp/media';
import { type HttpError, httpError } from '@vidp/service-kit';
import { MediaBeyondLimitsError, NoAudioError } from './audio.js';
import { EngineBusyError, EngineUnavailableError, type SpeechEngine } from './engine.js';
import { WhisperEngine } from './whisper.js';

export interface SpeechSettings {
  WHISPER_MODEL: string;
  WHISPER_THREADS: number;
  SPEECH_MAX_QUEUE: number;
  WHISPER_NATIVE: string;
}

export function createEngine(config: SpeechSettings): SpeechEngine {
  return new WhisperEngine({
    modelPath: config.WHISPER_MODEL,
    threads: config.WHISPER_THREADS,
    maxQueue: config.SPEECH_MAX_QUEUE,
    nativeModule: config.WHISPER_NATIVE,
  });
}

/** A readiness check: the model is loaded and the engine answers. */
export function engineReadiness(engine: SpeechEngine) {
  return {
    name: 'speech-engine',
    async check() {
      if (engine.info()) return { ok: true };
      try {
        await engine.start();
        return { ok: true };
      } catch (err) {
        return { ok: false, reason: (err as Error).message };
      }
    },
  };
}

/** How speech errors map to HTTP: what the client can act on. */
export function speechErrorStatus(err: unknown): { status: number; detail: string } | undefined {
  if (err instanceof UnsupportedMediaError) return { status: 415, detail: err.message };
  if (err instanceof NoAudioError || err instanceof MediaBeyondLimitsError)
    return { status: 422, detail: err.message };
  if (err instanceof EngineBusyError) return { status: 503, detail: err.message };
  if (err instanceof EngineUnavailableError) return { status: 503, detail: err.message };
  return undefined;
}

/** The same mapping as an error for the kit's problem+json handler. */
export function speechHttpError(err: unknown): HttpError | undefined {
  const mapped = speechErrorStatus(err);
  return mapped ? httpError(mapped.status, mapped.detail) : undefined;
}

/** What both speech services say to a caller who sent no file. */
export const MISSING_FILE = 'Send the video or audio in a multipart file field named "file".';
