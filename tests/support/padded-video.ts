// Large but valid test videos without large encodes: a tiny MP4 followed by an MP4 `free` box
// (which every demuxer skips) holding pseudo-random bytes. Written as a stream, hashed on the
// way: nothing of it is ever held in memory whole.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { makeVideo } from './media.js';

const CHUNK = 1024 * 1024;

/** Writes a `totalBytes` MP4 (no audio, `seconds` long) at `path`; returns its SHA-256. */
export async function writePaddedVideo(
  path: string,
  totalBytes: number,
  seed: string,
  seconds = 2,
): Promise<{ path: string; size: number; sha256: string }> {
  const small = makeVideo(dirname(path), `${basename(path)}.head.mp4`, {
    seconds,
    audio: false,
    faststart: true,
  });
  const head = await readFile(small);
  await rm(small, { force: true });
  const boxSize = totalBytes - head.length;
  if (boxSize < 8 || boxSize > 0xffffffff) throw new Error(`cannot pad to ${totalBytes} bytes`);
  const box = Buffer.alloc(8);
  box.writeUInt32BE(boxSize, 0);
  box.write('free', 4, 'latin1');
  // AES-CTR over zeros: fast, reproducible from the seed, incompressible.
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  const write = (b: Buffer) =>
    new Promise<void>((resolve, reject) => {
      hash.update(b);
      out.write(b, (err) => (err ? reject(err) : resolve()));
    });
  await write(head);
  await write(box);
  const zeros = Buffer.alloc(CHUNK);
  for (let left = boxSize - 8; left > 0; left -= CHUNK) {
    await write(cipher.update(left >= CHUNK ? zeros : zeros.subarray(0, left)));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return { path, size: totalBytes, sha256: hash.digest('hex') };
}
