import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Responses other than 2xx/3xx, plus socket errors and timeouts. */
  errors: number;
  p50ms: number;
  p95ms: number;
  p99ms: number;
  maxMs: number;
}

/**
 * wrk's Lua hooks: the paths are requested in turn on every connection, and `done`
 * prints the totals and wrk's own latency percentiles (HdrHistogram) as one JSON line.
 */
function script(paths: string[], headers: Record<string, string>): string {
  const lua = (s: string) => JSON.stringify(s);
  return `
local paths = { ${paths.map(lua).join(', ')} }
local headers = { ${Object.entries(headers)
    .map(([k, v]) => `[${lua(k)}] = ${lua(v)}`)
    .join(', ')} }
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%d,"us":%d,"errors":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
`;
}

/** One wrk run: `connections` clients for `seconds` against `base`, cycling through `paths`. */
export async function loadTest(opts: {
  base: string;
  paths: string[];
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  dir: string;
}): Promise<LoadResult> {
  const file = join(opts.dir, `wrk-${Date.now()}.lua`);
  await writeFile(file, script(opts.paths, opts.headers ?? {}));
  // One wrk thread: enough for 50 connections, and it leaves the second core to the server.
  const { stdout } = await run(
    'wrk',
    ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', '30s', '-s', file, opts.base],
    { maxBuffer: 1 << 20 },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const r = JSON.parse(line.slice(7)) as Record<string, number>;
  const ms = (us: number | undefined) => (us ?? 0) / 1000;
  return {
    requests: r.requests ?? 0,
    seconds: ms(r.us) / 1000,
    errors: r.errors ?? 0,
    p50ms: ms(r.p50),
    p95ms: ms(r.p95),
    p99ms: ms(r.p99),
    maxMs: ms(r.max),
  };
}
