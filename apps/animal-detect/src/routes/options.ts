import { badRequest } from '@vidp/service-kit';
import { z } from 'zod';
import { DEFAULT_POLICY, type SamplingPolicy } from '../domain/sampling.js';

/** Defaults of the request options, also shown in the API docs. */
export const OPTION_DEFAULTS = {
  mode: 'smart',
  smartFps: DEFAULT_POLICY.fps,
  fixedFps: 2,
  minConfidence: 0.45,
  gapTolerance: 1.5,
} as const;

const number = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .refine((v) => Number.isFinite(v) && v >= min && v <= max, {
      message: `${name} must be between ${min} and ${max}`,
    });

const fieldsSchema = z
  .object({
    mode: z.enum(['smart', 'fixed'], { error: 'mode must be "smart" or "fixed"' }).optional(),
    fps: number('fps', 0.05, 10).optional(),
    minConfidence: number('minConfidence', 0.05, 1).optional(),
    species: z.string().max(1000).optional(),
    gapTolerance: number('gapTolerance', 0, 60).optional(),
  })
  .strict();

export interface DetectOptions {
  policy: SamplingPolicy;
  minConfidence: number;
  species: string[];
  gapToleranceSec: number;
}

/** Validates the multipart fields of an upload; every problem is listed in one 400. */
export function parseOptions(fields: Record<string, string>, animals: readonly string[]): DetectOptions {
  const parsed = fieldsSchema.safeParse(fields);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys' ? `unknown option(s): ${i.keys.join(', ')}` : i.message,
    );
    throw badRequest(`Invalid options: ${problems.join('; ')}.`, {
      options: ['mode', 'fps', 'minConfidence', 'species', 'gapTolerance'],
    });
  }
  const f = parsed.data;
  const mode = f.mode ?? OPTION_DEFAULTS.mode;
  let species = [...animals];
  if (f.species !== undefined) {
    species = [
      ...new Set(
        f.species
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
      ),
    ];
    const unknown = species.filter((s) => !animals.includes(s));
    if (species.length === 0 || unknown.length) {
      throw badRequest(
        `Unknown species: ${unknown.join(', ') || '(none given)'}. This service recognises: ${animals.join(', ')}.`,
        { recognisedSpecies: animals },
      );
    }
  }
  return {
    policy: {
      ...DEFAULT_POLICY,
      mode,
      fps: f.fps ?? (mode === 'fixed' ? OPTION_DEFAULTS.fixedFps : OPTION_DEFAULTS.smartFps),
    },
    minConfidence: f.minConfidence ?? OPTION_DEFAULTS.minConfidence,
    species,
    gapToleranceSec: f.gapTolerance ?? OPTION_DEFAULTS.gapTolerance,
  };
}
