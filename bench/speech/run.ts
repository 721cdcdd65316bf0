// bench/speech: (1) real-time factor of the subtitle service through Dapr vs the whisper.cpp
// binding (@napi-rs/whisper) called directly on the same audio, alternating, in one run, with the
// overhead ratio (target ≤ 10 %); (2) langscale's accuracy on English speech (LibriVox, JFK) and
// on synthetic speech in other languages (espeak-ng voices, festival's Italian voice) when those
// Debian packages are installed.
//   npm run bench:speech        (BENCH_RUNS=3 by default)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '@vidp/local-stack';
import { filePart, invokeMultipart, Sidecar } from '@vidp/service-kit';
import { chunkRegions, detectSpeech, extractPcm, frameEnergies, readPcm, SAMPLE_RATE } from '@vidp/speech';
import * as fx from '../../packages/speech/test/fixtures.js';
import { median, printTable } from '../lib/report.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const threads = 2;

interface NapiWhisper {
  Whisper: new (model: string) => { full(params: unknown, pcm: Float32Array): string };
  WhisperFullParams: new (s: number) => Record<string, unknown>;
  WhisperSamplingStrategy: { Greedy: number };
}
const W = createRequire(import.meta.url)('@napi-rs/whisper') as NapiWhisper;

/** Sentences per language, spoken by espeak-ng (or festival for Italian). */
const SAMPLES: Array<{ lang: string; voice: string; tts: 'espeak-ng' | 'festival'; text: string }> = [
  {
    lang: 'fr',
    voice: 'fr',
    tts: 'espeak-ng',
    text: "Bonjour à tous. Aujourd'hui nous allons parler de la ville, de ses rues anciennes et de ses marchés du dimanche.",
  },
  {
    lang: 'de',
    voice: 'de',
    tts: 'espeak-ng',
    text: 'Guten Morgen. Heute erzähle ich euch von unserer Reise in die Berge und von dem langen Weg zurück nach Hause.',
  },
  {
    lang: 'es',
    voice: 'es',
    tts: 'espeak-ng',
    text: 'Buenos días a todos. Hoy vamos a hablar de la historia de esta ciudad y de las personas que viven aquí.',
  },
  {
    lang: 'it',
    voice: 'it',
    tts: 'espeak-ng',
    text: 'Buongiorno a tutti. Oggi parliamo della nostra città, delle sue piazze antiche e dei mercati della domenica.',
  },
  {
    lang: 'pt',
    voice: 'pt',
    tts: 'espeak-ng',
    text: 'Bom dia a todos. Hoje vamos falar sobre a história desta cidade e das pessoas que vivem aqui há muitos anos.',
  },
  {
    lang: 'nl',
    voice: 'nl',
    tts: 'espeak-ng',
    text: 'Goedemorgen allemaal. Vandaag praten we over de geschiedenis van deze stad en de mensen die hier wonen.',
  },
  {
    lang: 'pl',
    voice: 'pl',
    tts: 'espeak-ng',
    text: 'Dzień dobry wszystkim. Dzisiaj opowiem wam o naszej podróży w góry i o długiej drodze do domu.',
  },
  {
    lang: 'ru',
    voice: 'ru',
    tts: 'espeak-ng',
    text: 'Доброе утро всем. Сегодня мы поговорим об истории этого города и о людях, которые здесь живут.',
  },
  {
    lang: 'it',
    voice: 'voice_pc_diphone',
    tts: 'festival',
    text: 'Buongiorno a tutti. Oggi parliamo della nostra città e delle persone che vivono qui da molti anni.',
  },
];

