import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codePointOf, firstOutsideWindows31j, hasControlCharacter, isWindows31j, normalizeKanaName } from './repertoire.ts';

test('Windows-31J carries JIS X 0208, half-width kana and the NEC and IBM extensions', () => {
  for (const text of ['山田 太郎', 'ヤマダ', 'ｶﾀｶﾅ', '髙﨑', '①㈱Ⅲ㍻', 'ⅰ￢∵', '～－∥', 'ABC-123 (株)', '東京都千代田区丸の内１－１']) {
    assert.ok(isWindows31j(text), text);
  }
});

test('Windows-31J does not carry emoji, JIS X 0213 kanji, accented letters, U+FFFD or the JIS-standard code points Windows maps elsewhere', () => {
  for (const [text, char] of [
    ['山田😀', '😀'],
    ['𠮷野', '𠮷'],
    ['Renée', 'é'],
    ['山\ufffd', '\ufffd'],
    ['10〜20', '〜'],
    ['−5', '−'],
    ['—', '—'],
    ['‖', '‖'],
    ['¢', '¢'],
  ]) {
    assert.equal(isWindows31j(text!), false, text);
    assert.equal(firstOutsideWindows31j(text!), char, text);
  }
  assert.equal(firstOutsideWindows31j('山田'), undefined);
});

test('control characters and bidirectional controls are always found; tab and line breaks only outside multi-line text', () => {
  for (const char of ['\u0000', '\u001b', '\u007f', '\u0085', '\u202e', '\u202a', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c']) {
    assert.ok(hasControlCharacter(`a${char}b`), codePointOf(char));
    assert.ok(hasControlCharacter(`a${char}b`, { multiline: true }), codePointOf(char));
  }
  assert.ok(hasControlCharacter('a\nb'));
  assert.equal(hasControlCharacter('a\r\n\tb', { multiline: true }), false);
  assert.equal(hasControlCharacter('山田 太郎'), false);
});

test('a character is named by its code point, outside the BMP too', () => {
  assert.equal(codePointOf('😀'), 'U+1F600');
  assert.equal(codePointOf('\u202e'), 'U+202E');
  assert.equal(codePointOf('A'), 'U+0041');
});

test('kana names are NFKC-normalised with stand-alone voicing marks joined', () => {
  assert.equal(normalizeKanaName('ﾔﾏﾀﾞ  ﾀﾛｳ'), 'ヤマダ タロウ');
  assert.equal(normalizeKanaName('カ゛ハ゜'), 'ガパ');
  assert.equal(normalizeKanaName('やまだ　はなこ'), 'やまだ はなこ');
});
