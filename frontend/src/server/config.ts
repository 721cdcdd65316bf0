import { z } from 'zod';

/** The web app's settings, all from the environment (documented in frontend/README.md). */
const schema = z.object({
  /** This app's own Dapr sidecar: every call to main-app and to the secret store goes through it. */
  DAPR_HOST: z.string().default('127.0.0.1'),
  DAPR_HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(3500),
  /** Set when the sidecar requires an API token (Kubernetes `dapr-api-token` secret). */
  DAPR_API_TOKEN: z.string().optional(),
  MAIN_APP_ID: z.string().min(1).default('main-app'),
  SECRET_STORE: z.string().min(1).default('vidp-secrets'),
  /** Secret holding main-app's API key (comma-separated keys: the first is used). */
  API_KEY_SECRET: z.string().min(1).default('vidp-api-key'),
  /** Secret holding the sign-in password of the web app. */
  WEB_PASSWORD_SECRET: z.string().min(1).default('vidp-web-password'),
  /** Secret holding the key that seals session cookies (32+ characters). */
  SESSION_SECRET: z.string().min(1).default('vidp-session-secret'),
  /** `true` behind HTTPS: the session cookie is then sent over HTTPS only. */
  SESSION_COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  SESSION_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 90)
    .default(24 * 7),
});

export type FrontendConfig = z.infer<typeof schema>;

let cached: FrontendConfig | undefined;

/** Parsed once; a bad value stops the server at start (see instrumentation.ts) with the variable named. */
export function config(): FrontendConfig {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`invalid web app configuration: ${why}`);
    }
    cached = parsed.data;
  }
  return cached;
}
