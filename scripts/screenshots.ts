// `npm run screenshots`: pictures of the web app from the real local stack (main-app and the four
// real processors with their sidecars), in Debian's Chromium: the upload page mid-upload, the
// library and the video page, light and dark, desktop and phone, into docs/screenshots/.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import type { Browser, Page } from 'playwright-core';
import { JFK_WAV, LIBRIVOX_DIR } from '../packages/speech/test/fixtures.ts';
import { renderVideo } from '../tests/support/animal-videos.ts';
import { FRONTEND_SECRETS, type RunningFrontend, startFrontend } from '../tests/support/frontend.ts';
import { writePaddedVideo } from '../tests/support/padded-video.ts';
import { launchChromium, network, signedInContext } from '../tests/support/web-browser.ts';

const out = join(import.meta.dirname, '..', 'docs', 'screenshots');
const headers = { 'x-api-key': TEST_API_KEY };
const DEVICES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
} as const;

async function upload(api: string, path: string, title: string): Promise<string> {
  const form = new FormData();
  form.append('title', title);
  form.append('file', new File([await readFile(path)], path.split('/').pop()!));
  const res = await fetch(`${api}/api/videos`, { method: 'POST', body: form, headers });
  if (!res.ok) throw new Error(`upload of ${title}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { video: { id: string } }).video.id;
}

function withSpeech(video: string, speech: string, outPath: string): string {
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-i', video, '-i', speech],
    ...['-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', outPath],
  ]);
  return outPath;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
  console.log(`  docs/screenshots/${name}.png`);
}

/**
 * Waits until the player shows the picture at its start time. With `preload="metadata"` Chromium
 * may stop at the metadata after the seek and paint no frame (seen in the second context of a
 * run), so a muted play and pause (sound back on after) asks it for the frame.
 */
async function showFrameAtStart(page: Page): Promise<void> {
  // Polled, with no named function inside: tsx would wrap one in a helper the page lacks.
  await page.waitForFunction(
    () => {
      const v = document.querySelector('video');
      return !!v && v.readyState >= 1 && v.currentTime > 0 && !v.seeking;
    },
    undefined,
    { timeout: 60_000 },
  );
  await page.locator('video').evaluate(async (v: HTMLVideoElement) => {
    if (v.readyState >= 2) return;
    v.muted = true;
    await v.play();
    v.pause();
    v.muted = false;
  });
  await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 2, undefined, {
    timeout: 60_000,
  });
}

let stack: Stack | undefined;
let web: RunningFrontend | undefined;
let browser: Browser | undefined;
try {
  await mkdir(out, { recursive: true });
  stack = await startStack({
    mongo: true,
    secrets: FRONTEND_SECRETS,
    apps: [
      { app: 'main-app', appId: 'main-app', env: { ORCH_POLL_MS: '300' } },
      { app: 'langscale', appId: 'langscale' },
      { app: 'subtitle', appId: 'subtitle' },
      { app: 'animal-detect', appId: 'animal-detect' },
      { app: 'downscale', appId: 'downscale' },
    ],
  });
  web = await startFrontend(stack);
  const api = stack.get('main-app').app.url;
  for (const id of stack.apps.keys()) {
    await waitUntil(
      `${id} ready`,
      async () => (await fetch(`${stack!.get(id).app.url}/ready`)).ok,
      180_000,
      250,
    );
  }
  const media = join(stack.dir, 'media');
  await mkdir(media);
  // Real photos (Debian's darknet samples) and real speech (JFK, LibriVox).
  const dog = join(media, 'dog.mp4');
  await renderVideo(
    [
      { image: 'kite.jpg', seconds: 4, motion: 'still', animals: [] },
      { image: 'dog.jpg', seconds: 7, motion: 'pan', animals: ['dog'] },
    ],
    dog,
  );
  const safari = join(media, 'safari.mp4');
  await renderVideo(
    [
      { image: 'horses.jpg', seconds: 6, motion: 'pan', animals: ['horse'] },
      { image: 'giraffe.jpg', seconds: 6, motion: 'pan', animals: ['giraffe', 'zebra'] },
      { image: 'eagle.jpg', seconds: 5, motion: 'still', animals: ['bird'] },
    ],
    safari,
  );
  const librivox = join(LIBRIVOX_DIR, 'sense_and_sensibility_01_austen_64kb-0870.wav');
  const ids = [
    await upload(api, withSpeech(dog, JFK_WAV, join(media, 'jfk-dog.mp4')), 'Ask not: JFK, and a dog'),
    await upload(
      api,
      withSpeech(safari, librivox, join(media, 'safari-reading.mp4')),
      'Horses, a giraffe and an eagle',
    ),
    await upload(api, safari, 'Safari (no sound)'),
  ];
  for (const id of ids) {
    await waitUntil(
      `video ${id} to be processed`,
      async () =>
        ((await (await fetch(`${api}/api/videos/${id}`, { headers })).json()) as { status: string })
          .status !== 'processing',
      600_000,
      1000,
    );
  }
  browser = await launchChromium();
  let seed = 0;
  for (const [device, opts] of Object.entries(DEVICES)) {
    for (const scheme of ['light', 'dark'] as const) {
      const context = await signedInContext(browser, web.url, { ...opts, colorScheme: scheme });
      const page = await context.newPage();

      // Upload, mid-way: a large file sent slowly.
      await page.goto(`${web.url}/upload`);
      const big = await writePaddedVideo(join(media, `big-${++seed}.mp4`), 120 * 1024 * 1024, `shot-${seed}`);
      await network(page, { uploadBytesPerSec: 3 * 1024 * 1024 });
      await page.locator('input[type=file]').setInputFiles(big.path);
      await page.waitForFunction(
        () => {
          const bar = document.querySelector('.queue-item progress') as HTMLProgressElement | null;
          return (
            bar &&
            bar.value / bar.max > 0.3 &&
            document.querySelector('.queue-facts')?.textContent?.includes('left')
          );
        },
        undefined,
        { timeout: 120_000 },
      );
      await shoot(page, `upload-${scheme}-${device}`);
      await page
        .getByRole('button', { name: /^Remove / })
        .first()
        .click();
      await network(page, { uploadBytesPerSec: -1 });

      await page.goto(`${web.url}/library`);
      await page.locator('.grid .card img').first().waitFor();
      await page.waitForLoadState('networkidle');
      await shoot(page, `library-${scheme}-${device}`);

      // The video page at a moment with the dog on screen and a subtitle line showing.
      await page.goto(`${web.url}/videos/${ids[0]}?t=6`);
      await showFrameAtStart(page);
      await page.locator('.cue[aria-current=true]').waitFor({ timeout: 30_000 });
      await page.waitForLoadState('networkidle');
      await shoot(page, `video-${scheme}-${device}`);
      await context.close();
    }
  }
} finally {
  await browser?.close();
  await web?.stop();
  await stack?.stop();
}
