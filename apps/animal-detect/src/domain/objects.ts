import { iou } from './geometry.js';
import type { Box } from './types.js';

/** A labelled box in one frame (normalised picture coordinates), any class of the model. */
export interface LabelledBox {
  label: string;
  score: number;
  box: Box;
}

/**
 * One thing in one frame: the model often puts several classes on the same box (a horse at
 * 0.6 and a cow at 0.4). They are one object with a score per class; its box is the best one's.
 */
export interface FrameObject {
  box: Box;
  /** Best score per class label, for every class put on this box. */
  scores: Map<string, number>;
  /** The highest-scoring label. */
  top: string;
}

/** How much two boxes of different classes must overlap to be the same object. */
export const SAME_OBJECT_IOU = 0.55;

/**
 * Groups a frame's boxes (after class-wise NMS) into objects, best score first: a box joins
 * the object whose box it overlaps by at least `iouThreshold`, else it starts a new one.
 */
export function groupObjects(boxes: readonly LabelledBox[], iouThreshold = SAME_OBJECT_IOU): FrameObject[] {
  const objects: FrameObject[] = [];
  for (const b of [...boxes].sort((a, c) => c.score - a.score)) {
    let home: FrameObject | undefined;
    let best = iouThreshold;
    for (const o of objects) {
      const overlap = iou(o.box, b.box);
      if (overlap >= best) {
        best = overlap;
        home = o;
      }
    }
    if (home) {
      home.scores.set(b.label, Math.max(home.scores.get(b.label) ?? 0, b.score));
    } else {
      objects.push({ box: b.box, scores: new Map([[b.label, b.score]]), top: b.label });
    }
  }
  return objects;
}

/** How far an animal's score must stay above any other class put on the same box. */
export const NOT_ANIMAL_MARGIN = 0.2;

/**
 * The animal objects of a frame: those whose best class is one of `animals`, and beats every
 * class that is not an animal on the same box by `NOT_ANIMAL_MARGIN`. An object the model
 * sees first as something else (a person, with a weaker "dog" on it), or hardly more as a bird
 * than as a person (a walker at the edge of a beach), is not an animal. The scores kept are
 * the animal classes only.
 */
export function animalObjects(
  objects: readonly FrameObject[],
  animals: ReadonlySet<string>,
  margin = NOT_ANIMAL_MARGIN,
): FrameObject[] {
  return objects
    .filter((o) => {
      if (!animals.has(o.top)) return false;
      const best = o.scores.get(o.top) ?? 0;
      return [...o.scores].every(([label, score]) => animals.has(label) || score <= best - margin);
    })
    .map((o) => ({ ...o, scores: new Map([...o.scores].filter(([label]) => animals.has(label))) }));
}

/**
 * The animals among boxes too faint to count on their own (below the vote floor): grouped
 * like the others, animals by the same rule, and only where no surer object of any class is
 * (a faint box on a surer one's place, as `groupObjects` tells it, is that object's: a faint
 * "cow" on a horse's box is the horse's, a faint "dog" on a person the person's).
 * A second stage may confirm them: a zebra half hidden behind a giraffe, scored 0.25.
 */
export function faintAnimals(
  faint: readonly LabelledBox[],
  sure: readonly FrameObject[],
  animals: ReadonlySet<string>,
): FrameObject[] {
  return animalObjects(groupObjects(faint), animals).filter((f) =>
    sure.every((o) => iou(o.box, f.box) < SAME_OBJECT_IOU),
  );
}
