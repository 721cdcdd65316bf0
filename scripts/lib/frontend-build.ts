// Builds the web app once (`next build`, standalone output) and again only when its inputs
// change: a hash of its sources, config and the lockfile is kept beside the build (outside git).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const frontendDir = join(repoRoot, 'frontend');
/** The standalone server: `node <this>` runs the web app with nothing else installed. */
export const frontendServer = join(frontendDir, '.next', 'standalone', 'frontend', 'server.js');
const stampFile = join(frontendDir, '.next', 'vidp-build.sha256');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** What the build depends on: a change in any of these means a new build. */
async function inputsHash(): Promise<string> {
  const files = [
    ...(await filesUnder(join(frontendDir, 'src'))),
    ...(await filesUnder(join(frontendDir, 'public'))),
    join(frontendDir, 'next.config.ts'),
    join(frontendDir, 'package.json'),
    join(frontendDir, 'tsconfig.json'),
    join(repoRoot, 'package-lock.json'),
  ].sort();
  const h = createHash('sha256');
  for (const f of files) {
    h.update(relative(repoRoot, f));
    h.update(await readFile(f));
  }
  return h.digest('hex');
}

/** Builds the web app unless the build on disk was made from the same inputs. Returns true if it built. */
export async function ensureFrontendBuild(log: (s: string) => void = console.log): Promise<boolean> {
  const want = await inputsHash();
  const have = existsSync(stampFile) ? (await readFile(stampFile, 'utf8')).trim() : '';
  if (have === want && existsSync(frontendServer)) return false;
  log('building the web app (next build; once, then only when it changes)...');
  const started = Date.now();
  const next = join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
  const r = spawnSync(process.execPath, [next, 'build'], {
    cwd: frontendDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`next build failed:\n${r.stdout}\n${r.stderr}`);
  // The standalone server does not copy these (Next.js leaves them to a CDN); it serves them if present.
  const standalone = join(frontendDir, '.next', 'standalone', 'frontend');
  await rm(join(standalone, '.next', 'static'), { recursive: true, force: true });
  await cp(join(frontendDir, '.next', 'static'), join(standalone, '.next', 'static'), { recursive: true });
  await rm(join(standalone, 'public'), { recursive: true, force: true });
  await cp(join(frontendDir, 'public'), join(standalone, 'public'), { recursive: true });
  await writeFile(stampFile, `${want}\n`);
  log(`built the web app in ${Math.round((Date.now() - started) / 1000)} s`);
  return true;
}
