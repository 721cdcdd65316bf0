import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Where provisioning puts the converted Whisper base model (scripts/provision/speech-model.sh):
 * quantised to q8_0, which runs faster than float16 with the same accuracy here (README).
 */
export function defaultModelPath(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.VIDP_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vidp');
  return join(cache, 'models', 'whisper-base', 'ggml-base-q8_0.bin');
}

/** Settings both speech services share (add them to the service's config schema). */
export const speechConfigFields = {
  /** A whisper.cpp ggml model; any Whisper size or language set drops in here. */
  WHISPER_MODEL: z.string().min(1).default(defaultModelPath()),
  /** Threads whisper.cpp uses for one job (one job runs at a time per replica). */
  WHISPER_THREADS: z.coerce.number().int().min(1).max(64).default(2),
  /** Jobs waiting behind the running one before new ones are refused with 503. */
  SPEECH_MAX_QUEUE: z.coerce.number().int().min(0).max(1000).default(8),
  /**
   * Beam width for subtitles. Greedy (1) by default: on the bench's clips it gave the same word error
   * rate as faster-whisper at beam 1 and at beam 5, and whisper.cpp's beam 5 costs ~1.4–1.7× the CPU.
   */
  WHISPER_BEAM_SIZE: z.coerce.number().int().min(1).max(8).default(1),
  /** Size Whisper's encoder to each piece of audio instead of padding it to 30 s (much less work). */
  WHISPER_FIT_ENCODER: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** VidP's whisper.cpp module: '' the one provisioning built, a path, or 'off' (prebuilt binding). */
  WHISPER_NATIVE: z.string().default(''),
};
