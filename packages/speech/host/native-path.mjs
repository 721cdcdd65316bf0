// Where provisioning (scripts/provision/whisper-native.sh) puts VidP's whisper.cpp binding: a
// folder tagged with the hash of the binding's sources, so a checkout only loads a module built
// from its own sources.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native');

/** The hash of every file of packages/speech/native (the binding's sources and patches), in name order. */
export function nativeTag() {
  const h = createHash('sha256');
  for (const f of readdirSync(nativeDir).sort()) h.update(readFileSync(join(nativeDir, f)));
  return h.digest('hex').slice(0, 16);
}

export function cpuTag() {
  const flags = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('flags'));
  return createHash('sha256')
    .update(`${flags ?? ''}\n`)
    .digest('hex')
    .slice(0, 16);
}

export function defaultNativeDir(env = process.env) {
  const cache = env.VIDP_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vidp');
  return join(cache, 'native', `vidp-whisper-${nativeTag()}`);
}
