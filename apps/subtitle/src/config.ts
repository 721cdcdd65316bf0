import { serviceConfigSchema } from '@vidp/service-kit';
import { speechConfigFields } from '@vidp/speech';
import type { z } from 'zod';

/** Environment of subtitle: the kit's settings plus the speech engine's. */
export const subtitleConfigSchema = serviceConfigSchema('subtitle', 8003).extend(speechConfigFields);
export type SubtitleConfig = z.infer<typeof subtitleConfigSchema>;
