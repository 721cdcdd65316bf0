import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const appSchema = z.object({
  appID: z.string(),
  appDirPath: z.string(),
  appPort: z.number().int(),
  daprHTTPPort: z.number().int(),
  daprGRPCPort: z.number().int(),
  metricsPort: z.number().int(),
  command: z.array(z.string()).min(1),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  maxBodySize: z.string().optional(),
});

const runFileSchema = z.object({
  version: z.literal(1),
  common: z
    .object({
      resourcesPaths: z.array(z.string()).optional(),
      configFilePath: z.string().optional(),
      maxBodySize: z.string().optional(),
      logLevel: z.enum(['debug', 'info', 'warn', 'error']).optional(),
      env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    })
    .default({}),
  apps: z.array(appSchema).min(1),
});

export interface RunFileApp {
  appId: string;
  dir: string;
  appPort: number;
  daprHttpPort: number;
  daprGrpcPort: number;
  metricsPort: number;
  command: string[];
  env: Record<string, string>;
  resourcesPaths: string[];
  config?: string;
  maxBodySize: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

const strings = (r: Record<string, unknown> | undefined) =>
  Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, String(v)]));

/** Reads the Dapr CLI's multi-app run file; paths resolve against the file's folder, as the CLI does. */
export async function readRunFile(file: string): Promise<RunFileApp[]> {
  const base = dirname(resolve(file));
  const parsed = runFileSchema.parse(parse(await readFile(file, 'utf8')));
  const { common } = parsed;
  return parsed.apps.map((a) => ({
    appId: a.appID,
    dir: resolve(base, a.appDirPath),
    appPort: a.appPort,
    daprHttpPort: a.daprHTTPPort,
    daprGrpcPort: a.daprGRPCPort,
    metricsPort: a.metricsPort,
    command: a.command,
    env: { ...strings(common.env), ...strings(a.env) },
    resourcesPaths: (common.resourcesPaths ?? []).map((p) => resolve(base, p)),
    ...(common.configFilePath ? { config: resolve(base, common.configFilePath) } : {}),
    maxBodySize: a.maxBodySize ?? common.maxBodySize ?? '4Mi',
    logLevel: common.logLevel ?? 'warn',
  }));
}
