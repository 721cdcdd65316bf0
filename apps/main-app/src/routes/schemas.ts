import { TASKS } from '@vidp/contracts';
import { z } from 'zod';
import { IngestError, parseTaskList } from '../domain/ingest.js';

export const VIDEO_STATUSES = ['processing', 'completed', 'partial', 'failed', 'cancelled'] as const;

const NAMES = `(?:${TASKS.join('|')})`;
/** A comma-separated list of task names (or nothing: every task); said in the OpenAPI document too. */
const TASK_LIST = new RegExp(`^\\s*(?:${NAMES}(?:\\s*,\\s*${NAMES})*)?\\s*$`);

export const uploadFieldsSchema = z
  .object({
    title: z.string().trim().max(200).optional(),
    language: z
      .string()
      .regex(/^[a-z]{2}$/, 'language must be an ISO 639-1 code such as "en" or "fr"')
      .optional(),
    tasks: z
      .string()
      .max(200)
      .regex(TASK_LIST, {
        error: (issue) => {
          try {
            parseTaskList(String(issue.input));
          } catch (err) {
            if (err instanceof IngestError) return err.message;
          }
          return `tasks: a comma-separated subset of ${TASKS.join(', ')}`;
        },
      })
      .optional(),
  })
  .strict();

export const listQuerySchema = z
  .object({
    status: z.enum(VIDEO_STATUSES).optional(),
    language: z
      .string()
      .regex(/^[a-z]{2}$/)
      .optional(),
    species: z
      .string()
      .regex(/^[a-z ]{2,40}$/)
      .optional(),
    q: z
      .string()
      .max(200)
      // An emptied search box is no search; one without a word of two letters or digits finds nothing.
      .transform((s) => s.trim() || undefined)
      .optional()
      .describe(
        'Words said in the video or in its title (all must match; the last one as a prefix). ' +
          'Words are two or more letters or digits: a search without one finds nothing; an empty one is no filter.',
      ),
    sort: z.enum(['newest', 'oldest']).default('newest'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

export const videoIdSchema = z.string().uuid('not a video id');

/** A zod error as one sentence a person can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
}
