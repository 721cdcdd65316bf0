// The Whisper engine host: one child process per service holds the model (loaded once) and runs
// one recognition at a time. whisper.cpp's `full` call is synchronous, so it runs here and never
// blocks the service's HTTP event loop; a cancelled job is stopped by ending this process.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Whisper, WhisperFullParams, WhisperSamplingStrategy } = require('@napi-rs/whisper');

const modelPath = process.env.WHISPER_MODEL;
const threads = Number(process.env.WHISPER_THREADS || 2);
if (!modelPath || !process.send) {
  console.error('whisper-host: WHISPER_MODEL must name a ggml model and the host must be forked with IPC');
  process.exit(2);
}

let whisper;
try {
  whisper = new Whisper(modelPath);
} catch (err) {
  process.send({ type: 'failed', error: `could not load the Whisper model: ${err?.message ?? err}` });
  process.exit(1);
}
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
process.send({ type: 'ready', multilingual: Boolean(whisper.isMultilingual), languages });

process.on('disconnect', () => process.exit(0));

process.on('message', async (job) => {
  try {
    const params = new WhisperFullParams(WhisperSamplingStrategy.Greedy);
    params.nThreads = threads;
    params.language = job.language || 'auto';
    params.translate = Boolean(job.translate);
    params.detectLanguage = Boolean(job.detectOnly);
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
    const language = Whisper.lang(whisper.fullLangId) ?? job.language ?? '';
    process.send({ type: 'result', id: job.id, text, segments, language });
  } catch (err) {
    process.send({ type: 'error', id: job.id, error: String(err?.message ?? err) });
  }
});
