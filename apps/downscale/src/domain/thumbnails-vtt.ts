/** Geometry of the storyboard grid: thumbnail k shows the frame at k * intervalSec. */
export interface StoryboardGrid {
  columns: number;
  count: number;
  thumbWidth: number;
  thumbHeight: number;
  intervalSec: number;
}

function stamp(sec: number): string {
  const ms = Math.round(sec * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/**
 * The storyboard as a thumbnails WebVTT track (the form players read for seek-bar previews):
 * one cue per thumbnail, its text the image with a media fragment (`#xywh=`) of the tile.
 * The image is named relatively, so the track works wherever both files are served side by side.
 */
export function thumbnailsVtt(grid: StoryboardGrid, durationSec: number, image = 'storyboard.jpg'): string {
  const lines = ['WEBVTT', ''];
  for (let k = 0; k < grid.count; k++) {
    const start = k * grid.intervalSec;
    const end = k === grid.count - 1 ? Math.max(durationSec, start + 0.001) : (k + 1) * grid.intervalSec;
    const x = (k % grid.columns) * grid.thumbWidth;
    const y = Math.floor(k / grid.columns) * grid.thumbHeight;
    lines.push(
      `${stamp(start)} --> ${stamp(end)}`,
      `${image}#xywh=${x},${y},${grid.thumbWidth},${grid.thumbHeight}`,
      '',
    );
  }
  return lines.join('\n');
}
