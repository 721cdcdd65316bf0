import { join } from 'node:path';
import type { NextConfig } from 'next';

const config: NextConfig = {
  // One self-contained server (server.js + the node_modules it needs) for containers and the launcher.
  output: 'standalone',
  // The workspace root, so tracing finds the hoisted node_modules.
  outputFileTracingRoot: join(import.meta.dirname, '..'),
  poweredByHeader: false,
  reactStrictMode: true,
  // Type checking is `tsc -p frontend/tsconfig.json` in `npm test` (the repository's TypeScript).
  typescript: { ignoreBuildErrors: true },
  // Posters and frames come from main-app through our own routes; no image optimiser to run.
  images: { unoptimized: true },
};

export default config;
