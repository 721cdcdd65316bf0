import { serviceConfigSchema } from '@vidp/service-kit';
import { z } from 'zod';

/** Environment of the downscale service: the kit's settings plus this job's limits. */
export const downscaleConfigSchema = serviceConfigSchema('downscale', 8001).extend({
  /** Sources longer than this are refused before any encoding (422). */
  MAX_DURATION_SEC: z.coerce.number().positive().default(3600),
  /** Sources whose width or height is above this are refused (422); also bounds the decoder. */
  MAX_SOURCE_DIMENSION: z.coerce.number().int().min(16).max(16384).default(4096),
  /** ffmpeg is killed after this long, whatever it is doing. */
  FFMPEG_TIMEOUT_SEC: z.coerce.number().positive().default(7200),
  /** CPU niceness of ffmpeg, so health checks and uploads stay responsive during a job. */
  FFMPEG_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** Jobs encoded at once by one replica; the others wait their turn (one job fills the CPUs). */
  MAX_CONCURRENT_JOBS: z.coerce.number().int().min(1).max(16).default(1),
});

export type DownscaleConfig = z.infer<typeof downscaleConfigSchema>;
