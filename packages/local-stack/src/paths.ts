import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where provisioning puts built tools and models (outside git). Matches scripts/lib/common.sh. */
export const cacheDir =
  process.env.VIDP_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vidp');

/** Finds a tool in the provisioning cache, then on PATH; says how to get it if absent. */
export function findBinary(name: string): string {
  const candidates = [
    join(cacheDir, 'bin', name),
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, name)),
  ];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error(`${name} not found: run \`bash scripts/provision.sh\` first`);
  return found;
}
