declare module 'webvtt-parser' {
  export class WebVTTParser {
    parse(
      input: string,
      mode?: 'metadata' | 'chapters',
    ): { cues: { startTime: number; endTime: number; text: string }[]; errors: unknown[] };
  }
}

// hls.js's light build has the same API as the full one; its export map gives it no types.
declare module 'hls.js/light' {
  export { default } from 'hls.js';
}
