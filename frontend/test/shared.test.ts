import { describe, expect, it } from 'vitest';
import { matchingCues } from '@/client/video/transcript-panel';
import { formatBytes, formatDuration } from '@/shared/format';
import { libraryUrlQuery, listApiQuery, parseLibraryQuery } from '@/shared/library-query';
import { animalTracks, languageFacts, renditions } from '@/shared/results';
import type { VideoView } from '@/shared/video';

describe('library query', () => {
  it('keeps what it understands from the URL and drops the rest', () => {
    const q = parseLibraryQuery(
      new URLSearchParams('q=country&status=done&language=EN&species=dog&page=3&x=1'),
    );
    expect(q).toEqual({ q: 'country', status: '', language: '', species: 'dog', page: 3 });
    expect(libraryUrlQuery(q)).toBe('q=country&species=dog&page=3');
    expect(listApiQuery(q)).toBe('q=country&species=dog&limit=24&offset=48');
    expect(parseLibraryQuery({ page: '-2' }).page).toBe(1);
  });
});

describe('formatting', () => {
  it('writes durations and sizes as people read them', () => {
    expect(formatDuration(75.9)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatBytes(314_572_800)).toBe('315 MB');
    expect(formatBytes(8_388_608)).toBe('8.4 MB');
  });
});

const video = (tasks: VideoView['tasks']): VideoView =>
  ({ id: 'v', title: 't', tasks, media: { durationSec: 10 } }) as unknown as VideoView;
const output = (name: string, filename = name) => ({
  name,
  filename,
  contentType: '',
  size: 1,
  url: `/u/${name}`,
});

describe('result readers', () => {
  it('lists renditions highest first, with their links', () => {
    const v = video({
      downscale: {
        status: 'done',
        attempts: 1,
        outputs: [output('rendition-360', '360p.mp4'), output('rendition-720', '720p.mp4')],
        result: {
          renditions: [
            { part: 'rendition-360', width: 640, height: 360, bitrateKbps: 600 },
            { part: 'rendition-720', width: 1280, height: 720, bitrateKbps: 1500 },
            { part: 'missing', width: 1, height: 1 },
          ],
        },
      },
    });
    expect(renditions(v).map((r) => [r.label, r.output.url])).toEqual([
      ['720p', '/u/rendition-720'],
      ['360p', '/u/rendition-360'],
    ]);
  });

  it('reads animal tracks with their best frame link, and the language facts', () => {
    const v = video({
      'animal-detect': {
        status: 'done',
        attempts: 1,
        outputs: [output('frame-dog', 'frame-dog.jpg')],
        result: {
          appearances: [
            {
              species: 'dog',
              totalSec: 6,
              peakConfidence: 0.9,
              ranges: [{ startSec: 4, endSec: 10, peakConfidence: 0.9 }],
              bestFrame: { part: 'frame-dog', timeSec: 6 },
            },
          ],
        },
      },
      langscale: {
        status: 'done',
        attempts: 1,
        outputs: [],
        result: {
          speech: false,
          reason: 'no voice activity',
          language: null,
          confidence: 0,
          alternatives: [],
        },
      },
    });
    expect(animalTracks(v)).toEqual([
      {
        species: 'dog',
        totalSec: 6,
        peakConfidence: 0.9,
        ranges: [{ startSec: 4, endSec: 10, peakConfidence: 0.9 }],
        bestFrame: { atSec: 6, url: '/u/frame-dog' },
      },
    ]);
    expect(languageFacts(v)).toMatchObject({ speech: false, reason: 'no voice activity', code: null });
  });

  it('finds transcript lines holding every searched word, whatever the case and accents', () => {
    const cues = [
      { start: 0, end: 2, text: 'Ask not what your country' },
      { start: 2, end: 4, text: 'can do for you. Café!' },
    ];
    expect(matchingCues(cues, 'COUNTRY').map((c) => c.start)).toEqual([0]);
    expect(matchingCues(cues, 'cafe you').map((c) => c.start)).toEqual([2]);
    expect(matchingCues(cues, '  ')).toEqual([]);
  });
});
