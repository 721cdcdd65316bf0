import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Integration tests run the apps as built bundles: build them once per test run (fast). */
export default function setup(): void {
  execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../scripts/build.ts')], {
    stdio: 'inherit',
  });
}
