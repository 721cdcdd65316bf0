/// <reference lib="dom" />
// Debian's Chromium driven by playwright-core (never a downloaded browser), for the web app's tests.
import { AxeBuilder } from '@axe-core/playwright';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type CDPSession,
  chromium,
  type Page,
} from 'playwright-core';
import { WEB_PASSWORD } from './frontend.js';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Signs in through the real sign-in page; the context then holds the session cookie. */
export async function signInThroughPage(page: Page, base: string, password = WEB_PASSWORD): Promise<void> {
  await page.goto(`${base}/signin`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signedInContext(
  browser: Browser,
  base: string,
  opts: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US', ...opts });
  const page = await context.newPage();
  await signInThroughPage(page, base);
  await page.waitForURL(/\/library/);
  await page.close();
  return context;
}

/**
 * The page's network, through the DevTools protocol: upload throughput (bytes/s, -1 for none)
 * and offline (the page sees navigator.onLine false and its requests fail). One session per
 * page holds both, so that neither setting undoes the other.
 */
export async function network(
  page: Page,
  opts: { uploadBytesPerSec?: number; offline?: boolean },
): Promise<void> {
  const state = sessions.get(page) ?? {
    cdp: await page.context().newCDPSession(page),
    upload: -1,
    offline: false,
  };
  if (!sessions.has(page)) {
    await state.cdp.send('Network.enable');
    sessions.set(page, state);
  }
  state.upload = opts.uploadBytesPerSec ?? state.upload;
  state.offline = opts.offline ?? state.offline;
  await state.cdp.send('Network.emulateNetworkConditions', {
    offline: state.offline,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: state.upload,
  });
}

const sessions = new WeakMap<Page, { cdp: CDPSession; upload: number; offline: boolean }>();

/** axe-core's serious and critical findings on the page as it is now (WCAG 2.x A and AA rules). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The page's <video> element state. */
export function videoState(page: Page) {
  return page.evaluate(() => {
    const v = document.querySelector('video') as HTMLVideoElement;
    const sub = [...v.textTracks].find((t) => t.kind === 'subtitles');
    return {
      currentTime: v.currentTime,
      paused: v.paused,
      readyState: v.readyState,
      src: v.currentSrc,
      subtitleMode: sub?.mode ?? null,
      activeCue: sub?.activeCues?.length ? (sub.activeCues[0] as VTTCue).text : null,
    };
  });
}
