import { WebVTTParser } from 'webvtt-parser';
import type { TranscriptCue } from '@/shared/video';

/** Cues of a WebVTT file (read by a spec-following parser), markup stripped, as plain timed lines. */
export function parseCues(vtt: string): TranscriptCue[] {
  const tree = new WebVTTParser().parse(vtt, 'metadata');
  return tree.cues.map((c) => ({
    start: c.startTime,
    end: c.endTime,
    text: c.text
      .replace(/<[^>]*>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  }));
}
