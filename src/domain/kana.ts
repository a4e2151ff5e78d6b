/**
 * Kana name normalisation, for comparing customer names (relay checks "需要者名義不一致") and for
 * prefix search on the relay lists. Names arrive as typed into web forms, from retailers' CSV
 * files (often half-width katakana, from systems built for bank transfer formats) and from APIs, so
 * the same name comes in many spellings. The normalised form is for comparison only; the name as
 * given is what is stored and shown. Each step, in order:
 *
 * 1. Stand-alone voiced marks ゛゜ become combining marks, so that "カ゛" joins into ガ in step 2.
 * 2. NFKC: half-width katakana become full-width (ﾀﾞ → ダ), full-width letters and digits ASCII,
 *    the full-width space a space.
 * 3. Hiragana become katakana (やまだ → ヤマダ; ゔ → ヴ): forms accept either.
 * 4. Small kana become large (キャノン → キヤノン, ッ → ツ): bank-format half-width kana has no small
 *    letters, so names that passed through such systems lost them.
 * 5. Dashes, hyphens and minus signs become the long vowel mark ー: in half-width data "-" is often
 *    typed for ｰ (ｺ-ﾋ- for コーヒー).
 * 6. Whitespace (ASCII and full-width) and the middle dot ・ go: people separate family and given
 *    name, or the parts of a foreign name, with either or with nothing.
 * 7. Latin letters are upper-cased, for company names written partly in Latin letters.
 *
 * ヴ stays ヴ and is not turned into ブ: ヴ is how the name is registered, and ブ is a different name.
 */

const voicedMarks = /[\u309b\u309c]/g;
const hiragana = /[\u3041-\u3096\u309d\u309e]/g;
const smallKana: Readonly<Record<string, string>> = {
  ァ: 'ア',
  ィ: 'イ',
  ゥ: 'ウ',
  ェ: 'エ',
  ォ: 'オ',
  ッ: 'ツ',
  ャ: 'ヤ',
  ュ: 'ユ',
  ョ: 'ヨ',
  ヮ: 'ワ',
  ヵ: 'カ',
  ヶ: 'ケ',
};
const smallKanaPattern = /[ァィゥェォッャュョヮヵヶ]/g;
const dashes = /[-\u2010-\u2015\u2212\ufe63]/g;
const separators = /[\s・]/g;

export function normalizeKana(name: string): string {
  return name
    .replace(voicedMarks, (m) => (m === '\u309b' ? '\u3099' : '\u309a'))
    .normalize('NFKC')
    .replace(hiragana, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
    .replace(smallKanaPattern, (c) => smallKana[c] ?? c)
    .replace(dashes, 'ー')
    .replace(separators, '')
    .toUpperCase();
}

/** Whether a name starts with a prefix, both normalised. An empty prefix matches every name. */
export function kanaPrefixMatches(name: string, prefix: string): boolean {
  return normalizeKana(name).startsWith(normalizeKana(prefix));
}
