import type { MediaInfo } from '@vidp/media';

/**
 * Peak and average bandwidth (bit/s) of a single-file fMP4 variant, from its byte ranges:
 * players pick a variant by these, so they must be the real figures, not the encoder's target.
 */
export function variantBandwidth(playlist: string): { bandwidth: number; averageBandwidth: number } {
  let duration: number | undefined;
  let peak = 0;
  let bytes = 0;
  let seconds = 0;
  for (const line of playlist.split('\n')) {
    const inf = /^#EXTINF:([\d.]+)/.exec(line);
    if (inf) duration = Number(inf[1]);
    const range = /^#EXT-X-BYTERANGE:(\d+)/.exec(line);
    if (range && duration) {
      const size = Number(range[1]);
      peak = Math.max(peak, (size * 8) / duration);
      bytes += size;
      seconds += duration;
      duration = undefined;
    }
  }
  return { bandwidth: Math.ceil(peak), averageBandwidth: seconds ? Math.ceil((bytes * 8) / seconds) : 0 };
}

const AVC_PROFILES: Record<string, string> = {
  'Constrained Baseline': '42c0',
  Baseline: '4200',
  Main: '4d00',
  High: '6400',
};

/** RFC 6381 codec string of an H.264 (+ AAC-LC) rendition, as HLS players expect in CODECS. */
export function codecsOf(info: MediaInfo): string {
  const v = info.video;
  const profile = AVC_PROFILES[v?.profile ?? 'High'] ?? '6400';
  const level = (v?.level ?? 40).toString(16).padStart(2, '0');
  return [`avc1.${profile}${level}`, ...(info.audio ? ['mp4a.40.2'] : [])].join(',');
}

/** The master playlist over the ladder, highest rendition first. */
export function masterPlaylist(
  variants: { name: string; info: MediaInfo; bandwidth: number; averageBandwidth: number }[],
): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    const video = v.info.video;
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      `CODECS="${codecsOf(v.info)}"`,
      ...(video ? [`RESOLUTION=${video.displayWidth}x${video.displayHeight}`] : []),
      ...(video?.fps ? [`FRAME-RATE=${video.fps.toFixed(3)}`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, `${v.name}.m3u8`);
  }
  return `${lines.join('\n')}\n`;
}
