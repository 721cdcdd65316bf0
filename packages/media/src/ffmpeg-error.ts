/** ffmpeg/ffprobe failed; `stderrTail` holds the end of what it printed (never a shell line). */
export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(message);
  }
}

/** The media is not something VidP accepts (wrong format, no stream, over a limit). */
export class UnsupportedMediaError extends Error {}
