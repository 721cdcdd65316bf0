import { TASKS, type TaskName } from '@vidp/contracts';
import { z } from 'zod';
import { VIDEO_STATUSES } from './schemas.js';

/**
 * The shapes the API answers with. The view functions are typed by them and the OpenAPI
 * document is generated from them, so the document cannot drift from the answers.
 */

const TASK_STATUSES = ['pending', 'running', 'retrying', 'done', 'failed', 'skipped', 'cancelled'] as const;

const perTask = <T extends z.ZodType>(schema: T) =>
  z
    .object(
      Object.fromEntries(TASKS.map((t) => [t, schema.optional()])) as Record<TaskName, z.ZodOptional<T>>,
    )
    .describe('One entry per requested task');

const isoTime = z.string().describe('ISO 8601 time');

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
});

const outputSchema = z.object({
  name: z.string(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number(),
  url: z.string(),
});

const taskDetailSchema = z.object({
  status: z.enum(TASK_STATUSES),
  attempts: z.number().int(),
  progress: z.number().optional(),
  startedAt: isoTime.optional(),
  finishedAt: isoTime.optional(),
  lastError: z.string().optional(),
  reason: z.string().optional(),
  result: z.unknown().optional().describe("The processor's result, as it answered"),
  outputs: z.array(outputSchema),
});

const mediaSchema = z.object({
  container: z.string(),
  durationSec: z.number(),
  sizeBytes: z.number(),
  video: z
    .object({
      codec: z.string(),
      width: z.number(),
      height: z.number(),
      fps: z.number(),
      rotation: z.number(),
    })
    .optional(),
  audio: z
    .object({
      codec: z.string(),
      channels: z.number(),
      sampleRate: z.number(),
      bitRate: z.number().optional(),
      durationSec: z.number().optional(),
    })
    .optional(),
});

export const videoDetailSchema = z.object({
  id: z.string(),
  title: z.string(),
  filename: z.string(),
  status: z.enum(VIDEO_STATUSES),
  size: z.number(),
  sha256: z.string(),
  media: mediaSchema,
  language: z.string().nullable(),
  uploaderLanguage: z.string().nullable(),
  species: z.array(z.string()),
  createdAt: isoTime,
  updatedAt: isoTime,
  completedAt: isoTime.nullable(),
  tasks: perTask(taskDetailSchema),
  links: z.object({ self: z.string(), original: z.string(), events: z.string() }),
});

export const videoSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(VIDEO_STATUSES),
  createdAt: isoTime,
  completedAt: isoTime.nullable(),
  durationSec: z.number(),
  width: z.number().nullable().describe('Displayed picture size; null for audio'),
  height: z.number().nullable(),
  language: z.string().nullable(),
  species: z.array(z.string()),
  poster: z.string().nullable().describe('Link to the poster image, once downscale made one'),
  storyboard: z
    .object({
      url: z.string(),
      columns: z.number(),
      rows: z.number(),
      count: z.number(),
      thumbWidth: z.number(),
      thumbHeight: z.number(),
      intervalSec: z.number(),
    })
    .nullable()
    .describe('A grid of thumbnails, one every intervalSec, left to right then down'),
  tasks: perTask(z.object({ status: z.enum(TASK_STATUSES), progress: z.number().optional() })),
  links: z.object({ self: z.string(), events: z.string() }),
});

export const videoPageSchema = z.object({
  items: z.array(videoSummarySchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const uploadAnswerSchema = z.object({ duplicate: z.boolean(), video: videoDetailSchema });

export type VideoDetailView = z.infer<typeof videoDetailSchema>;
export type VideoSummaryView = z.infer<typeof videoSummarySchema>;
