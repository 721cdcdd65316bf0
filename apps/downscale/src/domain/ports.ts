import type { MediaInfo } from '@vidp/media';
import type { LadderPlan } from './ladder.js';

/** What the job needs from the media toolbox; the ffmpeg adapter implements it. */
export interface MediaTools {
  /** Identifies a file by its bytes; throws SourceRejected for anything that is not usable media. */
  probe(path: string, signal?: AbortSignal): Promise<MediaInfo>;
  /**
   * Decodes the source once and writes every rendition, the poster and the storyboard into
   * `dir`. Throws SourceRejected when the source cannot be decoded or takes too long.
   */
  encode(
    source: { path: string; info: MediaInfo },
    plan: LadderPlan,
    dir: string,
    ctl: Control,
  ): Promise<EncodedFiles>;
  /** Packages finished renditions as HLS (one master playlist) without re-encoding. */
  packageHls(renditions: { name: string; path: string }[], dir: string, ctl: Control): Promise<HlsFiles>;
}

export interface Control {
  signal?: AbortSignal;
  /** Seconds of output written so far. */
  onProgress?(seconds: number): void;
}

export interface EncodedFiles {
  renditions: Map<string, string>;
  /** Absent when the source had no frame at the poster time. */
  poster?: string;
  storyboard?: string;
}

export interface HlsFiles {
  master: string;
  variants: Map<string, { playlist: string; media: string; bandwidth: number; averageBandwidth: number }>;
}