const dir = await mkdtemp(join(tmpdir(), 'vidp-bench-speech-'));
const stack = await startStack({
  apps: [
    {
      app: 'subtitle',
      appId: 'subtitle',
      env: { WHISPER_MODEL: fx.MODEL_PATH, WHISPER_THREADS: String(threads) },
    },
    {
      app: 'langscale',
      appId: 'langscale',
      env: { WHISPER_MODEL: fx.MODEL_PATH, WHISPER_THREADS: String(threads) },
    },
  ],
});
try {
  const sidecar = await stack.startSidecar('bench-client');
  const client = new Sidecar({ host: '127.0.0.1', httpPort: sidecar.httpPort });
  for (const id of ['subtitle', 'langscale']) {
    const url = stack.get(id).app.url;
    while ((await fetch(`${url}/ready`).then((r) => r.status)) !== 200)
      await new Promise((r) => setTimeout(r, 200));
  }

  // (1) Real-time factor: the same LibriVox audio, service vs binding.
  const video = fx.speechVideo(
    dir,
    'librivox.mkv',
    fx.librivox().map((u) => u.wav),
  );
  const pcmFile = await extractPcm(video, join(dir, 'librivox.f32'));
  const pcm = await readPcm(pcmFile.path, 0, pcmFile.samples);
  const whisper = new W.Whisper(fx.MODEL_PATH);
  const direct = () => {
    const p = new W.WhisperFullParams(W.WhisperSamplingStrategy.Greedy);
    Object.assign(p, { nThreads: threads, language: 'en', noContext: true, printProgress: false });
    const t0 = process.hrtime.bigint();
    whisper.full(p, pcm);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const service = async () => {
    const t0 = process.hrtime.bigint();
    const res = await invokeMultipart(client, 'subtitle', 'api/subtitles/upload', [
      { name: 'language', value: 'en' },
      await filePart('file', video, 'video/x-matroska'),
    ]);
    if (res.status !== 200) throw new Error(`subtitle answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  // The same speech chunks the service hands to the engine, with the same parameters: what is
  // left between this and the service is the service's own cost (upload, Dapr, decode, VAD, IPC, cues).
  const chunks = chunkRegions(detectSpeech(await frameEnergies(pcmFile.path)), 28).map((c) =>
    pcm.subarray(Math.floor(c.start * SAMPLE_RATE), Math.floor(c.end * SAMPLE_RATE)),
  );
  const directChunks = () => {
    const t0 = process.hrtime.bigint();
    for (const chunk of chunks) {
      const p = new W.WhisperFullParams(W.WhisperSamplingStrategy.Greedy);
      Object.assign(p, {
        nThreads: threads,
        language: 'en',
        noContext: true,
        suppressBlank: true,
        suppressNonSpeechTokens: true,
        printProgress: false,
        tokenTimestamps: true,
        maxLen: 42,
        splitOnWord: true,
      });
      whisper.full(p, chunk);
    }
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  direct(); // warm-up (page cache, CPU caches), not counted
  const times = { direct: [] as number[], chunks: [] as number[], service: [] as number[] };
  for (let i = 0; i < runs; i++) {
    times.direct.push(direct());
    times.chunks.push(directChunks());
    times.service.push(await service());
  }
  const audio = pcmFile.seconds;
  const d = median(times.direct);
  const c = median(times.chunks);
  const s = median(times.service);
  printTable(
    `Real-time factor on ${audio.toFixed(1)} s of LibriVox speech (${runs} runs each, median, ${threads} threads)`,
    [
      { path: 'binding direct (@napi-rs/whisper full)', seconds: d.toFixed(2), rtf: (d / audio).toFixed(3) },
      {
        path: `binding direct on the service's ${chunks.length} speech chunks`,
        seconds: c.toFixed(2),
        rtf: (c / audio).toFixed(3),
      },
      { path: 'subtitle service through Dapr', seconds: s.toFixed(2), rtf: (s / audio).toFixed(3) },
    ],
  );
  console.log(
    `service / binding on the same chunks = ${(s / c).toFixed(3)} (overhead ${((s / c - 1) * 100).toFixed(1)} %, target ≤ 10 %)`,
  );
  console.log(`service / binding on the whole file = ${(s / d).toFixed(3)}`);

  // (2) Language detection accuracy.
  const cases: Array<{ name: string; file: string; expected: string }> = [
    { name: 'LibriVox (5 sentences, human)', file: video, expected: 'en' },
    { name: 'JFK (human)', file: fx.speechVideo(dir, 'jfk.mp4', [fx.JFK_WAV]), expected: 'en' },
  ];
  for (const [i, sample] of SAMPLES.entries()) {
    const wav = join(dir, `tts-${i}.wav`);
    try {
      if (sample.tts === 'espeak-ng')
        execFileSync('espeak-ng', ['-v', sample.voice, '-s', '150', '-w', wav, sample.text]);
      else {
        const txt = join(dir, `tts-${i}.txt`);
        await writeFile(txt, sample.text, 'latin1');
        execFileSync('text2wave', ['-eval', `(${sample.voice})`, '-o', wav, txt]);
      }
    } catch {
      console.log(`(skipped ${sample.tts} ${sample.voice}: not installed)`);
      continue;
    }
    if (!existsSync(wav)) continue;
    cases.push({
      name: `${sample.tts} ${sample.voice} (synthetic)`,
      file: fx.speechVideo(dir, `tts-${i}.mp4`, [wav]),
      expected: sample.lang,
    });
  }
  const rows: Record<string, string | number>[] = [];
  let correct = 0;
  for (const c of cases) {
    const res = await invokeMultipart(client, 'langscale', 'api/detect/upload', [
      await filePart('file', c.file, 'video/mp4'),
    ]);
    const body = (await res.json()) as {
      language: string | null;
      confidence: number;
      cross_check?: { language: string | null };
    };
    const ok = body.language === c.expected;
    if (ok) correct++;
    rows.push({
      sample: c.name,
      expected: c.expected,
      detected: body.language ?? 'no speech',
      confidence: body.confidence,
      franc: body.cross_check?.language ?? '-',
      ok: ok ? 'yes' : 'no',
    });
  }
  printTable('Spoken-language detection (langscale through Dapr)', rows);
  console.log(`accuracy: ${correct}/${cases.length}`);
  const { size } = await stat(fx.MODEL_PATH);
  console.log(`model: ${fx.MODEL_PATH.split('/').pop()} (${(size / 1e6).toFixed(1)} MB)`);
} finally {
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
