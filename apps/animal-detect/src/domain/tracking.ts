import { iou } from './geometry.js';
import type { FrameObject } from './objects.js';
import type { Box, SampleReason } from './types.js';

/** One inferred frame as the tracker sees it: its animal objects, and whether it starts a shot. */
export interface TrackerFrame {
  /** The frame's index among the decoded frames. */
  frameIndex: number;
  timeSec: number;
  reason: SampleReason;
  objects: readonly TrackedObject[];
}

export interface TrackedObject extends FrameObject {
  /** Mean luma gradient inside the box (0..1). */
  sharpness: number;
  /** The second stage's view of this box: species → probability (only the species it can name). */
  opinion?: ReadonlyMap<string, number>;
}

/** One frame of a track. `frame` indexes the tracker's input. */
export interface Observation {
  frame: number;
  timeSec: number;
  object: TrackedObject;
}

export interface Track {
  id: number;
  observations: Observation[];
}

export interface TrackingOptions {
  /** Boxes in consecutive looks overlapping at least this much are the same animal. */
  minIou: number;
  /** Inferred frames in a row a track may go unseen before it ends (the detector flickers). */
  maxMisses: number;
}

export const DEFAULT_TRACKING: TrackingOptions = { minIou: 0.3, maxMisses: 1 };

/**
 * How well a new box continues a track's last box: their IoU, or, for a zoom or a fast
 * approach (one box inside the other, sizes within 3x), a fixed 0.3 so growth does not break
 * the track.
 */
export function continuation(last: Box, next: Box): number {
  const overlap = iou(last, next);
  const area = (b: Box) => b.w * b.h;
  const [small, large] = area(last) <= area(next) ? [last, next] : [next, last];
  const cx = small.x + small.w / 2;
  const cy = small.y + small.h / 2;
  const inside = cx >= large.x && cx <= large.x + large.w && cy >= large.y && cy <= large.y + large.h;
  const ratio = area(large) / Math.max(1e-9, area(small));
  return inside && ratio <= 3 ? Math.max(overlap, 0.3) : overlap;
}

/**
 * Links the animal objects of successive inferred frames into tracks. A track never crosses
 * a scene cut (`reason === 'scene'`: the sampler saw the picture change at once), so two
 * animals in the same place in two shots are never one track. Within a shot, each frame's
 * objects are matched greedily to the live tracks by how well they continue them; an
 * unmatched object starts a track; a track unseen for more than `maxMisses` frames ends.
 */
export function buildTracks(frames: readonly TrackerFrame[], o: TrackingOptions = DEFAULT_TRACKING): Track[] {
  const tracks: Track[] = [];
  let live: { track: Track; misses: number }[] = [];
  frames.forEach((frame, index) => {
    if (frame.reason === 'scene' || frame.reason === 'first') live = [];
    const pairs: { t: number; k: number; score: number }[] = [];
    live.forEach((l, t) => {
      const last = l.track.observations[l.track.observations.length - 1]?.object.box;
      if (!last) return;
      frame.objects.forEach((obj, k) => {
        const score = continuation(last, obj.box);
        if (score >= o.minIou) pairs.push({ t, k, score });
      });
    });
    pairs.sort((a, b) => b.score - a.score);
    const usedTracks = new Set<number>();
    const usedObjects = new Set<number>();
    for (const p of pairs) {
      if (usedTracks.has(p.t) || usedObjects.has(p.k)) continue;
      usedTracks.add(p.t);
      usedObjects.add(p.k);
      const l = live[p.t];
      const obj = frame.objects[p.k];
      if (!l || !obj) continue;
      l.track.observations.push({ frame: index, timeSec: frame.timeSec, object: obj });
      l.misses = 0;
    }
    const next = live.filter((l, t) => usedTracks.has(t) || ++l.misses <= o.maxMisses);
    frame.objects.forEach((obj, k) => {
      if (usedObjects.has(k)) return;
      const track: Track = {
        id: tracks.length + 1,
        observations: [{ frame: index, timeSec: frame.timeSec, object: obj }],
      };
      tracks.push(track);
      next.push({ track, misses: 0 });
    });
    live = next;
  });
  return tracks;
}
