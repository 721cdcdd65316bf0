// bench/downscale/tune: the measurements behind the downscale defaults (README, downscale).
// On a 10 s 1080p source of real photographs with grain:
//   1. x264 presets at 720p, CRF 23: encode speed, size, SSIM against the source scaled alike;
//   2. CRF per rung at the chosen preset: size and SSIM, to pick the CRF that keeps SSIM >= 0.98.
//   3. AAC: how much of the spectrum each audio bitrate keeps.
//   npm run bench:downscale:tune      (BENCH_TUNE_PRESET=veryfast for step 2,
//                                      BENCH_TUNE_STEPS=presets,crf,audio by default)
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { printTable } from '../lib/report.js';
import { benchSource, cacheDir, run } from './media.js';

const source = await benchSource(10);
const ff = ['-hide_banner', '-nostdin', '-y'];

async function encode(height: number, preset: string, crf: number) {
  const out = join(cacheDir, `tune-${height}-${preset}-${crf}.mp4`);
  const t0 = performance.now();
  await run('ffmpeg', [
    ...ff,
    '-loglevel',
    'error',
    '-i',
    source,
    '-vf',
    `scale=-2:${height}`,
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    preset,
    '-crf',
    String(crf),
    out,
  ]);
  const seconds = (performance.now() - t0) / 1000;
  const { size } = await stat(out);
  const { stderr } = await run('ffmpeg', [
    ...ff,
    '-loglevel',
    'info',
    '-i',
    out,
    '-i',
    source,
    '-lavfi',
    `[1:v]scale=-2:${height}[ref];[0:v][ref]ssim`,
    '-f',
    'null',
    '-',
  ]);
  const ssim = Number(/All:([\d.]+)/.exec(stderr)?.[1]);
  return { seconds, kbps: (size * 8) / 10 / 1000, ssim };
}

const steps = new Set((process.env.BENCH_TUNE_STEPS ?? 'presets,crf,audio').split(','));
const presets = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'];
if (steps.has('presets')) {
  const rows = [];
  for (const preset of presets) {
    const r = await encode(720, preset, 23);
    rows.push({
      preset,
      'encode s (10 s of 720p)': r.seconds.toFixed(2),
      'x realtime': (10 / r.seconds).toFixed(2),
      kbps: r.kbps.toFixed(0),
      SSIM: r.ssim.toFixed(4),
    });
  }
  printTable('x264 presets at 720p, CRF 23 (10 s 1080p source, real photographs with grain)', rows);
}

if (steps.has('crf')) {
  const preset = process.env.BENCH_TUNE_PRESET ?? 'veryfast';
  const crfRows = [];
  for (const height of [1080, 720, 480, 360, 240]) {
    for (const crf of [19, 21, 23, 25, 27]) {
      const r = await encode(height, preset, crf);
      crfRows.push({
        height,
        crf,
        kbps: r.kbps.toFixed(0),
        SSIM: r.ssim.toFixed(4),
        'encode s': r.seconds.toFixed(2),
      });
    }
  }
  printTable(`CRF per rung, preset ${preset}`, crfRows);
}

// 3. Audio: how much of the spectrum the AAC encoder keeps at each bitrate. It low-passes
// harder as the bitrate drops; stereo white noise shows where (energy above 12/15/17 kHz,
// in dB relative to the source: 0 = all kept).
if (steps.has('audio')) {
  const noise = join(cacheDir, 'noise.wav');
  await run('ffmpeg', [
    ...ff,
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'anoisesrc=d=10:c=white:r=48000:a=0.3',
    '-ac',
    '2',
    noise,
  ]);
  async function bandEnergy(file: string, hz: number) {
    const { stderr } = await run('ffmpeg', [
      ...ff,
      '-loglevel',
      'info',
      '-i',
      file,
      '-af',
      `highpass=f=${hz}:poles=2,highpass=f=${hz}:poles=2,volumedetect`,
      '-f',
      'null',
      '-',
    ]);
    return Number(/mean_volume: (-?[\d.]+) dB/.exec(stderr)?.[1]);
  }
  const bands = [12_000, 15_000, 17_000];
  const reference = await Promise.all(bands.map((hz) => bandEnergy(noise, hz)));
  const audioRows = [];
  for (const kbps of [64, 96, 128, 160, 192]) {
    const out = join(cacheDir, `tune-aac-${kbps}.m4a`);
    await run('ffmpeg', [...ff, '-loglevel', 'error', '-i', noise, '-c:a', 'aac', '-b:a', `${kbps}k`, out]);
    const kept = await Promise.all(bands.map((hz) => bandEnergy(out, hz)));
    audioRows.push({
      'AAC kbit/s (stereo)': kbps,
      ...Object.fromEntries(
        bands.map((hz, i) => [`> ${hz / 1000} kHz (dB)`, (kept[i]! - reference[i]!).toFixed(1)]),
      ),
    });
  }
  printTable('AAC bandwidth kept, relative to the source', audioRows);
}
