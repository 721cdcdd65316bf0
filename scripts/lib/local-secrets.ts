// The local secret store's file (.vidp/secrets.json, git-ignored): generated on first run, and
// completed when a newer version needs a secret the file does not have yet. Never printed.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';

const GENERATED: Record<string, () => string> = {
  /** main-app's API key (the web app's server side and API clients send it). */
  'vidp-api-key': () => randomBytes(32).toString('base64url'),
  /** The web app's sign-in password: short enough to type. */
  'vidp-web-password': () => randomBytes(12).toString('base64url'),
  /** Seals the web app's session cookies. */
  'vidp-session-secret': () => randomBytes(32).toString('base64url'),
};

/** Adds any missing secret to `file`; returns the names it generated. */
export async function ensureLocalSecrets(file: string): Promise<string[]> {
  const current = existsSync(file)
    ? (JSON.parse(await readFile(file, 'utf8')) as Record<string, string>)
    : {};
  const added = Object.keys(GENERATED).filter((name) => !current[name]);
  if (!added.length) return [];
  for (const name of added) current[name] = (GENERATED[name] as () => string)();
  await writeFile(file, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return added;
}
