import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { thumbnailsVtt } from '../src/domain/thumbnails-vtt.js';

const { WebVTTParser } = createRequire(import.meta.url)('webvtt-parser') as {
  WebVTTParser: new () => {
    parse(
      s: string,
      mode: string,
    ): { cues: { startTime: number; endTime: number; text: string }[]; errors: unknown[] };
  };
};

describe('thumbnails WebVTT of the storyboard', () => {
  it('has one valid cue per tile, covering the whole video, each naming its tile', () => {
    const vtt = thumbnailsVtt(
      { columns: 5, count: 7, thumbWidth: 160, thumbHeight: 90, intervalSec: 2.5 },
      17.4,
    );
    const tree = new WebVTTParser().parse(vtt, 'metadata');
    expect(tree.errors).toEqual([]);
    expect(tree.cues).toHaveLength(7);
    expect(tree.cues[0]).toMatchObject({
      startTime: 0,
      endTime: 2.5,
      text: 'storyboard.jpg#xywh=0,0,160,90',
    });
    expect(tree.cues[5]).toMatchObject({
      startTime: 12.5,
      endTime: 15,
      text: 'storyboard.jpg#xywh=0,90,160,90',
    });
    expect(tree.cues[6]).toMatchObject({
      startTime: 15,
      endTime: 17.4,
      text: 'storyboard.jpg#xywh=160,90,160,90',
    });
  });

  it('writes hours past an hour and millisecond precision', () => {
    const vtt = thumbnailsVtt(
      { columns: 5, count: 2, thumbWidth: 160, thumbHeight: 90, intervalSec: 3700.1234 },
      7400.2468,
    );
    expect(vtt).toContain('00:00:00.000 --> 01:01:40.123');
    expect(vtt).toContain('01:01:40.123 --> 02:03:20.247');
  });
});
