/// <reference lib="dom" />
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { makeVideo } from './media.js';

export interface BrowserCue {
  start: number;
  end: number;
  text: string;
}

const PAGE = `<!doctype html><meta charset="utf-8">
<video id="v" src="/v.webm" muted controls><track id="t" kind="subtitles" srclang="en" src="/s.vtt" default></video>`;

/**
 * Loads a WebVTT file as the <track> of a <video> in real (Debian) Chromium, as a viewer's
 * browser would, and returns the cues the browser parsed. Throws if the track fails to load.
 */
export async function cuesInBrowser(vtt: string, seconds = 5): Promise<BrowserCue[]> {
  const dir = await mkdtemp(join(tmpdir(), 'vidp-browser-'));
  const video = makeVideo(dir, 'v.webm', { seconds, audio: false, webm: true });
  const files: Record<string, [string, Buffer | string]> = {
    '/': ['text/html; charset=utf-8', PAGE],
    '/v.webm': ['video/webm', await readFile(video)],
    '/s.vtt': ['text/vtt; charset=utf-8', vtt],
  };
  const server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    return await page.evaluate(
      () =>
        new Promise<BrowserCue[]>((resolve, reject) => {
          const track = document.getElementById('t') as HTMLTrackElement;
          const done = () =>
            resolve(
              [...(track.track.cues ?? [])].map((c) => ({
                start: c.startTime,
                end: c.endTime,
                text: (c as VTTCue).text,
              })),
            );
          track.addEventListener('load', done);
          track.addEventListener('error', () => reject(new Error('the browser refused the WebVTT track')));
          track.track.mode = 'hidden';
          // It may have ended before the listeners were there: 2 is LOADED, 3 is ERROR.
          if (track.readyState === 2) done();
          if (track.readyState === 3) reject(new Error('the browser refused the WebVTT track'));
        }),
    );
  } finally {
    await browser.close();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
