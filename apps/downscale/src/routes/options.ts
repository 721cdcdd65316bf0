import { badRequest } from '@vidp/service-kit';
import { z } from 'zod';
import { AUDIO_KBPS_BOUNDS, CRF_BOUNDS, MAX_RUNGS, PRESETS, RUNG_BOUNDS } from '../domain/defaults.js';
import type { LadderOptions } from '../domain/ladder.js';

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\s*\d+\s*$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/**
 * The multipart fields next to `file`. Unknown fields are refused, so a misspelt option is
 * an error instead of a silently ignored wish.
 */
export const uploadFieldsSchema = z.strictObject({
  heights: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'heights must be a comma-separated list such as "720,480,360"')
    .transform((s) => s.split(',').map(Number))
    .pipe(
      z
        .array(z.number().int().min(RUNG_BOUNDS.min).max(RUNG_BOUNDS.max))
        .min(1)
        .max(MAX_RUNGS, `at most ${MAX_RUNGS} heights`),
    )
    .optional(),
  preset: z.enum(PRESETS).optional(),
  crf: int('crf', CRF_BOUNDS.min, CRF_BOUNDS.max).optional(),
  audio_bitrate_kbps: int('audio_bitrate_kbps', AUDIO_KBPS_BOUNDS.min, AUDIO_KBPS_BOUNDS.max).optional(),
  hls: z
    .enum(['true', 'false'], { message: 'hls must be "true" or "false"' })
    .transform((v) => v === 'true')
    .optional(),
});

/** Validates the fields; a problem becomes a 400 that lists every bad field. */
export function parseUploadFields(fields: Record<string, string>): LadderOptions {
  const parsed = uploadFieldsSchema.safeParse(fields);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({
      field: i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(', ') : '(form)'),
      message: i.message,
    }));
    throw badRequest(`Invalid options: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}.`, {
      errors,
    });
  }
  const f = parsed.data;
  return {
    ...(f.heights ? { rungs: f.heights } : {}),
    ...(f.preset ? { preset: f.preset } : {}),
    ...(f.crf !== undefined ? { crf: f.crf } : {}),
    ...(f.audio_bitrate_kbps !== undefined ? { audioKbps: f.audio_bitrate_kbps } : {}),
    ...(f.hls !== undefined ? { hls: f.hls } : {}),
  };
}
