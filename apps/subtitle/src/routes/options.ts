import { badRequest } from '@vidp/service-kit';
import { z } from 'zod';

/** The multipart fields next to `file`; `language` must be one the engine knows. */
export function parseSubtitleFields(fields: Record<string, string>, languages: string[]) {
  const schema = z.strictObject({
    language: z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => v === 'auto' || languages.includes(v), {
        message: `language must be a language code the engine knows (such as "en", "fr", "de") or "auto"`,
      })
      .transform((v) => (v === 'auto' ? undefined : v))
      .optional(),
    translate: z
      .enum(['true', 'false'], { message: 'translate must be "true" or "false"' })
      .transform((v) => v === 'true')
      .default(false),
  });
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
    );
    throw badRequest(problems.join('; '), { problems });
  }
  return parsed.data;
}
