/**
 * The characters a text field may hold. Names and addresses end up in the market's Shift_JIS CSV
 * files and in XML messages, so a value is accepted only when every character survives both:
 *
 * - Windows-31J (CP932): JIS X 0201 (ASCII and half-width katakana), JIS X 0208 (kana, 6,355
 *   kanji, symbols) and the vendor extensions every Japanese Windows system writes: NEC special
 *   characters (①, Ⅰ, ㈱, ㍻), NEC-selected IBM extensions and IBM extensions (髙, 﨑, ⅰ, ￢).
 *   Encodability is decided by iconv-lite's table, not ours: a character is carried when it
 *   encodes to Windows-31J and decodes back to itself. Emoji, accented Latin letters, JIS X 0213
 *   kanji (𠮷), U+FFFD and the JIS-standard code points of a few JIS X 0208 symbols that Windows
 *   maps elsewhere (〜 U+301C, − U+2212, — U+2014, ‖ U+2016, ¢ £ ¬) are not: their Windows-31J
 *   forms are ～ U+FF5E, － U+FF0D, ― U+2015, ∥ U+2225, ￠ ￡ ￢.
 * - Never control characters (C0 except tab and line breaks in multi-line fields, DEL, C1) nor
 *   bidirectional controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069): they are invisible
 *   and can make a name display as something else ("Trojan Source"). They are refused in every
 *   field, whatever its repertoire.
 */
import iconv from 'iconv-lite';

/**
 * - windows31j: what Windows-31J carries (free text: kanji names, addresses, notes, identifiers).
 * - kana: kana names. After NFKC, katakana, hiragana, the long vowel mark, the middle dot,
 *   spaces and the Latin letters, digits and punctuation of company names in kana ("カ)ヤマダ"),
 *   all within Windows-31J (so ゔ U+3094 and ㇰ U+31F0 are not: ヴ and ク are).
 */
export type Repertoire = 'windows31j' | 'kana';

/** How the API documents (OpenAPI in English, the WSDL's XSD annotations in Japanese) state a repertoire. */
export const repertoireDescriptions: Readonly<Record<Repertoire, { readonly en: string; readonly ja: string }>> = {
  windows31j: {
    en:
      'Characters: what Windows-31J (CP932) carries — JIS X 0201, JIS X 0208 and the NEC and IBM extensions — taken as typed, no normalisation; ' +
      'others (emoji, JIS X 0213 kanji, U+301C 〜: use U+FF5E ～) are refused with IF_CHARACTER_NOT_ALLOWED, control and bidirectional control characters with IF_CONTROL_CHARACTER.',
    ja:
      '使用できる文字: Windows-31J（JIS X 0201、JIS X 0208、NEC・IBM拡張文字）で表せる文字（入力どおりに記録）。' +
      'それ以外（絵文字、JIS X 0213の漢字、U+301C 〜 など）は IF_CHARACTER_NOT_ALLOWED、制御文字・書字方向の制御文字は IF_CONTROL_CHARACTER。',
  },
  kana: {
    en:
      "Characters: kana (katakana, hiragana, ー, ・), spaces and the Latin letters, digits and ( ) . , - / & ' of company names, after NFKC " +
      '(half-width kana become full-width), within Windows-31J; others are refused with IF_NOT_KANA or IF_CHARACTER_NOT_ALLOWED.',
    ja:
      "使用できる文字: NFKC正規化（半角カナは全角）のうえ、カナ（カタカナ、ひらがな、ー、・）、空白、会社名の英数字と記号 ( ) . , - / & ' で、" +
      'Windows-31Jで表せる文字。それ以外は IF_NOT_KANA または IF_CHARACTER_NOT_ALLOWED。',
  },
};

const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
const lineBreaks = /[\t\n\r]/;
const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Whether the text holds a control or bidirectional control character (tab and line breaks only when `multiline`). */
export function hasControlCharacter(text: string, options: { readonly multiline?: boolean } = {}): boolean {
  return controls.test(text) || bidiControls.test(text) || (!options.multiline && lineBreaks.test(text));
}

/**
 * What iconv-lite said of each BMP character asked about so far: 0 not asked, 1 carried, 2 not.
 * 64 KiB, whatever the input: a bulk file of 100,000 rows asks the table once per distinct character.
 */
const bmp = new Uint8Array(0x10000);

/** Whether Windows-31J carries the character: it encodes and decodes back to itself (a stateless code, so one character at a time is the whole answer). */
function carries(char: string): boolean {
  const cp = char.codePointAt(0)!;
  if (cp < 0x80) return true;
  if (cp <= 0xffff && bmp[cp] !== 0) return bmp[cp] === 1;
  const yes = iconv.decode(iconv.encode(char, 'cp932'), 'cp932') === char;
  if (cp <= 0xffff) bmp[cp] = yes ? 1 : 2;
  return yes;
}

/** Whether Windows-31J carries every character of the text (controls aside: see hasControlCharacter). */
export function isWindows31j(text: string): boolean {
  return firstOutsideWindows31j(text) === undefined;
}

/** The first character of the text that Windows-31J does not carry, or undefined. */
export function firstOutsideWindows31j(text: string): string | undefined {
  // ASCII is always carried: most identifiers and codes need no table look-up.
  if (/^[\u0000-\u007f]*$/.test(text)) return undefined;
  for (const char of text) if (!carries(char)) return char;
  return undefined;
}

/** "U+1F600": how a refusal names a character that may not even display. */
export function codePointOf(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Kana names after NFKC: katakana and hiragana, the long vowel mark, the middle dot, voicing marks,
 * spaces, and the Latin letters, digits and punctuation of company names in kana ("カ)ヤマダ").
 */
const kanaName = /^[\p{Script=Katakana}\p{Script=Hiragana}\u30fc\u30fb\u3099-\u309c A-Za-z0-9().,\-/&']+$/u;

/** Whether a kana name (already NFKC-normalised) uses only kana-name characters. */
export function isKanaName(text: string): boolean {
  return kanaName.test(text);
}

/**
 * A kana name as stored: stand-alone voicing marks joined to their kana ("カ゛" → "ガ", as
 * normalizeKana does), NFKC (half-width katakana become full-width: "ﾔﾏﾀﾞ" → "ヤマダ"), runs of
 * spaces one space.
 */
export function normalizeKanaName(text: string): string {
  return text
    .replace(/(?<=[\p{Script=Katakana}\p{Script=Hiragana}])[\u309b\u309c]/gu, (m) => (m === '\u309b' ? '\u3099' : '\u309a'))
    .normalize('NFKC')
    .replace(/\s+/g, ' ');
}
