export * from './ffmpeg-error.js';
export * from './frames.js';
export * from './limits.js';
export * from './probe.js';
export * from './run.js';
