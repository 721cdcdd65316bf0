import { franc } from 'franc';

const names = new Intl.DisplayNames(['en'], { type: 'language' });
/** Whisper's codes that are not BCP 47 / ISO 639-1. */
const SPECIAL: Record<string, string> = { jw: 'Javanese', haw: 'Hawaiian', yue: 'Cantonese' };

/** English name of a language code ("en" → "English"). */
export function languageName(code: string): string {
  if (SPECIAL[code]) return SPECIAL[code] as string;
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

/** ISO 639-3 (franc's answer) → ISO 639-1, for the languages both know well. */
const ISO3_TO_1: Record<string, string> = {
  eng: 'en',
  fra: 'fr',
  deu: 'de',
  spa: 'es',
  ita: 'it',
  por: 'pt',
  nld: 'nl',
  rus: 'ru',
  pol: 'pl',
  ukr: 'uk',
  ces: 'cs',
  slk: 'sk',
  swe: 'sv',
  dan: 'da',
  nob: 'no',
  nno: 'no',
  fin: 'fi',
  hun: 'hu',
  ron: 'ro',
  tur: 'tr',
  ell: 'el',
  bul: 'bg',
  hrv: 'hr',
  srp: 'sr',
  slv: 'sl',
  cat: 'ca',
  glg: 'gl',
  eus: 'eu',
  lit: 'lt',
  lav: 'lv',
  est: 'et',
  arb: 'ar',
  heb: 'he',
  pes: 'fa',
  hin: 'hi',
  ben: 'bn',
  urd: 'ur',
  ind: 'id',
  zlm: 'ms',
  vie: 'vi',
  tha: 'th',
  cmn: 'zh',
  jpn: 'ja',
  kor: 'ko',
  swh: 'sw',
  afr: 'af',
  isl: 'is',
  cym: 'cy',
  gle: 'ga',
  tgl: 'tl',
  tam: 'ta',
  tel: 'te',
  mar: 'mr',
  kat: 'ka',
};

/**
 * Text-based cross-check of a spoken-language guess: franc on the transcript (ISO 639-1 or
 * undefined when the text is too short or the language unknown to the table).
 */
export function textLanguage(text: string): string | undefined {
  const iso3 = franc(text, { minLength: 20, only: Object.keys(ISO3_TO_1) });
  return iso3 === 'und' ? undefined : ISO3_TO_1[iso3];
}
