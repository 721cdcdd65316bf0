import { createHash, randomUUID } from 'node:crypto';
import { searchTerms } from '../../apps/main-app/src/domain/search-terms.js';

/**
 * Catalog documents shaped and sized like the ones main-app writes for a finished video
 * (each task's result and outputs as the real processors answer, ~6.5 KB a document), for
 * tests and benchmarks that need a large catalog without uploading a thousand videos.
 */

const LANGUAGES = ['en', 'fr', 'de', 'es', 'it'];
const SPECIES = ['dog', 'horse', 'giraffe', 'bird', 'cat', 'zebra'];
const STATUSES = ['completed', 'completed', 'completed', 'partial', 'failed', 'processing'] as const;

/** A small deterministic generator, so a seed gives the same catalog every run. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

export interface FakeVideoDoc {
  _id: string;
  status: string;
  createdAt: string;
  detectedLanguage?: string;
  species: string[];
  [key: string]: unknown;
}

const output = (videoId: string, name: string, filename: string, contentType: string, size: number) => ({
  name,
  blobId: createHash('sha1').update(`${videoId}/${name}`).digest('hex').slice(0, 24),
  filename,
  contentType,
  size,
});

export function fakeVideoDoc(i: number, rand: () => number, createdAt: Date): FakeVideoDoc {
  const id = randomUUID();
  const status = pick(rand, STATUSES);
  const language = pick(rand, LANGUAGES);
  const species = [...new Set([pick(rand, SPECIES), ...(rand() < 0.4 ? [pick(rand, SPECIES)] : [])])].sort();
  const duration = Math.round(5 + rand() * 600);
  const at = createdAt.toISOString();
  const done = (result: unknown, outputs: unknown[] = []) => ({
    status: status === 'processing' ? 'running' : 'done',
    attempts: 1,
    startedAt: at,
    finishedAt: at,
    ...(status === 'processing' ? { progress: 0.4 } : { result, outputs }),
  });
  const frames = Array.from({ length: 12 }, (_, f) => ({
    timeSec: f * 2,
    reason: f % 5 ? 'interval' : 'scene-change',
    detections: [{ label: species[0], score: 0.5 + rand() / 2, box: [rand(), rand(), rand(), rand()] }],
  }));
  const title = `Video ${i}: ${species.join(' and ')} in ${language}`;
  const transcript = 'And so my fellow Americans, ask not what your country can do for you. '.repeat(3);
  return {
    _id: id,
    title,
    // The words search uses, as main-app stores them (else every start would backfill them).
    titleTerms: searchTerms(title),
    transcriptTerms: searchTerms(transcript),
    filename: `video-${i}.mp4`,
    sha256: createHash('sha256').update(id).digest('hex'),
    size: 1_000_000 + Math.floor(rand() * 50_000_000),
    media: {
      container: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSec: duration,
      sizeBytes: 1_000_000,
      video: { codec: 'h264', width: 1280, height: 720, fps: 30, rotation: 0 },
      audio: { codec: 'aac', channels: 2, sampleRate: 48000 },
    },
    detectedLanguage: language,
    species,
    originalBlobId: createHash('sha1').update(id).digest('hex').slice(0, 24),
    requestedTasks: ['langscale', 'subtitle', 'animal-detect', 'downscale'],
    tasks: {
      langscale: done({
        speech: true,
        language: { code: language, name: language, confidence: 0.9 },
        all_languages: LANGUAGES.map((code) => ({ code, confidence: rand() })),
        windows: Array.from({ length: 6 }, (_, w) => ({ startSec: w * 30, endSec: w * 30 + 30, language })),
      }),
      subtitle: done(
        {
          language,
          cues: 120,
          speechSec: duration * 0.6,
          text: transcript,
        },
        [
          output(id, 'subtitles.vtt', 'subtitles.vtt', 'text/vtt', 4000),
          output(id, 'subtitles.srt', 'subtitles.srt', 'application/x-subrip', 4000),
        ],
      ),
      'animal-detect': done(
        {
          appearances: species.map((s) => ({
            species: s,
            ranges: [{ startSec: 0, endSec: 10, peakConfidence: 0.8 }],
            totalSec: 10,
            peakConfidence: 0.8,
            bestFrame: { timeSec: 4, box: [0.1, 0.2, 0.5, 0.6], part: `frame-${s}` },
          })),
          frames,
          sampling: { framesDecoded: 240, framesInferred: 24, sceneChanges: 5, nearDuplicatesSkipped: 8 },
        },
        species.map((s) => output(id, `frame-${s}`, `frame-${s}.jpg`, 'image/jpeg', 30_000)),
      ),
      downscale: done(
        {
          settings: { preset: 'veryfast', rungs: [720, 480, 360], skippedRungs: [], hls: false },
          renditions: [720, 480, 360].map((rung) => ({
            rung,
            width: Math.round((rung * 16) / 9),
            height: rung,
            durationSec: duration,
            bitrateKbps: rung * 3,
            videoCodec: 'h264',
            audio: true,
            part: `rendition-${rung}`,
            filename: `${rung}p.mp4`,
          })),
          poster: { part: 'poster', filename: 'poster.jpg', width: 1280, height: 720, atSec: duration / 10 },
          storyboard: {
            part: 'storyboard',
            filename: 'storyboard.jpg',
            columns: 5,
            rows: 5,
            count: 25,
            thumbWidth: 160,
            thumbHeight: 90,
            intervalSec: duration / 25,
          },
        },
        [
          output(id, 'poster', 'poster.jpg', 'image/jpeg', 80_000),
          output(id, 'storyboard', 'storyboard.jpg', 'image/jpeg', 120_000),
          ...[720, 480, 360].map((r) => output(id, `rendition-${r}`, `${r}p.mp4`, 'video/mp4', r * 10_000)),
        ],
      ),
    },
    status,
    createdAt: at,
    updatedAt: at,
    ...(status === 'processing' ? {} : { completedAt: at }),
  };
}

/** `n` documents created one second apart, newest last, a few sharing one creation time. */
export function fakeCatalog(n: number, seed = 1): FakeVideoDoc[] {
  const rand = seeded(seed);
  const start = Date.UTC(2026, 0, 1);
  // Every tenth video shares its creation time with the one before: ties must page right.
  return Array.from({ length: n }, (_, i) =>
    fakeVideoDoc(i, rand, new Date(start + (i - (i % 10 === 9 ? 1 : 0)) * 1000)),
  );
}
