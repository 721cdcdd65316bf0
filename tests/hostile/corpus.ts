import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DARKNET_IMAGES } from '../support/animal-videos.js';
import { seeded } from '../support/catalog-docs.js';
import { makeVideo } from '../support/media.js';

export interface HostileFile {
  name: string;
  /** What the file is sent as: a name and a declared type, both meant to mislead. */
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** Bytes from a fixed seed: the same corpus every run. */
function noise(n: number, seed: number): Buffer {
  const rand = seeded(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
}

/** An unsigned 32-bit field of a box found by its four-letter type, `offset` bytes after the type. */
function patchBox(bytes: Buffer, type: string, offset: number, value: number): Buffer {
  const out = Buffer.from(bytes);
  const at = out.indexOf(type);
  if (at < 0) throw new Error(`no ${type} box`);
  out.writeUInt32BE(value, at + 4 + offset);
  return out;
}

/** An EBML element whose value is two bytes (ID, size 0x82, value): its value replaced. */
function patchEbml(bytes: Buffer, id: number, from: number, to: number): Buffer {
  const out = Buffer.from(bytes);
  const at = out.indexOf(Buffer.from([id, 0x82, from >> 8, from & 0xff]));
  if (at < 0) throw new Error(`no EBML element ${id.toString(16)} = ${from}`);
  out.writeUInt16BE(to, at + 2);
  return out;
}

/**
 * The hostile corpus, made here from nothing but ffmpeg's own test sources and a darknet
 * photo: every file is something a careless or malicious client could send. `outside` names
 * files outside every temp folder that the playlist-like files point at; a service that
 * read any of them would have been tricked into opening a local path.
 */
export async function hostileCorpus(
  dir: string,
  outside: { secret: string; fifo: string },
): Promise<HostileFile[]> {
  await mkdir(dir, { recursive: true });
  const video = await readFile(makeVideo(dir, 'clip.mp4', { seconds: 2 }));
  const faststart = await readFile(makeVideo(dir, 'clip-faststart.mp4', { seconds: 2, faststart: true }));
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc=size=256x256:rate=1', '-t', '1'],
    ...['-c:v', 'rawvideo', '-pix_fmt', 'gray', join(dir, 'raw.mkv')],
  ]);
  const raw = await readFile(join(dir, 'raw.mkv'));
  const playlist = [
    '#EXTM3U',
    '#EXT-X-TARGETDURATION:10',
    '#EXTINF:10,',
    `file:${outside.fifo}`,
    '#EXTINF:10,',
    outside.secret,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
  const moov = faststart.indexOf('moov');
  const corrupt = Buffer.from(faststart);
  noise(400, 7).copy(corrupt, moov + 60);
  const files: [string, string, string, Buffer][] = [
    ['zero bytes', 'empty.mp4', 'video/mp4', Buffer.alloc(0)],
    ['random bytes', 'random.mp4', 'video/mp4', noise(64 * 1024, 1)],
    // moov (the index) is at the end of a plain MP4: half the file has no index at all.
    ['a truncated MP4', 'truncated.mp4', 'video/mp4', video.subarray(0, Math.floor(video.length / 2))],
    ['an MP4 with a corrupt index', 'corrupt.mp4', 'video/mp4', corrupt],
    [
      'a 16000 x 16000 picture claimed by a 64 KB file',
      'huge.mkv',
      'video/x-matroska',
      patchEbml(patchEbml(raw, 0xb0, 256, 16000), 0xba, 256, 16000),
    ],
    // mvhd: timescale 1, duration 2^32 - 16 s: 136 years.
    [
      'a 2 s MP4 claiming to last 136 years',
      'long.mp4',
      'video/mp4',
      patchBox(patchBox(video, 'mvhd', 12, 1), 'mvhd', 16, 0xfffffff0),
    ],
    ['an HLS playlist of local files named .mp4', 'playlist.mp4', 'video/mp4', Buffer.from(playlist)],
    [
      'an ffconcat script of local files named .mp4',
      'concat.mp4',
      'video/mp4',
      Buffer.from(`ffconcat version 1.0\nfile '${outside.secret}'\nfile '${outside.fifo}'\n`),
    ],
    [
      'a polyglot: a playlist followed by a whole MP4',
      'polyglot.mp4',
      'video/mp4',
      Buffer.concat([Buffer.from(playlist), video]),
    ],
    [
      'a photo with a playlist hidden after it',
      'photo.mp4',
      'video/mp4',
      Buffer.concat([await readFile(join(DARKNET_IMAGES, 'dog.jpg')), Buffer.from(`\n${playlist}`)]),
    ],
    [
      'an HTML page declared as video/mp4',
      'clip.mp4',
      'video/mp4',
      Buffer.from('<!doctype html><title>x</title><script>alert(1)</script>'),
    ],
  ];
  return files.map(([name, filename, contentType, bytes]) => ({ name, filename, contentType, bytes }));
}

/** A secret file and a FIFO outside every temp folder; `opened` settles if anyone opens the FIFO. */
export async function canaries(dir: string) {
  await mkdir(dir, { recursive: true });
  const token = `canary-${randomBytes(12).toString('hex')}`;
  const secret = join(dir, 'secret.txt');
  await writeFile(secret, `${token}\n`);
  const fifo = join(dir, 'canary.fifo');
  execFileSync('mkfifo', [fifo]);
  return { token, secret, fifo };
}
