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

/**
 * The first line ffmpeg printed, fit to show a caller: at most 200 characters, and the
 * file's own (temp folder) path replaced, so no internal path leaks into an answer.
 */
export function ffmpegReason(stderrTail: string, path?: string): string {
  const line =
    stderrTail
      .split('\n')
      .find((l) => l.trim())
      ?.trim()
      .slice(0, 200) ?? '';
  if (!path) return line;
  return line
    .replace(`file:${path}: `, '')
    .replaceAll(`file:${path}`, 'the file')
    .replaceAll(path, 'the file');
}
