import type { Segment } from './engine.js';

/** Readability rules (broadcast-style defaults). */
export const CUE_RULES = {
  maxLineChars: 42,
  maxLines: 2,
  /** Reading speed cap, characters per second. */
  maxCharsPerSecond: 20,
  maxCueSeconds: 7,
  minCueSeconds: 0.8,
  /** Gap kept between consecutive cues (s). */
  minGap: 0.04,
} as const;

export interface Cue {
  start: number;
  end: number;
  lines: string[];
}

const NON_SPEECH =
  /^[\s[(*♪♫-]*(music|musique|música|musik|applause|laughter|silence|noise|blank_audio|inaudible|sound|wind|static)?[\s\])*♪♫.-]*$/i;

/** True for text that carries no words: "[Music]", "♪", "(silence)", "...". */
export function isNonSpeech(text: string): boolean {
  const t = text.trim();
  if (!t) return true;
  if (/^\[[^\]]*\]$/.test(t) || /^\([^)]*\)$/.test(t)) return true;
  return NON_SPEECH.test(t) || !/[\p{L}\p{N}]/u.test(t);
}

/** Removes words-free segments and a segment repeating the previous one (a hallucination loop). */
export function cleanSegments(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const text = s.text.replace(/\s+/g, ' ').trim();
    if (isNonSpeech(text)) continue;
    const prev = out[out.length - 1];
    if (prev && normalise(prev.text) === normalise(text) && s.start - prev.end < 5) continue;
    if (s.end <= s.start) continue;
    out.push({ start: s.start, end: s.end, text });
  }
  return out;
}

function normalise(t: string): string {
  return t
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Splits text into lines of at most `max` characters at spaces (a word longer than a line is cut). */
export function wrapLines(text: string, max: number = CUE_RULES.maxLineChars): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > max) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(word.slice(0, max));
      word = word.slice(max);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= max) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Balances a 2-line cue so the lines have similar lengths (easier to read). */
function balance(lines: string[], max: number): string[] {
  if (lines.length !== 2) return lines;
  const words = lines.join(' ').split(' ');
  let best = lines;
  let bestDiff = Math.abs((lines[0] as string).length - (lines[1] as string).length);
  for (let i = 1; i < words.length; i++) {
    const a = words.slice(0, i).join(' ');
    const b = words.slice(i).join(' ');
    if (a.length > max || b.length > max) continue;
    const diff = Math.abs(a.length - b.length);
    if (diff < bestDiff) {
      best = [a, b];
      bestDiff = diff;
    }
  }
  return best;
}

/**
 * Builds cues from timed segments: ≤ 42 characters a line, ≤ 2 lines, no cue over 7 s, a reading
 * speed cap (a cue is stretched into the following silence when it would flash by), no overlaps.
 */
export function buildCues(segments: Segment[], rules = CUE_RULES): Cue[] {
  const raw: Cue[] = [];
  for (const seg of mergeShort(cleanSegments(segments), rules)) {
    const lines = wrapLines(seg.text, rules.maxLineChars);
    const groups: string[][] = [];
    for (let i = 0; i < lines.length; i += rules.maxLines) groups.push(lines.slice(i, i + rules.maxLines));
    const total = lines.reduce((n, l) => n + l.length, 0) || 1;
    let t = seg.start;
    const dur = seg.end - seg.start;
    for (const g of groups) {
      const chars = g.reduce((n, l) => n + l.length, 0);
      const len = (dur * chars) / total;
      // A cue over the maximum is split evenly (its text too) so nothing stays on screen too long.
      const parts = Math.max(1, Math.ceil(len / rules.maxCueSeconds));
      if (parts === 1) raw.push({ start: t, end: t + len, lines: balance(g, rules.maxLineChars) });
      else {
        const words = g.join(' ').split(' ');
        const per = Math.ceil(words.length / parts);
        for (let p = 0; p < parts; p++) {
          const w = words.slice(p * per, (p + 1) * per);
          if (w.length === 0) continue;
          raw.push({
            start: t + (len * p) / parts,
            end: t + (len * (p + 1)) / parts,
            lines: balance(wrapLines(w.join(' '), rules.maxLineChars), rules.maxLineChars),
          });
        }
      }
      t += len;
    }
  }
  raw.sort((a, b) => a.start - b.start);
  for (let i = 0; i < raw.length; i++) {
    const cue = raw[i] as Cue;
    const next = raw[i + 1];
    const limit = next ? next.start - rules.minGap : Number.POSITIVE_INFINITY;
    const chars = cue.lines.join(' ').length;
    const needed = Math.max(rules.minCueSeconds, chars / rules.maxCharsPerSecond);
    if (cue.end - cue.start < needed)
      cue.end = Math.min(cue.start + needed, limit, cue.start + rules.maxCueSeconds);
    cue.end = Math.min(cue.end, limit, cue.start + rules.maxCueSeconds);
    if (next && next.start < cue.end + rules.minGap) next.start = cue.end + rules.minGap;
  }
  return raw.filter((c) => c.end - c.start > 0.05 && c.lines.length > 0);
}

/**
 * Joins consecutive short segments (the engine cuts at ~42 characters) into one cue of up to two
 * lines when they follow each other closely and stay within the cue duration limit.
 */
function mergeShort(segments: Segment[], rules: typeof CUE_RULES): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    const text = last ? `${last.text} ${s.text}` : s.text;
    if (
      last &&
      s.start - last.end < 0.6 &&
      s.end - last.start <= rules.maxCueSeconds &&
      !/[.!?]$/.test(last.text) &&
      wrapLines(text, rules.maxLineChars).length <= rules.maxLines
    ) {
      last.end = s.end;
      last.text = text;
    } else out.push({ ...s });
  }
  return out;
}

function stamp(seconds: number, sep: '.' | ','): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(ms % 1000, 3)}`;
}

/** Cue text may not contain "-->" nor start a line that looks like markup we do not mean. */
function safeLine(line: string): string {
  return line.replaceAll('-->', '→').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** WebVTT (the language goes in the result and the <track srclang>, not in the file). */
export function toWebVtt(cues: Cue[]): string {
  const head = 'WEBVTT\n';
  const body = cues.map(
    (c) => `${stamp(c.start, '.')} --> ${stamp(c.end, '.')}\n${c.lines.map(safeLine).join('\n')}\n`,
  );
  return [head, ...body].join('\n');
}

export function toSrt(cues: Cue[]): string {
  return cues
    .map(
      (c, i) =>
        `${i + 1}\n${stamp(c.start, ',')} --> ${stamp(c.end, ',')}\n${c.lines.map((l) => l.replaceAll('-->', '→')).join('\n')}\n`,
    )
    .join('\n');
}
