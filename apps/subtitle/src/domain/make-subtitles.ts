import {
  buildCues,
  type Cue,
  cleanSegments,
  detectSpeech,
  type PcmFile,
  planChunks,
  SAMPLE_RATE,
  type Segment,
  type SpeechEngine,
  speechSeconds,
  type Transcript,
  toSrt,
  toWebVtt,
} from '@vidp/speech';

/** Audio handed to the engine at once: under Whisper's 30 s context, cut at silences. */
const CHUNK_SEC = 28;
/**
 * Shortest chunk cut to balance the engine's lanes: about the encoder's smallest window (5.12 s), so
 * JFK's 11 s line runs as two chunks at once (same words, about half the time in bench:speech).
 */
const MIN_CHUNK_SEC = 5;

export interface SubtitleOptions {
  /** Spoken language (code) when known; detected on the first speech otherwise. */
  language?: string;
  /** Subtitles in English whatever the spoken language. */
  translate: boolean;
  /** Beam width (1: greedy). */
  beamSize?: number;
  /** Size the encoder to each chunk instead of padding it to 30 s. */
  fitEncoder?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: number) => void;
}

export interface SubtitleResult {
  speech: boolean;
  /** Spoken language (detected or given). */
  language: string | null;
  /** Language of the subtitle text. */
  subtitle_language: string | null;
  translated: boolean;
  cues: number;
  media_seconds: number;
  speech_seconds: number;
  chunks: number;
  text: string;
}

/**
 * Timed subtitles for a decoded audio track. Voice activity finds the speech; it is recognised
 * in chunks of at most 28 s read from disk a few at a time (bounded memory whatever the length),
 * the timed segments are cleaned of non-speech and repeated hallucinations, and cut into
 * readable cues.
 */
export async function makeSubtitles(
  pcm: PcmFile,
  energies: Float32Array,
  engine: SpeechEngine,
  readRange: (from: number, to: number) => Promise<Float32Array>,
  opts: SubtitleOptions,
): Promise<{ result: SubtitleResult; vtt: string; srt: string; cues: Cue[] }> {
  const regions = detectSpeech(energies);
  const lanes = engine.transcribeMany ? Math.max(1, engine.info()?.lanes ?? 1) : 1;
  // Chunks of similar length (cut at silences or pauses) so the lanes finish together.
  const chunks = planChunks(regions, energies, {
    maxSeconds: CHUNK_SEC,
    lanes,
    minSeconds: MIN_CHUNK_SEC,
  });
  const total = chunks.reduce((s, c) => s + (c.end - c.start), 0);
  let language = opts.language;
  const segments: Segment[] = [];
  let done = 0;
  // Chunks go to the engine a few at a time (bounded memory), `lanes` of them recognised at once.
  // Without a language the first chunk with words goes alone: it fixes the language for the rest
  // (consistent subtitles).
  for (let next = 0; next < chunks.length; ) {
    const size = language ? lanes * 2 : 1;
    const batch = chunks.slice(next, next + size);
    next += batch.length;
    const pcms = await Promise.all(
      batch.map((c) => readRange(Math.floor(c.start * SAMPLE_RATE), Math.floor(c.end * SAMPLE_RATE))),
    );
    const options = {
      ...(language ? { language } : {}),
      translate: opts.translate,
      maxSegmentChars: 42,
      beamSize: opts.beamSize ?? 1,
      fitEncoder: opts.fitEncoder ?? false,
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    const transcripts =
      batch.length > 1 && engine.transcribeMany
        ? await engine.transcribeMany(pcms, options)
        : [await engine.transcribe(pcms[0] as Float32Array, options)];
    for (const [i, chunk] of batch.entries()) {
      const t = transcripts[i] as Transcript;
      const found = cleanSegments(t.segments);
      if (!language && found.length > 0) language = t.language;
      for (const s of found) {
        segments.push({
          start: chunk.start + Math.max(0, s.start),
          end: chunk.start + Math.min(s.end, chunk.end - chunk.start),
          text: s.text,
        });
      }
      done += chunk.end - chunk.start;
    }
    opts.onProgress?.(total > 0 ? done / total : 1);
  }
  const cues = buildCues(segments);
  const spoken = cues.length > 0 ? (language ?? null) : null;
  const subtitleLanguage = spoken === null ? null : opts.translate ? 'en' : spoken;
  const result: SubtitleResult = {
    speech: cues.length > 0,
    language: spoken,
    subtitle_language: subtitleLanguage,
    translated: opts.translate,
    cues: cues.length,
    media_seconds: Math.round(pcm.seconds * 100) / 100,
    speech_seconds: Math.round(speechSeconds(regions) * 100) / 100,
    chunks: chunks.length,
    text: cues.map((c) => c.lines.join(' ')).join(' '),
  };
  return { result, vtt: toWebVtt(cues), srt: toSrt(cues), cues };
}
