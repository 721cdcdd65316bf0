import { describe, expect, it } from 'vitest';
import { toCard } from '@/server/main-app/cards';
import { relay } from '@/server/relay';
import { safeReturnPath } from '@/server/return-path';
import { signInLimiter } from '@/server/sign-in-limiter';
import { parseCues } from '@/server/transcript';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const out = (task: string, name: string) => ({
  name,
  filename: `${name}.jpg`,
  contentType: 'image/jpeg',
  size: 1,
  url: `/api/videos/${ID}/outputs/${task}/${name}`,
});

describe('library cards', () => {
  it("reads main-app's full video view: poster, storyboard geometry, task states, facts", () => {
    const card = toCard({
      id: ID,
      title: 'Dog',
      status: 'processing',
      createdAt: '2026-01-01T00:00:00Z',
      media: { durationSec: 12.5 },
      language: 'en',
      species: ['dog'],
      sha256: 'secret-ish internal detail',
      tasks: {
        langscale: { status: 'done', attempts: 1, result: { language: 'en' }, outputs: [] },
        downscale: {
          status: 'done',
          attempts: 1,
          outputs: [out('downscale', 'poster'), out('downscale', 'storyboard')],
          result: {
            storyboard: { columns: 5, rows: 2, count: 9, thumbWidth: 160, thumbHeight: 90, intervalSec: 1.4 },
          },
        },
        subtitle: { status: 'running', attempts: 1, progress: 0.4, outputs: [] },
      },
    });
    expect(card).toEqual({
      id: ID,
      title: 'Dog',
      status: 'processing',
      createdAt: '2026-01-01T00:00:00Z',
      durationSec: 12.5,
      tasks: {
        langscale: { status: 'done' },
        downscale: { status: 'done' },
        subtitle: { status: 'running', progress: 0.4 },
      },
      language: 'en',
      species: ['dog'],
      poster: `/api/videos/${ID}/outputs/downscale/poster`,
      storyboard: {
        url: `/api/videos/${ID}/outputs/downscale/storyboard`,
        columns: 5,
        rows: 2,
        count: 9,
        thumbWidth: 160,
        thumbHeight: 90,
        intervalSec: 1.4,
      },
    });
  });

  it('reads a summary shape too, and passes on no link that is not one of our media paths', () => {
    const card = toCard({
      id: ID,
      title: 'x',
      status: 'completed',
      durationSec: 3,
      tasks: { downscale: 'done' },
      poster: 'https://elsewhere.example/p.jpg',
      storyboard: {
        url: `/api/videos/${ID}/outputs/downscale/storyboard`,
        columns: 1,
        rows: 1,
        count: 1,
        thumbWidth: 1,
        thumbHeight: 1,
        intervalSec: 1,
      },
    });
    expect(card.poster).toBeNull();
    expect(card.tasks).toEqual({ downscale: { status: 'done' } });
    expect(card.storyboard?.url).toContain('/storyboard');
    expect(card.durationSec).toBe(3);
  });
});

describe('relay', () => {
  it("streams main-app's answer with its end-to-end headers only", async () => {
    const upstream = new Response('abc', {
      status: 206,
      headers: {
        'content-type': 'video/mp4',
        'content-range': 'bytes 0-2/10',
        'dapr-app-id': 'main-app',
        traceparent: '00-abc-def-01',
        connection: 'keep-alive',
      },
    });
    const res = relay(upstream, { 'cache-control': 'no-store' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 0-2/10');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('dapr-app-id')).toBeNull();
    expect(res.headers.get('traceparent')).toBeNull();
    expect(await res.text()).toBe('abc');
  });
});

describe('sign-in', () => {
  it('only sends people on to a path of this site', () => {
    expect(safeReturnPath('/videos/1?t=3')).toBe('/videos/1?t=3');
    for (const bad of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
      42,
      null,
    ])
      expect(safeReturnPath(bad)).toBe('/library');
  });

  it('makes a client wait after five wrong passwords in a minute', () => {
    const who = `client-${Math.random()}`;
    for (let i = 0; i < 5; i++) {
      expect(signInLimiter.blockedForSec(who)).toBe(0);
      signInLimiter.failed(who);
    }
    expect(signInLimiter.blockedForSec(who)).toBeGreaterThan(50);
    signInLimiter.succeeded(who);
    expect(signInLimiter.blockedForSec(who)).toBe(0);
  });
});

describe('transcript', () => {
  it('turns WebVTT cues into plain timed lines', () => {
    const cues = parseCues(
      'WEBVTT\n\n00:00:01.000 --> 00:00:03.500\nAsk not <i>what</i>\nyour country\n\n00:01:00.000 --> 00:01:02.000\ncan do\n',
    );
    expect(cues).toEqual([
      { start: 1, end: 3.5, text: 'Ask not what your country' },
      { start: 60, end: 62, text: 'can do' },
    ]);
  });
});
