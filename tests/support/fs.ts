import { readdir } from 'node:fs/promises';

/** Every file left below `dir` (recursively); empty means the service cleaned up. */
export async function filesLeft(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => `${e.parentPath}/${e.name}`);
}
