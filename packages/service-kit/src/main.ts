import { z } from 'zod';
import { baseConfigSchema, ConfigError } from './config.js';

/** The base schema with this service's name and port as defaults. */
export function serviceConfigSchema(name: string, port: number) {
  return baseConfigSchema.extend({
    SERVICE_NAME: z.string().min(1).default(name),
    PORT: z.coerce.number().int().min(1).max(65535).default(port),
  });
}

/** Entry-point wrapper: a configuration error is printed plainly and exits 1. */
export function runMain(start: () => Promise<unknown>): void {
  start().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
    } else {
      process.stderr.write(`failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exit(1);
  });
}
