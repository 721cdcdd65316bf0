import { serviceConfigSchema } from '@vidp/service-kit';
import { speechConfigFields } from '@vidp/speech';
import type { z } from 'zod';

/** Environment of langscale: the kit's settings plus the speech engine's. */
export const langscaleConfigSchema = serviceConfigSchema('langscale', 8002).extend(speechConfigFields);
export type LangscaleConfig = z.infer<typeof langscaleConfigSchema>;
