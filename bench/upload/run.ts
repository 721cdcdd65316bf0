// bench/upload: one large upload (default 1 GB) through main-app's API into GridFS, against
// a plain file copy of the same bytes on the same machine, in one run. Prints both
// throughputs, the ratio, and main-app's peak RSS (target: under 200 MB).
//   npm run bench:upload            (BENCH_MB=1024 by default)
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { peakRssBytes, type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { encodeMultipart, streamRequest } from '@vidp/service-kit';
import { makeVideo } from '../../tests/support/media.js';

const MiB = 1024 * 1024;
const sizeMb = Number(process.env.BENCH_MB ?? 1024);

/** A valid MP4 whose size is padded to `mb` by a free-form trailing box nobody reads. */
async function makeLargeMp4(dir: string, mb: number): Promise<string> {
  const small = makeVideo(dir, 'seed.mp4', { seconds: 2 });
  const out = join(dir, 'large.mp4');
  const seedSize = (await stat(small)).size;
  const pad = mb * MiB - seedSize;
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < block.length; i += 32) createHash('sha256').update(String(i)).digest().copy(block, i);
  await pipeline(
    (async function* () {
      for await (const chunk of createReadStream(small)) yield chunk;
      // A 'free' box of 64-bit size: [size=1][type][largesize][payload]
      const header = Buffer.alloc(16);
      header.writeUInt32BE(1, 0);
      header.write('free', 4);
      header.writeBigUInt64BE(BigInt(pad), 8);
      yield header;
      let left = pad - 16;
      while (left > 0) {
        const n = Math.min(left, block.length);
        yield block.subarray(0, n);
        left -= n;
      }
    })(),
    createWriteStream(out),
  );
  return out;
}

let stack: Stack | undefined;
try {
  stack = await startStack({
    mongo: true,
    apps: [
      {
        app: 'main-app',
        appId: 'main-app',
        env: { MAX_UPLOAD_BYTES: String((sizeMb + 64) * MiB), LOG_LEVEL: 'warn' },
      },
    ],
  });
  const dir = join(stack.dir, 'bench');
  await mkdir(dir);
  const file = await makeLargeMp4(dir, sizeMb);
  const api = stack.get('main-app').app.url;
  await waitUntil('main-app ready', async () => (await fetch(`${api}/ready`)).status === 200, 30_000, 200);

  let t = process.hrtime.bigint();
  await pipeline(createReadStream(file), createWriteStream(join(dir, 'copy.mp4')));
  const copySec = Number(process.hrtime.bigint() - t) / 1e9;
  await rm(join(dir, 'copy.mp4'));

  const { contentType, body } = encodeMultipart([
    { name: 'tasks', value: 'downscale' },
    { name: 'file', filename: 'large.mp4', contentType: 'video/mp4', open: () => createReadStream(file) },
  ]);
  t = process.hrtime.bigint();
  const res = await streamRequest(
    `${api}/api/videos`,
    { 'content-type': contentType, 'x-api-key': TEST_API_KEY },
    body,
  );
  const answer = (await res.json()) as { video?: { size: number } };
  const uploadSec = Number(process.hrtime.bigint() - t) / 1e9;
  if (res.status !== 201 || answer.video?.size !== sizeMb * MiB)
    throw new Error(`upload failed: ${res.status} ${JSON.stringify(answer)}`);

  const rss = await peakRssBytes(stack.get('main-app').app.process.pid);
  console.log(`\nbench/upload: ${sizeMb} MB`);
  console.table([
    {
      path: 'plain file copy (same disk)',
      seconds: copySec.toFixed(1),
      'MB/s': (sizeMb / copySec).toFixed(1),
    },
    {
      path: 'POST /api/videos -> probe -> GridFS',
      seconds: uploadSec.toFixed(1),
      'MB/s': (sizeMb / uploadSec).toFixed(1),
    },
  ]);
  console.log(`ratio upload/copy = ${(copySec / uploadSec).toFixed(3)}`);
  console.log(
    `main-app peak RSS = ${(rss / MiB).toFixed(0)} MB (target < 200 MB: ${rss < 200 * MiB ? 'met' : 'NOT met'})`,
  );
} finally {
  await stack?.stop();
}
