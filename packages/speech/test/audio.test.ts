// extractPcm on real files with the real ffprobe and ffmpeg: the decoding starts while the probe
// checks the file, so every refusal must stop it and leave no output behind.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsupportedMediaError } from '@vidp/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPcm, MediaBeyondLimitsError, NoAudioError, SAMPLE_RATE } from '../src/audio.js';
import { corruptAudio, JFK_WAV, noAudioVideo, speechVideo } from './fixtures.js';

describe('extractPcm (ffprobe and ffmpeg at once)', () => {
  let dir: string;
  let out: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidp-audio-'));
    out = join(dir, 'out');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const emptyOut = async () => {
    await rm(out, { recursive: true, force: true });
    await mkdir(out);
  };
  const outputs = async () => (await readdir(out).catch(() => [])).length;

  it('decodes a video to 16 kHz mono PCM and reports what the probe found', async () => {
    const video = speechVideo(dir, 'jfk.mkv', [JFK_WAV]);
    await emptyOut();
    const pcm = await extractPcm(video, join(out, 'a.f32'));
    expect(pcm.media.audio).toBeTruthy();
    expect(pcm.seconds).toBeGreaterThan(11);
    expect(pcm.samples).toBe(Math.round(pcm.seconds * SAMPLE_RATE));
    expect(existsSync(pcm.path)).toBe(true);
  });

  it('refuses a playlist, a video without audio, audio that does not decode and media past the limit, leaving no output', async () => {
    await emptyOut();
    const playlist = join(dir, 'list.m3u8');
    await writeFile(playlist, `#EXTM3U\n#EXTINF:10,\nfile:${join(dir, 'jfk.mkv')}\n#EXT-X-ENDLIST\n`);
    await expect(extractPcm(playlist, join(out, 'p.f32'))).rejects.toBeInstanceOf(UnsupportedMediaError);
    await expect(extractPcm(noAudioVideo(dir), join(out, 'n.f32'))).rejects.toThrow(
      new NoAudioError('The file has no audio stream: there is no speech to analyse.'),
    );
    await expect(extractPcm(corruptAudio(dir), join(out, 'c.f32'))).rejects.toBeInstanceOf(NoAudioError);
    await expect(
      extractPcm(join(dir, 'jfk.mkv'), join(out, 'l.f32'), { maxDurationSec: 5 }),
    ).rejects.toBeInstanceOf(MediaBeyondLimitsError);
    expect(await outputs()).toBe(0);
  });

  it('stops the decoding when the caller cancels, leaving no output', async () => {
    await emptyOut();
    const controller = new AbortController();
    const job = extractPcm(join(dir, 'jfk.mkv'), join(out, 'x.f32'), { signal: controller.signal });
    controller.abort(new Error('cancelled'));
    await expect(job).rejects.toBeTruthy();
    expect(await outputs()).toBe(0);
  });
});
