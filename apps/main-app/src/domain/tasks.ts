import type { TaskName } from '@vidp/contracts';
import type { Video } from './model.js';

/** How main-app calls one processor, and when the task applies at all. */
export interface TaskSpec {
  name: TaskName;
  /** Method path on the processor app (its app id is the task name). */
  method: string;
  needs: 'audio' | 'video';
  /** Tasks whose result this one uses, waited for when they will run. */
  after: TaskName[];
  fields(video: Video): Record<string, string>;
}

export const TASK_SPECS: Record<TaskName, TaskSpec> = {
  langscale: {
    name: 'langscale',
    method: 'api/detect/upload',
    needs: 'audio',
    after: [],
    fields: () => ({ duration: '30', test_all_languages: 'true' }),
  },
  subtitle: {
    name: 'subtitle',
    method: 'api/subtitles/upload',
    needs: 'audio',
    // Subtitles use the language langscale found, unless the uploader gave one.
    after: ['langscale'],
    fields: (v): Record<string, string> => {
      const language = v.language ?? v.detectedLanguage;
      return language ? { language } : {};
    },
  },
  'animal-detect': {
    name: 'animal-detect',
    method: 'api/animals/upload',
    needs: 'video',
    after: [],
    fields: () => ({}),
  },
  downscale: {
    name: 'downscale',
    method: 'api/downscale/upload',
    needs: 'video',
    after: [],
    // HLS (fMP4, byte ranges) over the ladder: the web player's adaptive choice.
    fields: () => ({ hls: 'true' }),
  },
};

/** Why a requested task cannot run on this media (it is then skipped), or undefined. */
export function skipReason(spec: TaskSpec, media: Video['media']): string | undefined {
  if (spec.needs === 'audio' && !media.audio) return 'the video has no audio track';
  if (spec.needs === 'video' && !media.video) return 'the file has no video stream';
  return undefined;
}

/** Tasks this one must wait for: only those that were requested and are not skipped. */
export function waitsFor(spec: TaskSpec, video: Video): TaskName[] {
  if (spec.name === 'subtitle' && video.language) return [];
  return spec.after.filter((t) => video.requestedTasks.includes(t) && video.tasks[t]?.status !== 'skipped');
}
