import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCustomer } from '../testing.ts';
import type { Customer } from '../registry/facility.ts';
import type { IsoDate } from '../../domain/date.ts';
import {
  addressContainsStreet,
  generateUsagePassword,
  hashUsagePassword,
  identityMismatch,
  normalizeUsagePassword,
  usagePasswordAlphabet,
  usagePasswordApplicationNumber,
  usagePasswordMatches,
  usagePasswordValidity,
} from './usage-password.ts';

const customer: Customer = {
  customerId: 1,
  nameKanji: defaultCustomer.nameKanji,
  nameKana: 'ヤマダ　ハナコ',
  phone: '090-1234-5678',
  address: { prefecture: '東京都', city: '千代田区', street: '本町2丁目14番3号', building: 'コーポ本町 203号室' },
};

const claim = (over: { customerNameKana?: string; phoneNumber?: string | null; address?: string | null }) => ({
  customerNameKana: 'ヤマダ ハナコ',
  phoneNumber: null,
  address: null,
  ...over,
});

test('the identity matches on the kana name in any width or kana and the phone digits in any format', () => {
  assert.equal(identityMismatch(claim({ phoneNumber: '090-1234-5678' }), customer), undefined);
  assert.equal(identityMismatch(claim({ customerNameKana: 'ﾔﾏﾀﾞ ﾊﾅｺ', phoneNumber: '09012345678' }), customer), undefined);
  assert.equal(identityMismatch(claim({ customerNameKana: 'やまだはなこ', phoneNumber: '０９０（１２３４）５６７８' }), customer), undefined);
});

test('the identity matches on the name and an address that contains the registered street', () => {
  assert.equal(identityMismatch(claim({ address: '東京都千代田区本町2丁目14番3号 コーポ本町203' }), customer), undefined);
  assert.equal(identityMismatch(claim({ address: '千代田区本町２－１４－３' }), customer), undefined);
  assert.equal(identityMismatch(claim({ address: '本町2-14-3' }), customer), undefined);
});

test('a different name is a name mismatch, whatever the contact data', () => {
  assert.equal(identityMismatch(claim({ customerNameKana: 'ヤマダ タロウ', phoneNumber: '090-1234-5678' }), customer), 'GRID_IDENTITY_NAME_MISMATCH');
  assert.equal(identityMismatch(claim({ customerNameKana: 'ヤマダ', phoneNumber: '090-1234-5678' }), customer), 'GRID_IDENTITY_NAME_MISMATCH');
});

test('the right name with neither the phone nor the address is a contact mismatch', () => {
  assert.equal(identityMismatch(claim({ phoneNumber: '090-1234-5679' }), customer), 'GRID_IDENTITY_CONTACT_MISMATCH');
  assert.equal(identityMismatch(claim({ address: '本町2丁目14番30号' }), customer), 'GRID_IDENTITY_CONTACT_MISMATCH');
  assert.equal(identityMismatch(claim({ phoneNumber: '090-1234-5678' }), { ...customer, phone: null }), 'GRID_IDENTITY_CONTACT_MISMATCH');
});

test('a street matches only as a whole number: 2-14-3 is not 2-14-30', () => {
  assert.equal(addressContainsStreet('本町2-14-30', '本町2丁目14番3号'), false);
  assert.equal(addressContainsStreet('本町2-14-3 ハイツ', '本町2丁目14番3号'), true);
  assert.equal(addressContainsStreet('本町2-14-3', ''), false);
});

test('a password is 12 letters of the unambiguous alphabet, and two are different', () => {
  const a = generateUsagePassword();
  assert.equal(a.length, 12);
  for (const ch of a) assert.ok(usagePasswordAlphabet.includes(ch), ch);
  assert.equal(usagePasswordAlphabet.length, 32);
  assert.doesNotMatch(usagePasswordAlphabet, /[IO01]/);
  assert.notEqual(generateUsagePassword(), a);
});

test('a password is stored as a salted hash and matches as typed in any width, case or grouping', () => {
  const stored = hashUsagePassword('ABCD2345EFGH');
  assert.match(stored.hash, /^[0-9a-f]{64}$/);
  assert.notEqual(hashUsagePassword('ABCD2345EFGH').hash, stored.hash, 'a fresh salt each time');
  assert.ok(usagePasswordMatches('ABCD2345EFGH', stored));
  assert.ok(usagePasswordMatches('abcd-2345-efgh', stored));
  assert.ok(usagePasswordMatches('ＡＢＣＤ　２３４５　ＥＦＧＨ', stored));
  assert.ok(!usagePasswordMatches('ABCD2345EFGJ', stored));
  assert.equal(normalizeUsagePassword(' ab-cd '), 'ABCD');
});

test('a password is valid until the day before the same date next month, in Japan', () => {
  const issued = usagePasswordValidity(new Date('2026-11-25T10:00:00+09:00'));
  assert.equal(issued.validUntil, '2026-12-24');
  assert.equal(issued.expiresAt.toISOString(), '2026-12-24T15:00:00.000Z'); // 25 December 00:00 JST
  assert.equal(usagePasswordValidity(new Date('2026-12-10T23:30:00+09:00')).validUntil, '2027-01-09');
  assert.equal(usagePasswordValidity(new Date('2027-01-31T09:00:00+09:00')).validUntil, '2027-02-27');
  // 15:30 UTC on 30 November is already 1 December in Japan.
  assert.equal(usagePasswordValidity(new Date('2026-11-30T15:30:00Z')).validUntil, '2026-12-31');
});

test('application numbers name the kind, the area, the day and the serial', () => {
  assert.equal(usagePasswordApplicationNumber('03', '2026-11-28' as never, 1), 'UP03-2026112800001');
  assert.equal(usagePasswordApplicationNumber('10', '2026-11-28' as never, 123456), 'UP10-20261128123456');
});

test('a shorter validity asked for ends the password earlier; never later than a month, never before its day of issue', () => {
  const at = new Date('2026-11-25T10:00:00+09:00');
  assert.equal(usagePasswordValidity(at, '2026-12-05' as IsoDate).validUntil, '2026-12-05');
  assert.equal(usagePasswordValidity(at, '2026-12-05' as IsoDate).expiresAt.toISOString(), '2026-12-05T15:00:00.000Z');
  assert.equal(usagePasswordValidity(at, '2027-01-31' as IsoDate).validUntil, '2026-12-24');
  assert.equal(usagePasswordValidity(at, '2026-11-20' as IsoDate).validUntil, '2026-11-25', 'issued later than the day asked for: valid on the day of issue');
});
