import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, serviceConfigSchema } from '@vidp/service-kit';
import { z } from 'zod';
import { COCO_ANIMALS, COCO_CLOSE_SPECIES, COCO_LABELS } from './domain/labels.js';

const cacheDir = () =>
  process.env.VIDP_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vidp');

const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string()).min(1));

export const configSchema = serviceConfigSchema('animal-detect', 8004).extend({
  /** The ONNX detector. Default: the NanoDet COCO model (512 x 512 input) that provisioning converts. */
  DETECTOR_MODEL_PATH: z
    .string()
    .min(1)
    .default(join(cacheDir(), 'models', 'nanodet-coco-512.onnx')),
  /** How to feed the model and read its outputs: `nanodet` (default model) or `yolov8` exports. */
  DETECTOR_FORMAT: z.enum(['nanodet', 'yolov8']).default('nanodet'),
  /** The model's class names in output order, comma-separated (default: the 80 COCO classes). */
  DETECTOR_LABELS: csv.optional(),
  /** Which of those classes are animals (default: the COCO animals, or every label when DETECTOR_LABELS is set). */
  DETECTOR_ANIMALS: csv.optional(),
  /** Threads for one inference (default: every core). */
  DETECTOR_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  /**
   * The second stage: an ImageNet-1k classifier (ONNX, `image` N x 3 x S x S RGB 0..255 in,
   * 1000 `probabilities` out) run on crops of the detected animals. Default: EfficientNet-Lite0
   * as provisioning converts it. `CLASSIFIER=off` runs the detector alone.
   */
  CLASSIFIER_MODEL_PATH: z
    .string()
    .min(1)
    .default(join(cacheDir(), 'models', 'efficientnet-lite0-imagenet.onnx')),
  CLASSIFIER: z.enum(['on', 'off']).default('on'),
  /** Longest video accepted, in seconds. */
  MAX_VIDEO_SECONDS: z.coerce
    .number()
    .positive()
    .default(3 * 3600),
  /** Most frames one request may decode (rate times duration). */
  MAX_DECODED_FRAMES: z.coerce.number().int().positive().default(50_000),
});

export type Config = z.infer<typeof configSchema>;

export function modelClasses(c: Config): {
  labels: string[];
  animals: string[];
  closeSpecies: (readonly string[])[];
} {
  const labels = c.DETECTOR_LABELS ?? [...COCO_LABELS];
  const animals = c.DETECTOR_ANIMALS ?? (c.DETECTOR_LABELS ? labels : [...COCO_ANIMALS]);
  const unknown = animals.filter((a) => !labels.includes(a));
  if (unknown.length)
    throw new ConfigError(`DETECTOR_ANIMALS names classes the model does not have: ${unknown.join(', ')}`);
  // The confusable COCO animals are known for COCO models; an operator's own classes are not.
  const closeSpecies = c.DETECTOR_LABELS
    ? []
    : COCO_CLOSE_SPECIES.map((g) => g.filter((s) => animals.includes(s)));
  return { labels, animals, closeSpecies };
}
