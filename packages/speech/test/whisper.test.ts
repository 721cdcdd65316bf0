// The Whisper adapter on the real converted multilingual base model and real speech (JFK).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPcm, readPcm } from '../src/audio.js';
import { EngineBusyError, EngineUnavailableError } from '../src/engine.js';
import { wordErrorRate } from '../src/wer.js';
import { WhisperEngine } from '../src/whisper.js';
import { JFK_TEXT, JFK_WAV, MODEL_PATH, speechVideo } from './fixtures.js';

describe('Whisper engine (whisper.cpp, multilingual base)', () => {
  let dir: string;
  let engine: WhisperEngine;
  let jfk: Float32Array;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidp-whisper-'));
    engine = new WhisperEngine({ modelPath: MODEL_PATH, threads: 2, maxQueue: 1 });
    const video = speechVideo(dir, 'jfk.webm', [JFK_WAV]);
    const pcm = await extractPcm(video, join(dir, 'jfk.f32'));
    jfk = await readPcm(pcm.path, 0, pcm.samples);
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the model once and knows 99 languages', async () => {
    const info = await engine.start();
    expect(info).toMatchObject({
      name: 'whisper.cpp',
      model: MODEL_PATH.split('/').pop(),
      multilingual: true,
      binding: expect.stringMatching(/^vidp-whisper \(whisper\.cpp 1\.8\.3\)$/),
      probabilities: true,
    });
    expect(info.languages).toHaveLength(99);
    expect(info.languages).toEqual(expect.arrayContaining(['en', 'fr', 'de', 'es', 'zh', 'ja']));
    expect(await engine.start()).toBe(info);
  }, 600_000);

  it('transcribes real speech from a WebM video: English, word error rate under 10 %', async () => {
    const t = await engine.transcribe(jfk, { maxSegmentChars: 42 });
    expect(t.language).toBe('en');
    const wer = wordErrorRate(JFK_TEXT, t.text);
    console.log(`JFK word error rate: ${(wer * 100).toFixed(1)} % (${t.text})`);
    expect(wer).toBeLessThanOrEqual(0.1);
    expect(t.segments.length).toBeGreaterThan(1);
    for (const s of t.segments) {
      expect(s.text.length).toBeLessThanOrEqual(60);
      expect(s.end).toBeGreaterThanOrEqual(s.start);
      expect(s.end).toBeLessThanOrEqual(jfk.length / 16000 + 0.5);
    }
  }, 600_000);

  it("gives the model's language probabilities: English speech, summing to 1, little no-speech", async () => {
    const d = await engine.detectLanguage(jfk, { textTokens: 48, fitEncoder: true });
    const probs = Object.values(d.probabilities);
    expect(probs).toHaveLength(99);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(d.probabilities.en).toBeGreaterThanOrEqual(0.9);
    expect(d.noSpeech).toBeLessThan(0.3);
    expect(d.text).toMatch(/ask not what your country can do for you/i);
    // The same on the encoder padded to 30 s, as Whisper was trained.
    const padded = await engine.detectLanguage(jfk, { fitEncoder: false });
    expect(padded.probabilities.en).toBeGreaterThanOrEqual(0.9);
    expect(padded.text).toBe('');
    // Digital silence: Whisper itself says there is no speech.
    const silence = await engine.detectLanguage(new Float32Array(16000 * 3), { fitEncoder: true });
    expect(silence.noSpeech).toBeGreaterThan(0.6);
  }, 600_000);

  it('refuses work beyond its queue, and a cancelled job stops without breaking the next one', async () => {
    const ac = new AbortController();
    const running = engine.transcribe(jfk, { signal: ac.signal });
    const queued = engine.detectLanguage(jfk.subarray(0, 16000 * 4), { fitEncoder: true });
    await expect(engine.transcribe(jfk)).rejects.toBeInstanceOf(EngineBusyError);
    ac.abort(new Error('caller left'));
    await expect(running).rejects.toThrow(/caller left/);
    // The host was ended mid-job and starts again for the queued job.
    const d = await queued;
    const top = Object.entries(d.probabilities).sort((a, b) => b[1] - a[1])[0];
    expect(top?.[0]).toBe('en');
  }, 600_000);

  it('falls back to the prebuilt binding: same language, all of the probability on it', async () => {
    const prebuilt = new WhisperEngine({ modelPath: MODEL_PATH, threads: 2, nativeModule: 'off' });
    try {
      expect(await prebuilt.start()).toMatchObject({ binding: '@napi-rs/whisper', probabilities: false });
      // A few seconds of speech keep this cheap on a busy machine: one encoder pass.
      const d = await prebuilt.detectLanguage(jfk.subarray(0, 16000 * 4));
      expect(d).toMatchObject({ probabilities: { en: 1 }, noSpeech: null, text: '' });
    } finally {
      await prebuilt.close();
    }
  }, 600_000);

  it('says clearly when no model is configured', async () => {
    const missing = new WhisperEngine({ modelPath: join(dir, 'none.bin') });
    await expect(missing.start()).rejects.toBeInstanceOf(EngineUnavailableError);
    await missing.close();
  });
});
