import { runTool } from '@vidp/media';
import type { ReadinessCheck } from '@vidp/service-kit';

/** `/ready` fails while ffmpeg or ffprobe cannot run here: every job would fail anyway. */
export function ffmpegReadiness(): ReadinessCheck {
  let ok = false;
  return {
    name: 'ffmpeg',
    async check() {
      // Binaries do not vanish from a running replica: once found, no need to ask again.
      if (ok) return { ok };
      try {
        await Promise.all([
          runTool('ffmpeg', ['-hide_banner', '-version'], { timeoutMs: 5000 }),
          runTool('ffprobe', ['-hide_banner', '-version'], { timeoutMs: 5000 }),
        ]);
        ok = true;
        return { ok };
      } catch (err) {
        return { ok: false, reason: (err as Error).message };
      }
    },
  };
}
