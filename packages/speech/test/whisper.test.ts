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
    expect(info).toMatchObject({ name: 'whisper.cpp', model: 'ggml-base.bin', multilingual: true });
    expect(info.languages).toHaveLength(99);
    expect(info.languages).toEqual(expect.arrayContaining(['en', 'fr', 'de', 'es', 'zh', 'ja']));
    expect(await engine.start()).toBe(info);
  });

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
  });

  it('refuses work beyond its queue, and a cancelled job stops without breaking the next one', async () => {
    const ac = new AbortController();
    const running = engine.transcribe(jfk, { signal: ac.signal });
    const queued = engine.transcribe(jfk.subarray(0, 16000 * 2), { detectOnly: true });
    await expect(engine.transcribe(jfk)).rejects.toBeInstanceOf(EngineBusyError);
    ac.abort(new Error('caller left'));
    await expect(running).rejects.toThrow(/caller left/);
    // The host was ended mid-job and starts again for the queued job.
    const t = await queued;
    expect(t.language).toBe('en');
    expect(t.segments).toEqual([]);
  });

  it('says clearly when no model is configured', async () => {
    const missing = new WhisperEngine({ modelPath: join(dir, 'none.bin') });
    await expect(missing.start()).rejects.toBeInstanceOf(EngineUnavailableError);
    await missing.close();
  });
});
