// Readers of the processors' results, tolerant of missing fields (a task may have failed or been
// skipped): each returns what the page needs, or null.
import type { OutputView, StoryboardView, VideoView } from './video';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' ? (v as Json) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function outputNamed(video: VideoView, task: keyof VideoView['tasks'], name: string) {
  return video.tasks[task]?.outputs.find((o) => o.name === name) ?? null;
}

export interface Rendition {
  label: string;
  height: number;
  width: number;
  bitrateKbps: number | null;
  output: OutputView;
}

/** The MP4 renditions, highest first. */
export function renditions(video: VideoView): Rendition[] {
  const t = video.tasks.downscale;
  const list = Array.isArray(obj(t?.result)?.renditions) ? (obj(t?.result)?.renditions as Json[]) : [];
  const out: Rendition[] = [];
  for (const r of list) {
    const output = t?.outputs.find((o) => o.name === str(r.part));
    const width = num(r.width);
    const height = num(r.height);
    if (!output || !width || !height) continue;
    out.push({
      label: `${Math.min(width, height)}p`,
      width,
      height,
      bitrateKbps: num(r.bitrateKbps),
      output,
    });
  }
  return out.sort((a, b) => b.height - a.height);
}

export function hlsMaster(video: VideoView): OutputView | null {
  return outputNamed(video, 'downscale', 'hls-master');
}

export function storyboardOf(result: unknown, url: string | null | undefined): StoryboardView | null {
  const sb = obj(obj(result)?.storyboard);
  if (!sb || !url) return null;
  const columns = num(sb.columns);
  const rows = num(sb.rows);
  const count = num(sb.count);
  const thumbWidth = num(sb.thumbWidth);
  const thumbHeight = num(sb.thumbHeight);
  const intervalSec = num(sb.intervalSec);
  if (!columns || !rows || !count || !thumbWidth || !thumbHeight || !intervalSec) return null;
  return { url, columns, rows, count, thumbWidth, thumbHeight, intervalSec };
}

export interface LanguageFacts {
  speech: boolean;
  reason: string | null;
  code: string | null;
  name: string | null;
  confidence: number | null;
  alternatives: { code: string; name: string; probability: number }[];
  crossCheck: { language: string | null; agrees: boolean | null } | null;
  speechSeconds: number | null;
  analysedSeconds: number | null;
}

export function languageFacts(video: VideoView): LanguageFacts | null {
  const r = obj(video.tasks.langscale?.result);
  if (!r) return null;
  const alternatives = (Array.isArray(r.alternatives) ? (r.alternatives as Json[]) : [])
    .map((a) => ({ code: str(a.code) ?? '', name: str(a.name) ?? '', probability: num(a.probability) ?? 0 }))
    .filter((a) => a.code);
  const cc = obj(r.cross_check);
  return {
    speech: r.speech === true,
    reason: str(r.reason),
    code: str(r.language),
    name: str(r.language_name),
    confidence: num(r.confidence),
    alternatives,
    crossCheck: cc
      ? { language: str(cc.language), agrees: typeof cc.agrees === 'boolean' ? cc.agrees : null }
      : null,
    speechSeconds: num(r.speech_seconds),
    analysedSeconds: num(r.analysed_seconds),
  };
}

export interface AnimalTrack {
  species: string;
  totalSec: number;
  peakConfidence: number;
  ranges: { startSec: number; endSec: number; peakConfidence: number }[];
  bestFrame: { atSec: number; url: string | null } | null;
}

export function animalTracks(video: VideoView): AnimalTrack[] {
  const t = video.tasks['animal-detect'];
  const list = Array.isArray(obj(t?.result)?.appearances) ? (obj(t?.result)?.appearances as Json[]) : [];
  return list
    .map((a) => {
      const best = obj(a.bestFrame);
      const part = str(best?.part);
      return {
        species: str(a.species) ?? '?',
        totalSec: num(a.totalSec) ?? 0,
        peakConfidence: num(a.peakConfidence) ?? 0,
        ranges: (Array.isArray(a.ranges) ? (a.ranges as Json[]) : [])
          .map((r) => ({
            startSec: num(r.startSec) ?? 0,
            endSec: num(r.endSec) ?? 0,
            peakConfidence: num(r.peakConfidence) ?? 0,
          }))
          .filter((r) => r.endSec > r.startSec),
        bestFrame: best
          ? {
              atSec: num(best.timeSec) ?? num(best.atSec) ?? num(best.time) ?? 0,
              url: part ? (t?.outputs.find((o) => o.name === part)?.url ?? null) : null,
            }
          : null,
      };
    })
    .filter((a) => a.ranges.length > 0);
}

export function subtitleFiles(video: VideoView): { vtt: OutputView | null; srt: OutputView | null } {
  const outputs = video.tasks.subtitle?.outputs ?? [];
  return {
    vtt: outputs.find((o) => o.filename.endsWith('.vtt')) ?? null,
    srt: outputs.find((o) => o.filename.endsWith('.srt')) ?? null,
  };
}

/** The language of the subtitle text (the spoken one, or English when translated). */
export function subtitleLanguage(video: VideoView): string | null {
  const r = obj(video.tasks.subtitle?.result);
  return str(r?.subtitle_language) ?? str(r?.language) ?? video.language;
}
