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
/** Usual window length: enough speech for Whisper to tell a language, one encoder pass each. */
const WINDOW_SEC = 10;
/** Longest audio handed to the engine at once (Whisper's context is 30 s). */
const MAX_WINDOW_SEC = 30;
const MIN_WINDOW_SEC = 3;
const MAX_WINDOWS = 6;
/** Less voiced audio than this is "no speech" without asking the engine. */
const MIN_SPEECH_SEC = 0.5;
/** Whisper's own threshold: a window whose no-speech probability is higher holds no speech. */
const NO_SPEECH_THRESHOLD = 0.6;
/** Tokens decoded for the cross-check transcript (about 35 words: plenty for a text identifier). */
const TRANSCRIPT_TOKENS = 48;
/** The first windows decide when they agree on a language at least this probable. */
const DECIDE_PROBABILITY = 0.5;

export interface DetectOptions {
  /** Seconds of speech to analyse, spread across the file. */
  durationSec: number;
  allLanguages: boolean;
  /** Size the encoder to each window instead of padding it to 30 s. */
  fitEncoder?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: number) => void;
}

export interface WindowResult {
  /** File time (s) of the first and last speech sample in the window. */
  start: number;
  end: number;
  seconds: number;
  /** Most probable language, or null when Whisper heard no speech in it. */
  language: string | null;
  probability: number;
  /** Whisper's probability that the window holds no speech (null when the engine cannot tell). */
  no_speech: number | null;
  /** What was said (only in the window transcribed for the cross-check). */
  text: string;
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
  /** The model's probability of `language`, combined across windows by their speech seconds. */
  confidence: number;
  /** `whisper`: the model's probabilities; `window votes`: the engine gives none, so windows vote. */
  confidence_source: 'whisper' | 'window votes';
  alternatives: LanguageScore[];
  all_languages?: LanguageScore[];
  windows: WindowResult[];
  /** Windows planned; fewer are analysed when the first ones agree. */
  windows_planned: number;
  cross_check?: { method: 'franc'; language: string | null; agrees: boolean | null };
  media_seconds: number;
  speech_seconds: number;
  analysed_seconds: number;
}

/** Where the analysis windows go on the speech-only timeline: evenly spread, each ≤ 30 s. */
export function planWindows(speechSec: number, durationSec: number): Array<{ from: number; length: number }> {
  const analyse = Math.min(durationSec, speechSec);
  const count = Math.max(1, Math.min(MAX_WINDOWS, Math.floor(analyse / WINDOW_SEC)));
  const length = Math.min(MAX_WINDOW_SEC, Math.max(Math.min(MIN_WINDOW_SEC, speechSec), analyse / count));
  const slack = Math.max(0, speechSec - length);
  return Array.from({ length: count }, (_, k) => ({
    from: count === 1 ? slack / 2 : (slack * k) / (count - 1),
    length,
  }));
}

/** Analysis order: the first window, the last, then those between (the ends disagree first). */
export function windowOrder(count: number): number[] {
  if (count <= 2) return Array.from({ length: count }, (_, i) => i);
  return [0, count - 1, ...Array.from({ length: count - 2 }, (_, i) => i + 1)];
}

