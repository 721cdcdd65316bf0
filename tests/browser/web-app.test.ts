// The web app in real Chromium against the real local stack: main-app and the four real
// processors (Whisper, NanoDet, ffmpeg), each with its daprd sidecar, Redis, FerretDB, and the
// web app with its own sidecar. One stack for the whole file (it is the expensive part).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { peakRssBytes, type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import type { Browser, BrowserContext, Page, Request as PwRequest } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JFK_WAV } from '../../packages/speech/test/fixtures.js';
import { renderVideo } from '../support/animal-videos.js';
import { FRONTEND_SECRETS, type RunningFrontend, signInCookie, startFrontend } from '../support/frontend.js';
import { filesLeft } from '../support/fs.js';
import { FAST_ORCHESTRATION } from '../support/main-app.js';
import { writePaddedVideo } from '../support/padded-video.js';
import {
  launchChromium,
  network,
  seriousA11yViolations,
  signedInContext,
  signInThroughPage,
  videoState,
} from '../support/web-browser.js';

const MiB = 1024 * 1024;
/** main-app's upload limit in this stack: the 300 MiB file passes, the over-limit one does not. */
const MAX_UPLOAD = 330 * MiB;

describe('the web app in Chromium, on the real stack', () => {
  let stack: Stack;
  let web: RunningFrontend;
  let browser: Browser;
  let context: BrowserContext;
  let media: string;
  let realVideo: string;
  let videoId: string;
  const seenBodies: string[] = [];
  const base = () => web.url;
  const api = () => stack.get('main-app').app.url;
  const apiHeaders = { 'x-api-key': TEST_API_KEY };

  const libraryTotal = async () =>
    (
      (await (await fetch(`${api()}/api/videos?limit=1`, { headers: apiHeaders })).json()) as {
        total: number;
      }
    ).total;

  /** Uploads through the page: picks the files, keeping only the listed tasks ticked. */
  async function pick(page: Page, files: string | string[], tasks?: string[]): Promise<void> {
    if (tasks) {
      for (const label of ['Language', 'Subtitles', 'Animals', 'Renditions']) {
        const box = page.getByRole('checkbox', { name: label });
        if ((await box.isChecked()) !== tasks.includes(label)) await box.click();
      }
    }
    await page.locator('input[type=file]').setInputFiles(files);
  }

  /** The tus requests the page sends: method and Upload-Offset, in order. */
  function recordTus(page: Page): { method: string; offset: number | null }[] {
    const log: { method: string; offset: number | null }[] = [];
    page.on('request', (r: PwRequest) => {
      if (!new URL(r.url()).pathname.startsWith('/api/uploads')) return;
      const o = r.headers()['upload-offset'];
      log.push({ method: r.method(), offset: o === undefined ? null : Number(o) });
    });
    return log;
  }

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      secrets: FRONTEND_SECRETS,
      apps: [
        {
          app: 'main-app',
          appId: 'main-app',
          env: { ...FAST_ORCHESTRATION, TASK_LEASE_MS: '30000', MAX_UPLOAD_BYTES: String(MAX_UPLOAD) },
        },
        { app: 'langscale', appId: 'langscale' },
        { app: 'subtitle', appId: 'subtitle' },
        { app: 'animal-detect', appId: 'animal-detect' },
        { app: 'downscale', appId: 'downscale' },
      ],
    });
    web = await startFrontend(stack);
    media = join(stack.dir, 'media');
    await mkdir(media);
    // 4 s of kites (no animal), then 7 s of a dog, with JFK's speech over both.
    const silent = join(media, 'kite-dog.mp4');
    await renderVideo(
      [
        { image: 'kite.jpg', seconds: 4, motion: 'still', animals: [] },
        { image: 'dog.jpg', seconds: 7, motion: 'still', animals: ['dog'] },
      ],
      silent,
    );
    realVideo = join(media, 'jfk-and-a-dog.mp4');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-i', silent, '-i', JFK_WAV],
      ...['-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', '-shortest', realVideo],
    ]);
    for (const id of stack.apps.keys()) {
      await waitUntil(
        `${id} ready`,
        async () => (await fetch(`${stack.get(id).app.url}/ready`)).ok,
        120_000,
        250,
      );
    }
    browser = await launchChromium();
    context = await signedInContext(browser, base());
    // Every text answer the browser gets, to check that the API key never reaches it.
    context.on('response', async (r) => {
      const type = r.headers()['content-type'] ?? '';
      if (/json|text|javascript|html|event-stream/.test(type) && !type.includes('event-stream')) {
        seenBodies.push(JSON.stringify(r.headers()), await r.text().catch(() => ''));
      }
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
  });

  it('signs in with the password from the secret store, and refuses a wrong one', async () => {
    const page = await browser.newPage();
    await page.goto(`${base()}/library`);
    await page.waitForURL(/\/signin\?next=%2Flibrary/);
    await signInThroughPage(page, base(), 'not-the-password');
    await expect.poll(() => page.locator('#signin-error').textContent()).toBe('Wrong password.');
    await page.getByLabel('Password').fill(FRONTEND_SECRETS['vidp-web-password']);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/library$/);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'vidp_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('vidp_session');
    await page.close();
  });

  it('uploads a real video through the page: the bytes progress, then each task changes live', async () => {
    const page = await context.newPage();
    await page.goto(`${base()}/upload`);
    // Slow the upload down so that its progress can be seen (about 4 s for 1 MB).
    await network(page, { uploadBytesPerSec: 256 * 1024 });
    await page.evaluate(() => {
      const w = window as unknown as { seen: { sent: string[]; facts: string[]; tasks: string[] } };
      w.seen = { sent: [], facts: [], tasks: [] };
      setInterval(() => {
        const bar = document.querySelector('.queue-item progress') as HTMLProgressElement | null;
        if (bar) w.seen.sent.push(`${bar.value}/${bar.max}`);
        const facts = document.querySelector('.queue-facts')?.textContent;
        if (facts) w.seen.facts.push(facts);
        for (const chip of document.querySelectorAll('.queue-done [data-task]'))
          w.seen.tasks.push(`${chip.getAttribute('data-task')}=${chip.getAttribute('data-task-status')}`);
      }, 50);
    });
    await pick(page, realVideo);
    await page.locator('[data-upload-state=done]').waitFor({ timeout: 120_000 });
    await network(page, { uploadBytesPerSec: -1 });
    const link = page.getByRole('link', { name: 'Open the video' });
    videoId = (await link.getAttribute('href'))!.split('/').pop()!;
    // Every task ends done, followed on the page as it happens.
    await page
      .locator('.queue-done [data-video-id] .badge[data-video-status=completed]')
      .waitFor({ timeout: 300_000 });
    const seen = await page.evaluate(
      () => (window as unknown as { seen: { sent: string[]; facts: string[]; tasks: string[] } }).seen,
    );
    const size = (await stat(realVideo)).size;
    const partial = seen.sent.map((s) => Number(s.split('/')[0])).filter((v) => v > 0 && v < size);
    expect(new Set(partial).size, 'distinct partial progress values').toBeGreaterThan(2);
    expect(
      seen.facts.some((f) => /\/s/.test(f) && /left/.test(f)),
      'speed and time left shown',
    ).toBe(true);
    for (const task of ['langscale', 'subtitle', 'animal-detect', 'downscale']) {
      const states = seen.tasks.filter((t) => t.startsWith(`${task}=`)).map((t) => t.split('=')[1]);
      expect(states.at(-1), task).toBe('done');
      expect(
        states.some((s) => s === 'running' || s === 'pending'),
        `${task} seen before it ended`,
      ).toBe(true);
    }
    await page.close();
  }, 600_000);

  describe('the video page', () => {
    let page: Page;
    beforeAll(async () => {
      page = await context.newPage();
      await page.goto(`${base()}/videos/${videoId}`);
      await page.waitForFunction(
        () => (document.querySelector('video') as HTMLVideoElement)?.readyState >= 1,
      );
    }, 120_000);
    afterAll(() => page?.close());

    it('plays a rendition, with subtitles shown in the browser language and a cue on screen', async () => {
      expect((await videoState(page)).src).toMatch(/\/outputs\/downscale\/rendition-\d+$/);
      await page.locator('media-play-button').click();
      await expect
        .poll(async () => (await videoState(page)).currentTime, { timeout: 30_000 })
        .toBeGreaterThan(1);
      await page.locator('media-play-button').click();
      // English subtitles for an English browser: showing without asking.
      expect((await videoState(page)).subtitleMode).toBe('showing');
      const first = page.locator('.cue').first();
      const at = Number(await first.getAttribute('data-start'));
      await first.click();
      await expect
        .poll(async () => (await videoState(page)).activeCue ?? '', { timeout: 15_000 })
        .not.toBe('');
      expect(Math.abs((await videoState(page)).currentTime - at)).toBeLessThan(0.5);
      await expect.poll(() => page.locator('.cue[aria-current=true]').count()).toBe(1);
    });

    it('shows the language card', async () => {
      const card = page.locator('.language-card');
      await expect.poll(() => card.getAttribute('data-language')).toBe('en');
      expect(await card.textContent()).toContain('English');
      expect(await card.textContent()).toMatch(/Confidence \d+ %/);
    });

    it('shows a storyboard thumbnail when hovering the seek bar', async () => {
      const storyboard = page.waitForResponse((r) => r.url().endsWith('/outputs/downscale/storyboard.jpg'));
      const range = page.locator('media-time-range');
      const box = (await range.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
      await expect
        .poll(() => range.getAttribute('mediapreviewimage'), { timeout: 15_000 })
        .toMatch(/\/api\/videos\/[0-9a-f-]+\/outputs\/downscale\/storyboard\.jpg#xywh=\d+,\d+,\d+,\d+$/);
      expect((await storyboard).status()).toBe(200);
      const shown = await range.evaluate((el) => {
        const thumb = el.shadowRoot?.querySelector('media-preview-thumbnail') as HTMLElement | null;
        const img = thumb?.shadowRoot?.querySelector('img') as HTMLImageElement | null;
        return {
          visible: Boolean(thumb && thumb.getBoundingClientRect().width > 0),
          loaded: Boolean(img?.naturalWidth),
        };
      });
      expect(shown).toEqual({ visible: true, loaded: true });
    });

    it('seeks to an animal bar when clicked, showing its best frame on hover', async () => {
      const bar = page.locator('.lane-row[data-species=dog] .lane-bar').first();
      await bar.hover();
      const frame = page.locator('.lane-preview img');
      await frame.waitFor();
      await expect
        .poll(() => frame.evaluate((img) => (img as HTMLImageElement).naturalWidth))
        .toBeGreaterThan(0);
      const start = Number(await bar.getAttribute('data-start'));
      expect(start).toBeGreaterThan(2);
      expect(start).toBeLessThan(6);
      await bar.click();
      await expect.poll(async () => Math.abs((await videoState(page)).currentTime - start)).toBeLessThan(0.5);
    });

    it('seeks to a transcript line, and marks search hits on the timeline', async () => {
      const line = page.locator('.cue').nth(1);
      const at = Number(await line.getAttribute('data-start'));
      await line.click();
      await expect.poll(async () => Math.abs((await videoState(page)).currentTime - at)).toBeLessThan(0.5);
      await page.getByLabel('Search the transcript').fill('country');
      await expect.poll(() => page.locator('.hits .hit').count()).toBeGreaterThan(0);
      expect(await page.locator('.cues li.match mark').first().textContent()).toMatch(/country/i);
      await page.locator('.hits .hit').first().click();
      const hit = Number(await page.locator('.cues li.match .cue').first().getAttribute('data-start'));
      await expect.poll(async () => Math.abs((await videoState(page)).currentTime - hit)).toBeLessThan(0.5);
    });

    it('downloads the WebVTT subtitles', async () => {
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Subtitles (WebVTT)' }).click();
      const file = await (await download).path();
      const vtt = await readFile(file, 'utf8');
      expect(vtt.startsWith('WEBVTT')).toBe(true);
      expect(vtt.toLowerCase()).toContain('country');
    });

    it('plays the adaptive (HLS) stream through hls.js, with ranged segment requests', async () => {
      const segment = page.waitForResponse(
        (r) => /\/outputs\/downscale\/\d+p\.m4s$/.test(r.url()) && r.status() === 206,
      );
      await page.getByLabel('Quality').selectOption('adaptive');
      await page.locator('media-play-button').click();
      await segment;
      await expect
        .poll(async () => (await videoState(page)).currentTime, { timeout: 30_000 })
        .toBeGreaterThan(1);
      expect((await videoState(page)).src).toMatch(/^blob:/);
      await page.locator('media-play-button').click();
    });

    it('opens a deep link at its time', async () => {
      const deep = await context.newPage();
      await deep.goto(`${base()}/videos/${videoId}?t=6`);
      await expect
        .poll(async () => (await videoState(deep)).currentTime, { timeout: 20_000 })
        .toBeCloseTo(6, 0);
      await deep.close();
    });

    it('leaves subtitles off for a browser in another language, until switched on', async () => {
      const fr = await signedInContext(browser, base(), { locale: 'fr-FR' });
      const p = await fr.newPage();
      await p.goto(`${base()}/videos/${videoId}`);
      await p.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement)?.readyState >= 1);
      expect((await videoState(p)).subtitleMode).not.toBe('showing');
      await p.getByRole('button', { name: 'Subtitles', exact: true }).click();
      await expect.poll(async () => (await videoState(p)).subtitleMode).toBe('showing');
      await p.locator('.cue').first().click();
      await expect.poll(async () => (await videoState(p)).activeCue ?? '', { timeout: 15_000 }).not.toBe('');
      await fr.close();
    });
  });

  it('finds the video in the library by a word that was said, and by its animal', async () => {
    const page = await context.newPage();
    await page.goto(`${base()}/library`);
    const card = page.locator(`.card[data-video-id="${videoId}"]`);
    await card.waitFor();
    await page.getByLabel('Search titles and what is said').fill('country');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('country');
    await expect.poll(() => page.locator('.card').count()).toBe(1);
    expect(await card.locator('.chip.species').allTextContents()).toContain('dog');
    await page.getByLabel('Search titles and what is said').fill('lighthousekeeper');
    await page.getByText('No video matches.').waitFor();
    await page.getByLabel('Search titles and what is said').fill('');
    await page.getByLabel('Animal').selectOption('dog');
    await card.waitFor();
    // Scrubbing: hovering the poster moves through the storyboard.
    const thumb = card.locator('.thumb');
    const box = (await thumb.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    await expect.poll(() => thumb.getAttribute('data-scrub-tile')).not.toBeNull();
    await page.close();
  });

  describe('uploads that meet trouble', () => {
    it('resumes from the server offset after the network drops mid-upload', async () => {
      const file = await writePaddedVideo(join(media, 'offline.mp4'), 40 * MiB, 'offline');
      const page = await context.newPage();
      await page.goto(`${base()}/upload`);
      await network(page, { uploadBytesPerSec: 8 * MiB });
      const tus = recordTus(page);
      await pick(page, file.path, ['Language']);
      await page.waitForResponse((r) => r.request().method() === 'PATCH' && r.status() === 204);
      await network(page, { offline: true });
      let before: number;
      try {
        await page.locator('[data-upload-state=offline]').waitFor();
        before = tus.length;
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        await network(page, { offline: false });
      }
      await page.locator('[data-upload-state=done]').waitFor({ timeout: 120_000 });
      const after = tus.slice(before);
      const head = after.findIndex((r) => r.method === 'HEAD');
      expect(head, 'asks the server for its offset').toBeGreaterThanOrEqual(0);
      const nextPatch = after.slice(head).find((r) => r.method === 'PATCH');
      expect(nextPatch?.offset, 'goes on from the offset, not from zero').toBeGreaterThanOrEqual(8 * MiB);
      expect(await page.locator('.resumed').textContent()).toMatch(/resumed at/);
      await expectStored(page, file.sha256);
      await page.close();
    }, 300_000);

    it('resumes after a reload when the same file is picked again', async () => {
      const file = await writePaddedVideo(join(media, 'reload.mp4'), 40 * MiB, 'reload');
      const page = await context.newPage();
      await page.goto(`${base()}/upload`);
      await network(page, { uploadBytesPerSec: 8 * MiB });
      await pick(page, file.path, ['Language']);
      await page.waitForResponse((r) => r.request().method() === 'PATCH' && r.status() === 204);
      await page.reload();
      await page.getByRole('heading', { name: 'Unfinished uploads' }).waitFor();
      expect(await page.locator('.unfinished').textContent()).toContain('reload.mp4');
      const tus = recordTus(page);
      await pick(page, file.path, ['Language']);
      await page.locator('[data-upload-state=done]').waitFor({ timeout: 120_000 });
      expect(tus[0]?.method, 'first asks where it stopped').toBe('HEAD');
      expect(tus.find((r) => r.method === 'PATCH')?.offset).toBeGreaterThanOrEqual(8 * MiB);
      expect(
        tus.some((r) => r.method === 'POST'),
        'no new upload created',
      ).toBe(false);
      await expectStored(page, file.sha256);
      await page.close();
    }, 300_000);

    it('carries a 300 MiB upload through the page byte for byte (SHA-256), in 8 MiB chunks', async () => {
      const file = await writePaddedVideo(join(media, 'big.mp4'), 300 * MiB, 'big', 3);
      const page = await context.newPage();
      await page.goto(`${base()}/upload`);
      const tus = recordTus(page);
      await pick(page, file.path, ['Language']);
      await page.locator('[data-upload-state=done]').waitFor({ timeout: 600_000 });
      const patches = tus.filter((r) => r.method === 'PATCH');
      expect(patches.length).toBe(Math.ceil(file.size / (8 * MiB)));
      const id = await expectStored(page, file.sha256);
      // And back: the original streamed out through the web app hashes the same.
      const cookie = await signInCookie(base());
      const res = await fetch(`${base()}/api/videos/${id}/original`, { headers: { cookie } });
      expect(res.status).toBe(200);
      const hash = createHash('sha256');
      for await (const chunk of res.body!) hash.update(chunk);
      expect(hash.digest('hex')).toBe(file.sha256);
      const rss = await peakRssBytes(web.process.pid);
      console.log(`web app peak RSS after 300 MiB up and down: ${Math.round(rss / MiB)} MiB`);
      expect(rss).toBeLessThan(300 * MiB);
      await page.close();
    }, 900_000);

    /** The finished upload's video, as main-app stored it: the same bytes. */
    async function expectStored(page: Page, sha256: string): Promise<string> {
      const href = await page
        .locator('[data-upload-state=done] a[href^="/videos/"]')
        .last()
        .getAttribute('href');
      const id = href!.split('/').pop()!;
      const v = (await (await fetch(`${api()}/api/videos/${id}`, { headers: apiHeaders })).json()) as {
        sha256: string;
      };
      expect(v.sha256).toBe(sha256);
      return id;
    }
  });

  describe('bad input in the page', () => {
    it('shows the API message for a text file named .mp4 and for an over-limit file; nothing is added', async () => {
      const total = await libraryTotal();
      const text = join(media, 'notes.mp4');
      await writeFile(text, 'These are my meeting notes, not a video.\n'.repeat(200));
      const big = join(media, 'too-big.mp4');
      await writeFile(big, '');
      await truncate(big, MAX_UPLOAD + 1);
      // What main-app itself says about the text file.
      const form = new FormData();
      form.append('file', new File([await readFile(text)], 'notes.mp4'));
      const direct = await fetch(`${api()}/api/videos`, { method: 'POST', body: form, headers: apiHeaders });
      expect(direct.status).toBe(415);
      const { detail } = (await direct.json()) as { detail: string };

      const page = await context.newPage();
      await page.goto(`${base()}/upload`);
      await pick(page, [text, big]);
      const rows = page.locator('.queue-item');
      await rows.nth(0).locator('[role=alert]').waitFor({ timeout: 60_000 });
      expect(await rows.nth(0).locator('[role=alert]').textContent()).toBe(detail);
      await rows.nth(1).locator('[role=alert]').waitFor({ timeout: 60_000 });
      expect(await rows.nth(1).locator('[role=alert]').textContent()).toBe(
        'The file is larger than the 330 MiB this server accepts.',
      );
      expect(await libraryTotal()).toBe(total);
      expect(await filesLeft(join(stack.dir, 'tmp', 'main-app', 'vidp-resumable'))).toEqual([]);
      await page.close();
    }, 120_000);

    it('finds nothing for a search without a word, everything for an empty one, and refuses an unknown filter', async () => {
      const cookie = await signInCookie(base());
      const wordless = await fetch(`${base()}/api/videos?q=%3F%21`, { headers: { cookie } });
      expect(wordless.status).toBe(200);
      expect(((await wordless.json()) as { total: number }).total).toBe(0);
      const empty = await fetch(`${base()}/api/videos?q=%20`, { headers: { cookie } });
      expect(empty.status).toBe(200);
      expect(((await empty.json()) as { total: number }).total).toBe(await libraryTotal());
      const unknown = await fetch(`${base()}/api/videos?colour=red`, { headers: { cookie } });
      expect(unknown.status).toBe(400);
    });
  });

  it('refuses every data route to a signed-out visitor, and to a forged session', async () => {
    const id = videoId;
    const routes: [string, string][] = [
      ['GET', '/api/videos'],
      ['GET', `/api/videos/${id}`],
      ['DELETE', `/api/videos/${id}`],
      ['POST', `/api/videos/${id}/cancel`],
      ['GET', `/api/videos/${id}/events`],
      ['GET', `/api/videos/${id}/transcript`],
      ['GET', `/api/videos/${id}/original`],
      ['HEAD', `/api/videos/${id}/original`],
      ['GET', `/api/videos/${id}/outputs/downscale/poster`],
      ['GET', `/api/videos/${id}/outputs/subtitle/subtitles.vtt`],
      ['GET', `/api/videos/${id}/results/langscale`],
      ['POST', '/api/uploads'],
      ['HEAD', '/api/uploads/0123456789abcdef'],
      ['PATCH', '/api/uploads/0123456789abcdef'],
      ['DELETE', '/api/uploads/0123456789abcdef'],
    ];
    for (const cookie of [undefined, 'vidp_session=Fe26.2*1*forged*cookie', 'vidp_session=']) {
      for (const [method, path] of routes) {
        const res = await fetch(`${base()}${path}`, { method, headers: cookie ? { cookie } : {} });
        expect(res.status, `${method} ${path} with ${cookie ?? 'no cookie'}`).toBe(401);
      }
      for (const path of ['/', '/library', '/upload', `/videos/${id}`]) {
        const res = await fetch(`${base()}${path}`, {
          redirect: 'manual',
          headers: cookie ? { cookie } : {},
        });
        expect(res.status, path).toBe(307);
        expect(res.headers.get('location')).toContain('/signin?next=');
      }
    }
    // The video is still there, and a signed-in request from another site is refused too.
    const cookie = await signInCookie(base());
    const cross = await fetch(`${base()}/api/videos/${id}`, {
      method: 'DELETE',
      headers: { cookie, origin: 'http://evil.example' },
    });
    expect(cross.status).toBe(403);
    expect((await fetch(`${api()}/api/videos/${id}`, { headers: apiHeaders })).status).toBe(200);
  });

  it('never lets the API key reach the browser', () => {
    expect(seenBodies.length).toBeGreaterThan(20);
    for (const body of seenBodies) expect(body).not.toContain(TEST_API_KEY);
  });

  it('has no serious or critical accessibility violation on any page, light or dark', async () => {
    const anonymous = await browser.newContext();
    const signedOut = await anonymous.newPage();
    const page = await context.newPage();
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await signedOut.emulateMedia({ colorScheme: scheme });
      await signedOut.goto(`${base()}/signin`);
      found.push(...(await seriousA11yViolations(signedOut)).map((v) => `signin/${scheme}: ${v}`));
      await page.emulateMedia({ colorScheme: scheme });
      for (const [path, ready] of [
        ['/upload', '.dropzone'],
        ['/library', '.grid .card[data-video-id]'],
        [`/videos/${videoId}`, '.transcript .cue'],
      ] as const) {
        await page.goto(`${base()}${path}`);
        // Not "network idle": a video page keeps loading media.
        await page.locator(ready).first().waitFor();
        await page.waitForTimeout(500);
        found.push(...(await seriousA11yViolations(page)).map((v) => `${path}/${scheme}: ${v}`));
      }
    }
    await anonymous.close();
    await page.close();
    expect(found).toEqual([]);
  }, 180_000);
});
