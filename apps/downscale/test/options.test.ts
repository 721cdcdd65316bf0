import { HttpError } from '@vidp/service-kit';
import { describe, expect, it } from 'vitest';
import { JobSlots } from '../src/routes/job-slots.js';
import { parseUploadFields } from '../src/routes/options.js';

const refusal = (fields: Record<string, string>) => {
  try {
    parseUploadFields(fields);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error('accepted');
};

describe('upload fields', () => {
  it('accepts the documented options', () => {
    expect(
      parseUploadFields({
        heights: '720, 480,360',
        preset: 'fast',
        crf: '24',
        audio_bitrate_kbps: '96',
        hls: 'true',
      }),
    ).toEqual({ rungs: [720, 480, 360], preset: 'fast', crf: 24, audioKbps: 96, hls: true });
    expect(parseUploadFields({})).toEqual({});
  });

  it('refuses values out of bounds with a 400 naming each field', () => {
    const err = refusal({
      heights: '720,99999',
      preset: 'placebo',
      crf: '5',
      audio_bitrate_kbps: '1000',
      hls: 'yes',
    });
    expect(err.status).toBe(400);
    for (const field of ['heights', 'preset', 'crf', 'audio_bitrate_kbps', 'hls'])
      expect(err.detail).toContain(field);
  });

  it('refuses unknown fields and malformed lists', () => {
    expect(refusal({ height: '720' }).detail).toMatch(/height/);
    expect(refusal({ heights: '720;480' }).detail).toMatch(/comma-separated/);
    expect(refusal({ heights: '1,2,3,4,5,6,7,8,9' }).status).toBe(400);
  });
});

describe('JobSlots', () => {
  it('runs at most `size` jobs and hands slots over in arrival order', async () => {
    const slots = new JobSlots(1);
    const order: string[] = [];
    const first = await slots.acquire();
    const second = slots.acquire().then((release) => {
      order.push('second');
      return release;
    });
    const third = slots.acquire().then((release) => {
      order.push('third');
      release();
    });
    expect(slots.queued).toBe(2);
    first();
    (await second)();
    await third;
    expect(order).toEqual(['second', 'third']);
  });

  it('drops a waiter whose caller went away', async () => {
    const slots = new JobSlots(1);
    const release = await slots.acquire();
    const ac = new AbortController();
    const waiting = slots.acquire(ac.signal);
    ac.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(slots.queued).toBe(0);
    release();
    const again = await slots.acquire();
    again();
  });
});
