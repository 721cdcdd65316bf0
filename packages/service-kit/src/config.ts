import { z } from 'zod';

/** Settings every service shares; each app extends this schema with its own. */
export const baseConfigSchema = z.object({
  SERVICE_NAME: z.string().min(1),
  PORT: z.coerce.number().int().min(1).max(65535),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DAPR_HOST: z.string().default('127.0.0.1'),
  DAPR_HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(3500),
  DAPR_API_TOKEN: z.string().optional(),
  /** Largest upload accepted by this service, in bytes (default 500 MiB, like the ingress). */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(500 * 1024 * 1024),
  /** Parent folder for per-request temp folders; always cleaned. */
  TMP_DIR: z.string().optional(),
  /** How long a stopping service waits for in-flight work before it exits. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Zipkin v2 spans endpoint; unset means spans stay local (ids still go into logs). */
  ZIPKIN_ENDPOINT: z.string().url().optional(),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

export class ConfigError extends Error {}

/**
 * Reads and validates configuration from the environment once, at start.
 * A bad value stops the process with every problem listed, instead of failing later.
 */
export function loadConfig<S extends z.ZodTypeAny>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i: z.ZodIssue) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  return parsed.data;
}
