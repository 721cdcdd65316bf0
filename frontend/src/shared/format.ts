/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '–';
  const s = Math.floor(sec % 60);
  const m = Math.floor(sec / 60) % 60;
  const h = Math.floor(sec / 3600);
  const ss = String(s).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Spoken form for screen readers: "1 minute 15 seconds". */
export function durationLabel(sec: number): string {
  const h = Math.floor(sec / 3600);
  const m = Math.floor(sec / 60) % 60;
  const s = Math.floor(sec % 60);
  const parts = [
    h && `${h} hour${h > 1 ? 's' : ''}`,
    m && `${m} minute${m > 1 ? 's' : ''}`,
    `${s} second${s === 1 ? '' : 's'}`,
  ];
  return parts.filter(Boolean).join(' ');
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${UNITS[i]}`;
}

export const formatSpeed = (bytesPerSec: number) => `${formatBytes(bytesPerSec)}/s`;

export const percent = (fraction: number) => `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)} %`;

/** "en" → "English" (in the page's language), falling back to the code. */
export function languageName(code: string | null | undefined, locale = 'en'): string {
  if (!code) return 'Unknown';
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Languages offered when the uploader knows the spoken one (ISO 639-1). */
export const KNOWN_LANGUAGES = [
  'en',
  'fr',
  'de',
  'es',
  'it',
  'pt',
  'nl',
  'pl',
  'ru',
  'uk',
  'sv',
  'da',
  'no',
  'fi',
  'cs',
  'el',
  'tr',
  'ar',
  'he',
  'hi',
  'ja',
  'ko',
  'zh',
  'vi',
  'id',
] as const;

/** The animals the default detector recognises (COCO animal classes). */
export const KNOWN_SPECIES = [
  'bird',
  'cat',
  'dog',
  'horse',
  'sheep',
  'cow',
  'elephant',
  'bear',
  'zebra',
  'giraffe',
] as const;
