import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from './paths.js';

export const componentsDir = join(repoRoot, 'components');
export const daprConfigFile = join(repoRoot, 'dapr', 'config.yaml');

interface Resource {
  kind?: string;
  metadata?: { name?: string };
  spec?: { metadata?: { name: string; value: string }[]; policies?: { timeouts?: Record<string, string> } };
}

/**
 * Copies the project's Dapr resources into `outDir`, replacing component metadata
 * values by name (e.g. `redisHost`, `secretsFile`), so a test or a second stack
 * can run the very same components on its own ports and files.
 */
export async function renderResources(
  outDir: string,
  overrides: Record<string, string>,
  sourceDir = componentsDir,
  /** Resiliency timeouts replaced by policy name (`processing: 5s`), for fault tests. */
  timeouts: Record<string, string> = {},
): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const unknownTimeouts = new Set(Object.keys(timeouts));
  for (const file of (await readdir(sourceDir)).filter((f) => /\.ya?ml$/.test(f))) {
    const docs = parseAllDocuments(await readFile(join(sourceDir, file), 'utf8')).map(
      (d) => d.toJS() as Resource,
    );
    for (const doc of docs) {
      for (const item of doc?.spec?.metadata ?? []) {
        if (item.name in overrides) item.value = overrides[item.name] as string;
      }
      const policyTimeouts = doc?.kind === 'Resiliency' ? doc.spec?.policies?.timeouts : undefined;
      for (const [name, value] of Object.entries(timeouts)) {
        if (policyTimeouts && name in policyTimeouts) {
          policyTimeouts[name] = value;
          unknownTimeouts.delete(name);
        }
      }
    }
    await writeFile(join(outDir, file), docs.map((d) => stringify(d)).join('---\n'));
  }
  if (unknownTimeouts.size) throw new Error(`no resiliency timeout named ${[...unknownTimeouts].join(', ')}`);
  return outDir;
}

/**
 * The Dapr Configuration with tracing sent to `zipkinEndpoint` (or kept local when undefined)
 * and app ids resolved through a name-resolution file of this stack's own, so stacks
 * running side by side never answer for each other.
 */
export async function renderDaprConfig(
  outFile: string,
  zipkinEndpoint?: string,
  sourceFile = daprConfigFile,
): Promise<string> {
  const doc = parseAllDocuments(await readFile(sourceFile, 'utf8'))[0]?.toJS() as {
    spec: {
      tracing?: { samplingRate?: string; zipkin?: { endpointAddress: string } };
      nameResolution?: { configuration?: { connectionString?: string } };
    };
  };
  doc.spec.tracing = zipkinEndpoint
    ? { samplingRate: '1', zipkin: { endpointAddress: zipkinEndpoint } }
    : { samplingRate: '1' };
  if (!doc.spec.nameResolution?.configuration)
    throw new Error(`${sourceFile} has no nameResolution configuration`);
  doc.spec.nameResolution.configuration.connectionString = join(dirname(outFile), 'name-resolution.db');
  await writeFile(outFile, stringify(doc));
  return outFile;
}
