import type { Server } from 'node:http';
import type { Express } from 'express';
import { type BaseConfig, baseConfigSchema } from '../src/config.js';

export function testConfig(overrides: Record<string, string> = {}): BaseConfig {
  return baseConfigSchema.parse({
    SERVICE_NAME: 'kit-test',
    PORT: '1',
    LOG_LEVEL: 'silent',
    // Nothing listens here: the sidecar check fails fast.
    DAPR_HTTP_PORT: '9',
    ...overrides,
  });
}

export async function listen(app: Express): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
