import { DEFAULT_MAX_PIXELS } from '@vidp/media';
import { loadConfig, runMain, startService } from '@vidp/service-kit';
import { ffmpegReadiness } from './adapters/ffmpeg-readiness.js';
import { ffmpegTools } from './adapters/ffmpeg-tools.js';
import { downscaleConfigSchema } from './config.js';
import { JobSlots } from './routes/job-slots.js';
import { uploadRoute } from './routes/upload.js';

// The downscale processor: an H.264/AAC rendition ladder, poster, storyboard and optional HLS.
// Stateless: the source arrives in the request, outputs leave in the response.
runMain(async () => {
  const config = loadConfig(downscaleConfigSchema);
  const tools = ffmpegTools({
    timeoutMs: config.FFMPEG_TIMEOUT_SEC * 1000,
    nice: config.FFMPEG_NICE,
    maxPixels: Math.min(DEFAULT_MAX_PIXELS, config.MAX_SOURCE_DIMENSION ** 2),
  });
  const limits = { maxDurationSec: config.MAX_DURATION_SEC, maxDimension: config.MAX_SOURCE_DIMENSION };
  const slots = new JobSlots(config.MAX_CONCURRENT_JOBS);
  await startService({
    config,
    routes: (app, ctx) => uploadRoute(app, ctx, { tools, limits, slots }),
    readiness: [ffmpegReadiness()],
  });
});
