import {
  detectSpeech,
  isNonSpeech,
  languageName,
  normaliseWords,
  type PcmFile,
  SAMPLE_RATE,
  type SpeechEngine,
  type SpeechRegion,
  speechSeconds,
  speechTimeToRanges,
  textLanguage,
} from '@vidp/speech';

export const DURATION_BOUNDS = { min: 1, max: 600, default: 30 } as const;
/** Longest audio handed to the engine at once (Whisper's context is 30 s). */
const MAX_WINDOW_SEC = 30;
const MIN_WINDOW_SEC = 3;
const MAX_WINDOWS = 6;
/** Less voiced audio than this is "no speech" without asking the engine. */
const MIN_SPEECH_SEC = 0.5;
/** Halves shorter than this are not asked separately. */
const MIN_HALF_SEC = 2;

export interface DetectOptions {
  /** Seconds of speech to analyse, spread across the file. */
  durationSec: number;
  allLanguages: boolean;
  signal?: AbortSignal;
  onProgress?: (p: number) => void;
}

export interface WindowResult {
  /** File time (s) of the first and last speech sample in the window. */
  start: number;
  end: number;
  seconds: number;
  language: string | null;
  text: string;
  /** Languages detected on the first and second half of the window. */
  halves?: string[];
}

export interface LanguageScore {
  code: string;
  name: string;
  probability: number;
}

export interface LanguageResult {
  speech: boolean;
  /** Why no language is given (when speech is false). */
  reason?: string;
  language: string | null;
  language_name: string | null;
  confidence: number;
  alternatives: LanguageScore[];
  all_languages?: LanguageScore[];
  windows: WindowResult[];
  cross_check?: { method: 'franc'; language: string | null; agrees: boolean | null };
  media_seconds: number;
  speech_seconds: number;
  analysed_seconds: number;
}

/** Where the analysis windows go on the speech-only timeline: evenly spread, each ≤ 30 s. */
export function planWindows(speechSec: number, durationSec: number): Array<{ from: number; length: number }> {
  const analyse = Math.min(durationSec, speechSec);
  const count = Math.max(
    1,
    Math.min(MAX_WINDOWS, Math.ceil(analyse / MAX_WINDOW_SEC), Math.floor(analyse / 8)),
  );
  const length = Math.min(MAX_WINDOW_SEC, Math.max(Math.min(MIN_WINDOW_SEC, speechSec), analyse / count));
  const slack = Math.max(0, speechSec - length);
  return Array.from({ length: count }, (_, k) => ({
    from: count === 1 ? slack / 2 : (slack * k) / (count - 1),
    length,
  }));
}

/**
 * Spoken language of a decoded audio track: voice activity first, then several speech windows
 * across the file, each recognised by the engine; the windows vote (weighted by speech seconds)
 * and the transcript is cross-checked by a text-based identifier. Music, noise and silence give
 * `speech: false` instead of a guess.
 */
export async function detectLanguage(
  pcm: PcmFile,
  energies: Float32Array,
  engine: SpeechEngine,
  readRanges: (ranges: Array<[number, number]>) => Promise<Float32Array>,
  opts: DetectOptions,
): Promise<LanguageResult> {
  const regions = detectSpeech(energies);
  const speechSec = speechSeconds(regions);
  const base = {
    media_seconds: round(pcm.seconds),
    speech_seconds: round(speechSec),
    alternatives: [] as LanguageScore[],
  };
  const none = (reason: string, windows: WindowResult[] = [], analysed = 0): LanguageResult => ({
    speech: false,
    reason,
    language: null,
    language_name: null,
    confidence: 0,
    windows,
    analysed_seconds: round(analysed),
    ...base,
    ...(opts.allLanguages ? { all_languages: [] } : {}),
  });
  if (speechSec < MIN_SPEECH_SEC)
    return none('no voice activity: silence, or steady sound without the rise and fall of speech');

  const plan = planWindows(speechSec, opts.durationSec);
  const windows: WindowResult[] = [];
  for (const [i, w] of plan.entries()) {
    const ranges = speechTimeToRanges(regions, w.from, w.length);
    const samples = await readRanges(ranges.map((r) => toSamples(r)));
    const signal = opts.signal ? { signal: opts.signal } : {};
    const t = await engine.transcribe(samples, signal);
    const words = isNonSpeech(t.text) ? 0 : normaliseWords(t.text).length;
    const seconds = samples.length / SAMPLE_RATE;
    // Two more opinions on the halves of the window (language only: one encoder pass each), so a
    // short clip still gets several votes and a doubtful one a lower confidence.
    const halves: string[] = [];
    if (words > 0 && seconds >= 2 * MIN_HALF_SEC) {
      const mid = Math.floor(samples.length / 2);
      for (const part of [samples.subarray(0, mid), samples.subarray(mid)]) {
        halves.push((await engine.transcribe(part, { ...signal, detectOnly: true })).language);
      }
    }
    windows.push({
      start: round(ranges[0]?.start ?? 0),
      end: round(ranges[ranges.length - 1]?.end ?? 0),
      seconds: round(seconds),
      language: words > 0 ? t.language : null,
      text: words > 0 ? t.text : '',
      ...(halves.length ? { halves } : {}),
    });
    opts.onProgress?.((i + 1) / plan.length);
  }
  const analysed = windows.reduce((s, w) => s + w.seconds, 0);
  const votes = new Map<string, number>();
  for (const w of windows) {
    if (!w.language) continue;
    // The whole window counts as much as its two halves together.
    const share = w.halves?.length ? w.seconds / 2 / w.halves.length : 0;
    votes.set(w.language, (votes.get(w.language) ?? 0) + (share ? w.seconds / 2 : w.seconds));
    for (const h of w.halves ?? []) votes.set(h, (votes.get(h) ?? 0) + share);
  }
  const voted = [...votes.values()].reduce((a, b) => a + b, 0);
  if (voted === 0) return none('no words recognised: music, noise or non-speech sound', windows, analysed);

  const ranked = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  const [top, topWeight] = ranked[0] as [string, number];
  const text = windows
    .filter((w) => w.language === top)
    .map((w) => w.text)
    .join(' ');
  const francLang = textLanguage(text) ?? null;
  const agrees = francLang === null ? null : francLang === top;
  // Windows that found no words dilute the evidence; a text-based disagreement halves it.
  let confidence = (topWeight / voted) * (voted / analysed) ** 0.5;
  if (agrees === false) confidence *= 0.5;
  const score = (code: string, w: number): LanguageScore => ({
    code,
    name: languageName(code),
    probability: round(w / voted, 4),
  });
  const result: LanguageResult = {
    speech: true,
    language: top,
    language_name: languageName(top),
    confidence: round(confidence, 4),
    windows,
    cross_check: { method: 'franc', language: francLang, agrees },
    analysed_seconds: round(analysed),
    ...base,
    alternatives: ranked.slice(1).map(([c, w]) => score(c, w)),
  };
  if (opts.allLanguages) {
    const all = engine.info()?.languages ?? [...votes.keys()];
    result.all_languages = all
      .map((c) => score(c, votes.get(c) ?? 0))
      .sort((a, b) => b.probability - a.probability || a.code.localeCompare(b.code));
  }
  return result;
}

function toSamples(r: SpeechRegion): [number, number] {
  return [Math.floor(r.start * SAMPLE_RATE), Math.floor(r.end * SAMPLE_RATE)];
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
