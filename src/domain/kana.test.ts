import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kanaPrefixMatches, normalizeKana } from './kana.ts';

test('a name typed in full-width katakana, hiragana or half-width katakana is the same name', () => {
  const forms = ['ヤマダ　タロウ', 'やまだたろう', 'ﾔﾏﾀﾞ ﾀﾛｳ', 'ヤマダ タロウ', 'やまだ　たろう'];
  for (const form of forms) assert.equal(normalizeKana(form), 'ヤマダタロウ', form);
});

test('half-width voiced and semi-voiced marks join their kana', () => {
  assert.equal(normalizeKana('ｻﾄｳ ｼﾞﾛｳ'), 'サトウジロウ');
  assert.equal(normalizeKana('ﾎﾟﾝﾀﾞ'), 'ポンダ');
  assert.equal(normalizeKana('カ゛ハ゜'), 'ガパ'); // stand-alone marks ゛゜
  assert.equal(normalizeKana('カ\u3099'), 'ガ'); // combining mark
});

test('small kana compare equal to large ones, as bank-format data has no small kana', () => {
  assert.equal(normalizeKana('キャノン'), normalizeKana('ｷﾔﾉﾝ'));
  assert.equal(normalizeKana('ハットリ ショウコ'), 'ハツトリシヨウコ');
  assert.equal(normalizeKana('きょうこ'), 'キヨウコ');
  assert.equal(normalizeKana('ヶ'), 'ケ');
});

test('long vowel marks typed as dashes, hyphens or minus signs become ー', () => {
  for (const form of ['コーヒー', 'ｺｰﾋｰ', 'コ-ヒ-', 'コ‐ヒ‐', 'コ－ヒ－', 'コ−ヒ−', 'コ―ヒ―']) {
    assert.equal(normalizeKana(form), 'コーヒー', form);
  }
});

test('spaces and middle dots between the parts of a name are ignored', () => {
  assert.equal(normalizeKana('スミス・ジョン'), normalizeKana('ｽﾐｽ ｼﾞｮﾝ'));
  assert.equal(normalizeKana(' ヤマダ\tタロウ '), 'ヤマダタロウ');
});

test('ヴ stays ヴ from every spelling and never equals ブ', () => {
  assert.equal(normalizeKana('ｳﾞｨﾗ'), 'ヴイラ');
  assert.equal(normalizeKana('ゔぃら'), 'ヴイラ');
  assert.notEqual(normalizeKana('ヴイラ'), normalizeKana('ブイラ'));
});

test('Latin letters and digits in company names are compared in ASCII upper case', () => {
  assert.equal(normalizeKana('ｶ) ＡＢＣショウジ'), normalizeKana('カ)abcシヨウジ'));
});

test('different names stay different', () => {
  assert.notEqual(normalizeKana('ヤマダ タロウ'), normalizeKana('ヤマダ ハナコ'));
  assert.notEqual(normalizeKana('サトウ'), normalizeKana('サドウ'));
});

test('prefix search finds a name from its first kana in any spelling', () => {
  assert.equal(kanaPrefixMatches('ヤマダ　タロウ', 'やまだ'), true);
  assert.equal(kanaPrefixMatches('ﾔﾏﾀﾞ ﾀﾛｳ', 'ヤマダ タ'), true);
  assert.equal(kanaPrefixMatches('キャノン', 'きや'), true);
  assert.equal(kanaPrefixMatches('ヤマダ　タロウ', 'ヤマモト'), false);
  assert.equal(kanaPrefixMatches('ヤマダ', 'ヤマダタロウ'), false);
});

test('an empty prefix matches every name', () => {
  assert.equal(kanaPrefixMatches('ヤマダ タロウ', ''), true);
  assert.equal(kanaPrefixMatches('ヤマダ タロウ', '　'), true);
});
