import { ANIMAL_LABEL } from '@vidp/contracts';
import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../src/adapters/keyed-mutex.js';
import { backoffMs } from '../src/domain/backoff.js';
import { contentTypeOf, IngestError, parseTaskList } from '../src/domain/ingest.js';
import type { Video } from '../src/domain/model.js';
import { resultFacts } from '../src/domain/result-facts.js';
import { skipReason, TASK_SPECS, waitsFor } from '../src/domain/tasks.js';

describe('task list', () => {
  it('defaults to every task and dedupes', () => {
    expect(parseTaskList(undefined)).toEqual(['langscale', 'subtitle', 'animal-detect', 'downscale']);
    expect(parseTaskList(' downscale, downscale ,langscale')).toEqual(['downscale', 'langscale']);
  });
  it('names the unknown tasks and the known ones', () => {
    expect(() => parseTaskList('downscale,transcode')).toThrow(IngestError);
    expect(() => parseTaskList('transcode')).toThrow(/Unknown task\(s\): transcode\. Known tasks: langscale/);
  });
});

describe('which tasks apply', () => {
  const video = (over: Partial<Video>): Video =>
    ({ requestedTasks: ['langscale', 'subtitle'], tasks: {}, media: {}, ...over }) as Video;
  it('skips speech tasks without audio and picture tasks without video', () => {
    expect(skipReason(TASK_SPECS.langscale, { container: 'mov', durationSec: 1, sizeBytes: 1 })).toMatch(
      /no audio/,
    );
    expect(
      skipReason(TASK_SPECS.downscale, {
        container: 'mp3',
        durationSec: 1,
        sizeBytes: 1,
        audio: { codec: 'mp3', channels: 2, sampleRate: 44100 },
      }),
    ).toMatch(/no video/);
  });
  it('makes subtitles wait for langscale unless the uploader gave the language', () => {
    expect(waitsFor(TASK_SPECS.subtitle, video({}))).toEqual(['langscale']);
    expect(waitsFor(TASK_SPECS.subtitle, video({ language: 'fr' }))).toEqual([]);
    expect(waitsFor(TASK_SPECS.subtitle, video({ requestedTasks: ['subtitle'] }))).toEqual([]);
    expect(TASK_SPECS.subtitle.fields(video({ detectedLanguage: 'de' }))).toEqual({ language: 'de' });
  });
});

describe('facts indexed from results', () => {
  it('takes the language code and the species', () => {
    expect(resultFacts('langscale', { language: { code: 'fr', name: 'French' } })).toEqual({
      detectedLanguage: 'fr',
    });
    expect(resultFacts('langscale', { language: null, noSpeech: true })).toEqual({});
    expect(
      resultFacts('animal-detect', {
        appearances: [{ species: 'dog' }, { species: 'bird' }, { species: 'dog' }],
      }),
    ).toEqual({ species: ['bird', 'dog'] });
    expect(
      resultFacts('animal-detect', {
        appearances: [
          { species: 'dog' },
          { species: ANIMAL_LABEL, candidates: [{ species: 'horse', share: 0.6 }] },
        ],
      }),
    ).toEqual({ species: ['animal', 'dog'] });
  });
});

describe('backoff', () => {
  it('grows exponentially, with jitter, up to the cap', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(3, 1000, 60_000, () => 1)).toBe(4000);
    expect(backoffMs(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});

describe('content type from the probe', () => {
  it('uses the demuxer, not the file name', () => {
    expect(
      contentTypeOf({ format: 'mov,mp4,m4a,3gp,3g2,mj2', formatLongName: '', durationSec: 1, sizeBytes: 1 }),
    ).toBe('video/mp4');
    expect(
      contentTypeOf({
        format: 'matroska,webm',
        formatLongName: '',
        durationSec: 1,
        sizeBytes: 1,
        video: {
          codec: 'vp9',
          width: 1,
          height: 1,
          fps: 1,
          rotation: 0,
          displayWidth: 1,
          displayHeight: 1,
          sampleAspectRatio: 1,
        },
      }),
    ).toBe('video/webm');
  });
});

describe('KeyedMutex', () => {
  it('runs one function at a time per key, and survives a failure', async () => {
    const m = new KeyedMutex();
    const order: string[] = [];
    const step = (name: string, ms: number, fail = false) =>
      m.run('k', async () => {
        order.push(`${name}>`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`<${name}`);
        if (fail) throw new Error('boom');
      });
    await Promise.allSettled([step('a', 20, true), step('b', 1), step('c', 1)]);
    expect(order).toEqual(['a>', '<a', 'b>', '<b', 'c>', '<c']);
  });
});
