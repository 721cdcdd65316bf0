// bench/speech's clips at the engine level: the subtitle service's chunks (same voice activity,
// same planner, same options as the engine host) recognised by VidP's whisper.cpp module
// directly, with no service, upload or file decoding around it; wall and CPU seconds per call
// (CPU seconds hold up better than wall time on a shared machine), median of RUNS.
//   node --import tsx bench/speech/engine-probe.ts [beam ...]      (default: 1 5)
//   RUNS=3  CLIP=JFK|LibriVox|LibriVox+JFK  TEXT=1 (print the words)
//   WHISPER_NATIVE=<another vidp_whisper.node>  ALIGN=1 (the encoder's size before it was a multiple of 16)
//   THREADS=2  LANES=2 (the engine host's defaults; LANES=1 runs the chunks one after another)
//   SHARE=0 (a lane left alone keeps its own share of the threads instead of taking them all)
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  detectSpeech,
  extractPcm,
  frameEnergies,
  planChunks,
  readPcm,
  SAMPLE_RATE,
  wordErrorRate,
} from '@vidp/speech';
import * as fx from '../../packages/speech/test/fixtures.js';
import { median } from '../lib/report.js';

interface NativeTranscript {
  segments: Array<{ text: string }>;
}
interface Native {
  open(path: string, opts: { flashAttn: boolean }): unknown;
  transcribeMany(model: unknown, pcms: Float32Array[], opts: Record<string, unknown>): NativeTranscript[];
}

const require = createRequire(import.meta.url);
const { defaultNativeDir } = (await import(
  new URL('../../packages/speech/host/native-path.mjs', import.meta.url).href
)) as { defaultNativeDir: () => string };
const W = require(process.env.WHISPER_NATIVE || join(defaultNativeDir(), 'vidp_whisper.node')) as Native;
const beams = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1, 5];
const runs = Number(process.env.RUNS ?? 3);
const threads = Number(process.env.THREADS ?? 2);
const lanes = Number(process.env.LANES ?? 2);
const { fittedAudioCtx } = (await import(
  new URL('../../packages/speech/host/audio-ctx.mjs', import.meta.url).href
)) as { fittedAudioCtx: (samples: number) => number };
/** The engine host's encoder size, or with ALIGN=1 the size before it was a multiple of 16. */
const audioCtx = (samples: number) =>
  process.env.ALIGN === '1'
    ? Math.min(1500, Math.max(256, Math.ceil((samples / SAMPLE_RATE) * 50) + 64))
    : fittedAudioCtx(samples);

const dir = mkdtempSync(join(tmpdir(), 'vidp-engine-probe-'));
try {
  const libri = fx.librivox();
  const clips = [
    { name: 'JFK', wavs: [fx.JFK_WAV], reference: fx.JFK_TEXT },
    { name: 'LibriVox', wavs: libri.map((u) => u.wav), reference: libri.map((u) => u.text).join(' ') },
    {
      name: 'LibriVox+JFK',
      wavs: [...libri.map((u) => u.wav), fx.JFK_WAV],
      reference: [...libri.map((u) => u.text), fx.JFK_TEXT].join(' '),
    },
  ].filter((c) => !process.env.CLIP || c.name === process.env.CLIP);
  const model = W.open(fx.MODEL_PATH, { flashAttn: false });
  for (const clip of clips) {
    const file = fx.speechVideo(dir, `${clip.name}.mkv`, clip.wavs);
    const pcm = await extractPcm(file, join(dir, `${clip.name}.f32`));
    const energies = await frameEnergies(pcm.path);
    const chunks = planChunks(detectSpeech(energies), energies, { maxSeconds: 28, lanes: 2, minSeconds: 5 });
    const pcms = await Promise.all(
      chunks.map((c) =>
        readPcm(pcm.path, Math.floor(c.start * SAMPLE_RATE), Math.floor(c.end * SAMPLE_RATE)),
      ),
    );
    for (const beam of beams) {
      const walls: number[] = [];
      const cpus: number[] = [];
      let text = '';
      for (let r = 0; r < runs; r++) {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        const out = W.transcribeMany(model, pcms, {
          threads,
          lanes,
          shareThreads: process.env.SHARE !== '0',
          language: 'en',
          beamSize: beam,
          tokenTimestamps: true,
          maxLen: 42,
          splitOnWord: true,
          audioCtx: pcms.map((p) => audioCtx(p.length)),
        });
        walls.push(Number(process.hrtime.bigint() - t0) / 1e9);
        const c = process.cpuUsage(c0);
        cpus.push((c.user + c.system) / 1e6);
        text = out.map((t) => t.segments.map((s) => s.text).join('')).join(' ');
      }
      const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
      console.log(
        `${clip.name}, beam ${beam}, chunks ${chunks.map((c) => (c.end - c.start).toFixed(1)).join(' + ')} s: ` +
          `wall ${median(walls).toFixed(2)} s (${list(walls)}), CPU ${median(cpus).toFixed(2)} s (${list(cpus)}), ` +
          `WER ${(wordErrorRate(clip.reference, text) * 100).toFixed(1)} %`,
      );
      if (process.env.TEXT) console.log(`  ${text.trim()}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
