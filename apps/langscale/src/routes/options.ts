import { badRequest } from '@vidp/service-kit';
import { z } from 'zod';
import { DURATION_BOUNDS } from '../domain/detect-language.js';

/** The multipart fields next to `file` (the contract existing clients use). */
export const detectFieldsSchema = z.strictObject({
  duration: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'duration must be a number of seconds, such as "30"')
    .transform(Number)
    .pipe(
      z
        .number()
        .min(DURATION_BOUNDS.min, `duration must be at least ${DURATION_BOUNDS.min} s`)
        .max(DURATION_BOUNDS.max, `duration must be at most ${DURATION_BOUNDS.max} s`),
    )
    .default(DURATION_BOUNDS.default),
  test_all_languages: z
    .enum(['true', 'false'], { message: 'test_all_languages must be "true" or "false"' })
    .transform((v) => v === 'true')
    .default(false),
});

export function parseDetectFields(fields: Record<string, string>) {
  const parsed = detectFieldsSchema.safeParse(fields);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
    );
    throw badRequest(problems.join('; '), { problems });
  }
  return parsed.data;
}
