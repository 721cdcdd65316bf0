// The Whisper engine host: one child process per service holds the model (loaded once) and runs
// one job at a time. The whisper.cpp calls are synchronous, so they run here and never block the
// service's HTTP event loop; a cancelled job is stopped by ending this process.
//
// Binding: VidP's own whisper.cpp module when provisioning built it (language probabilities,
// beam search, encoder sized to the audio), else the prebuilt @napi-rs/whisper.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fittedAudioCtx } from './audio-ctx.mjs';
import { cpuTag, defaultNativeDir } from './native-path.mjs';

const require = createRequire(import.meta.url);
const modelPath = process.env.WHISPER_MODEL;
const threads = Number(process.env.WHISPER_THREADS || 2);
// Pieces of audio recognised at once when a job brings several (each on threads / lanes threads).
const lanes = Number(process.env.WHISPER_LANES || 1);
if (!modelPath || !process.send) {
  console.error('whisper-host: WHISPER_MODEL must name a ggml model and the host must be forked with IPC');
  process.exit(2);
}

function nativeBinding() {
  const choice = process.env.WHISPER_NATIVE ?? '';
  if (choice === 'off') return { why: 'WHISPER_NATIVE=off' };
  const dir = choice || defaultNativeDir();
  const file = choice.endsWith('.node') ? choice : join(dir, 'vidp_whisper.node');
  if (!existsSync(file)) return { why: 'not built by provisioning' };
  const cpuFile = join(dir, 'cpu');
  if (
    !choice.endsWith('.node') &&
    (!existsSync(cpuFile) || readFileSync(cpuFile, 'utf8').trim() !== cpuTag())
  )
    return { why: 'built for another CPU' };
  const W = require(file);
  if (W.apiVersion !== 2) return { why: `unexpected binding version ${W.apiVersion}` };
  return { W };
}

function openNative(W) {
  // Flash attention is slower on CPU here (ggml's CPU kernel is scalar): measured 4.1 vs 5.7 CPU-s.
  const model = W.open(modelPath, { flashAttn: false });
  const info = W.info(model);
  return {
    ready: {
      multilingual: info.multilingual,
      languages: info.languages,
      binding: `vidp-whisper (whisper.cpp ${info.version})`,
      probabilities: true,
    },
    transcribe(job) {
      const pcms = job.pcms ?? [job.pcm];
      const rs = W.transcribeMany(model, pcms, {
        threads,
        lanes,
        language: job.language || 'auto',
        translate: Boolean(job.translate),
        beamSize: job.beamSize ?? 0,
        tokenTimestamps: Boolean(job.maxLen),
        maxLen: job.maxLen ?? 0,
        splitOnWord: Boolean(job.maxLen),
        audioCtx: pcms.map((p) => (job.fitEncoder ? fittedAudioCtx(p.length) : 0)),
      });
      const pieces = rs.map((r) => ({
        language: r.language,
        segments: r.segments.map((s) => ({ start: s.t0, end: s.t1, text: s.text })),
      }));
      return job.pcms ? { pieces } : pieces[0];
    },
    detect(job) {
      const pcms = job.pcms ?? [job.pcm];
      const rs = W.detectMany(model, pcms, {
        threads,
        lanes,
        textTokens: job.textTokens ?? 0,
        audioCtx: pcms.map((p) => (job.fitEncoder ? fittedAudioCtx(p.length) : 0)),
      });
      const pieces = rs.map((r) => {
        const probabilities = {};
        for (const [i, code] of info.languages.entries()) probabilities[code] = r.probs[i];
        return { probabilities, noSpeech: r.noSpeech, text: r.text };
      });
      return job.pcms ? { pieces } : pieces[0];
    },
  };
}

function openPrebuilt() {
  const { Whisper, WhisperFullParams, WhisperSamplingStrategy } = require('@napi-rs/whisper');
  const whisper = new Whisper(modelPath);
  // whisper.cpp's list includes languages newer models added: keep the ones this model has.
  const nLangs = Math.min(
    Whisper.maxLangId() + 1,
    whisper.modelNVocab - 51765 - (whisper.isMultilingual ? 1 : 0),
  );
  const languages = [];
  for (let i = 0; i < nLangs; i++) {
    const code = Whisper.lang(i);
    if (code) languages.push(code);
  }
  const full = async (job, detectOnly) => {
    const params = new WhisperFullParams(
      (job.beamSize ?? 0) > 1 ? WhisperSamplingStrategy.BeamSearch : WhisperSamplingStrategy.Greedy,
    );
    params.nThreads = threads;
    params.language = job.language || 'auto';
    params.translate = Boolean(job.translate);
    params.detectLanguage = detectOnly;
    params.noContext = true;
    params.suppressBlank = true;
    params.suppressNonSpeechTokens = true;
    params.printProgress = false;
    params.printRealtime = false;
    params.printTimestamps = false;
    if (job.maxLen) {
      // Shorter segments with token-level timestamps: subtitle cues then follow the speech.
      params.tokenTimestamps = true;
      params.maxLen = job.maxLen;
      params.splitOnWord = true;
    }
    const segments = [];
    params.onNewSegment = (s) => segments.push({ start: s.start, end: s.end, text: s.text });
    const text = whisper.full(params, job.pcm);
    // Segment callbacks are queued while `full` runs: let them arrive before answering.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { language: Whisper.lang(whisper.fullLangId) ?? job.language ?? '', segments, text };
  };
  return {
    ready: {
      multilingual: Boolean(whisper.isMultilingual),
      languages,
      binding: '@napi-rs/whisper',
      probabilities: false,
    },
    async transcribe(job) {
      if (!job.pcms) return full(job, false);
      const pieces = [];
      for (const pcm of job.pcms) pieces.push(await full({ ...job, pcm }, false));
      return { pieces };
    },
    async detect(job) {
      // No probabilities from this binding: the detected language gets them all.
      const one = async (pcm) => {
        const { language } = await full({ ...job, pcm }, true);
        const text = job.textTokens ? (await full({ ...job, pcm, language }, false)).text : '';
        return { probabilities: { [language]: 1 }, noSpeech: null, text };
      };
      if (!job.pcms) return one(job.pcm);
      const pieces = [];
      for (const pcm of job.pcms) pieces.push(await one(pcm));
      return { pieces };
    },
  };
}

let engine;
try {
  const native = nativeBinding();
  if (!native.W)
    console.error(`whisper-host: using the prebuilt binding (VidP's whisper.cpp module: ${native.why})`);
  engine = native.W ? openNative(native.W) : openPrebuilt();
} catch (err) {
  process.send({ type: 'failed', error: `could not load the Whisper model: ${err?.message ?? err}` });
  process.exit(1);
}
process.send({ type: 'ready', ...engine.ready });

process.on('disconnect', () => process.exit(0));

process.on('message', async (job) => {
  try {
    const out = job.kind === 'detect' ? await engine.detect(job) : await engine.transcribe(job);
    process.send({ type: 'result', id: job.id, ...out });
  } catch (err) {
    process.send({ type: 'error', id: job.id, error: String(err?.message ?? err) });
  }
});