/** Probabilities of several windows combined, each weighted by its seconds of speech. */
export function combine(windows: Array<{ seconds: number; probabilities: Record<string, number> }>) {
  const total = windows.reduce((s, w) => s + w.seconds, 0);
  const out = new Map<string, number>();
  for (const w of windows) {
    for (const [code, p] of Object.entries(w.probabilities))
      out.set(code, (out.get(code) ?? 0) + (p * w.seconds) / total);
  }
  return [...out.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * Spoken language of a decoded audio track: voice activity first, then windows spread over the
 * speech, each given to Whisper's language identification (one encoder pass, one decoder step,
 * the model's probability for every language and for "no speech"). The windows' probabilities are
 * combined by their seconds of speech; the first windows decide when they agree. One window's
 * transcript is cross-checked by a text-based identifier. Music, noise and silence give
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
  const source = engine.info()?.probabilities === false ? 'window votes' : 'whisper';
  const plan = planWindows(speechSec, opts.durationSec);
  const base = {
    confidence_source: source,
    media_seconds: round(pcm.seconds),
    speech_seconds: round(speechSec),
    alternatives: [] as LanguageScore[],
    windows_planned: plan.length,
  } as const;
  const none = (reason: string, windows: WindowResult[] = [], analysed = 0): LanguageResult => ({
    speech: false,
    reason,
    language: null,
    language_name: null,
    confidence: 0,
    windows,
    analysed_seconds: round(analysed),
    ...base,
    windows_planned: windows.length ? plan.length : 0,
    ...(opts.allLanguages ? { all_languages: [] } : {}),
  });
  if (speechSec < MIN_SPEECH_SEC)
    return none('no voice activity: silence, or steady sound without the rise and fall of speech');

  const windows: Array<WindowResult & { probabilities: Record<string, number> }> = [];
  let transcript: { text: string; language: string } | undefined;
  const order = windowOrder(plan.length);
  for (const [done, i] of order.entries()) {
    const w = plan[i] as { from: number; length: number };
    const ranges = speechTimeToRanges(regions, w.from, w.length);
    const samples = await readRanges(ranges.map((r) => toSamples(r)));
    const d = await engine.detectLanguage(samples, {
      // Decode a little text until one window gives words: the cross-check, and proof of speech.
      textTokens: transcript ? 0 : TRANSCRIPT_TOKENS,
      fitEncoder: opts.fitEncoder ?? true,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const [top, p] = combine([{ seconds: 1, probabilities: d.probabilities }])[0] ?? [null, 0];
    const words = d.text && !isNonSpeech(d.text) ? normaliseWords(d.text).length : 0;
    const heardSpeech = (d.noSpeech ?? 0) < NO_SPEECH_THRESHOLD && (transcript !== undefined || words > 0);
    if (heardSpeech && !transcript && top) transcript = { text: d.text, language: top };
    windows.push({
      start: round(ranges[0]?.start ?? 0),
      end: round(ranges[ranges.length - 1]?.end ?? 0),
      seconds: round(samples.length / SAMPLE_RATE),
      language: heardSpeech ? top : null,
      probability: round(p, 4),
      no_speech: d.noSpeech === null ? null : round(d.noSpeech, 4),
      text: d.text,
      probabilities: d.probabilities,
    });
    opts.onProgress?.((done + 1) / plan.length);
    if (decided(windows, done + 1, plan.length)) break;
  }
  windows.sort((a, b) => a.start - b.start);
  const reported = windows.map(({ probabilities: _, ...w }) => w);
  const analysed = windows.reduce((s, w) => s + w.seconds, 0);
  const speaking = windows.filter((w) => w.language !== null);
  if (speaking.length === 0)
    return none('no words recognised: music, noise or non-speech sound', reported, analysed);

  const ranked = combine(speaking);
  const [top, topP] = ranked[0] as [string, number];
  const francLang = transcript ? (textLanguage(transcript.text) ?? null) : null;
  const agrees = francLang === null ? null : francLang === top;
  const score = ([code, p]: [string, number]): LanguageScore => ({
    code,
    name: languageName(code),
    probability: round(p, 6),
  });
  const result: LanguageResult = {
    speech: true,
    language: top,
    language_name: languageName(top),
    confidence: round(topP, 4),
    windows: reported,
    cross_check: { method: 'franc', language: francLang, agrees },
    analysed_seconds: round(analysed),
    ...base,
    alternatives: ranked
      .slice(1, 6)
      .filter(([, p]) => p >= 0.001)
      .map(score),
  };
  if (opts.allLanguages) {
    const probs = new Map(ranked);
    result.all_languages = (engine.info()?.languages ?? [...probs.keys()])
      .map((c) => score([c, probs.get(c) ?? 0]))
      .sort((a, b) => b.probability - a.probability || a.code.localeCompare(b.code));
  }
  return result;
}

/** The first windows decide when at least two heard speech and all of those agree, confidently. */
function decided(
  windows: Array<{ language: string | null; seconds: number; probabilities: Record<string, number> }>,
  done: number,
  planned: number,
): boolean {
  if (done >= planned) return true;
  const speaking = windows.filter((w) => w.language !== null);
  if (speaking.length < 2) return false;
  if (new Set(speaking.map((w) => w.language)).size > 1) return false;
  return (combine(speaking)[0]?.[1] ?? 0) >= DECIDE_PROBABILITY;
}

function toSamples(r: SpeechRegion): [number, number] {
  return [Math.floor(r.start * SAMPLE_RATE), Math.floor(r.end * SAMPLE_RATE)];
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
