import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IsoDate } from './date.ts';
import { formatPpsFileName, nameLength, nthBusinessDayCounting, parsePpsFileName, ppsKinds, slotStart, w5ContentOf, w5Kinds } from './pps-file.ts';

test('every kind round-trips through the file-name grammar at its first and last slot, revision and section', () => {
  for (const kind of ppsKinds) {
    const slots = kind.granularity === 'slot' ? [1, 48] : [null];
    for (const slot of slots) {
      for (const [revision, section] of [
        [0, 0],
        [99, 10 ** kind.sectionDigits - 1],
      ] as const) {
        const file = { kind, date: '2026-11-28' as IsoDate, slot, revision, section };
        const name = formatPpsFileName(file);
        assert.equal(name.length - 4, nameLength(kind), name);
        assert.deepEqual(parsePpsFileName(name), file, name);
      }
    }
  }
});

test('names have the public lengths: HV W4 22, LV W4 24, W5 21 characters before .zip', () => {
  assert.equal(nameLength(ppsKinds.find((k) => k.code === 'W40110')!), 22);
  assert.equal(nameLength(ppsKinds.find((k) => k.code === 'W41120')!), 24);
  assert.equal(nameLength(ppsKinds.find((k) => k.code === 'W51220')!), 21);
});

test('the real Shikoku name of an HV daily file parses, HHMM 0000 and revision and section 00', () => {
  const parsed = parsePpsFileName('W401202026112800000000.zip');
  assert.equal(parsed?.kind.code, 'W40120');
  assert.equal(parsed?.date, '2026-11-28');
  assert.equal(parsed?.slot, null);
  assert.equal(parsed?.revision, 0);
  assert.equal(parsed?.section, 0);
});

test('HHMM is the start of the half-hour: time code n starts at (n−1)×30 minutes', () => {
  assert.equal(slotStart(1), '0000');
  assert.equal(slotStart(2), '0030');
  assert.equal(slotStart(48), '2330');
  assert.equal(parsePpsFileName('W41110202611282330000000.zip')?.slot, 48);
  assert.equal(formatPpsFileName({ kind: ppsKinds[1]!, date: '2026-11-28' as IsoDate, slot: 1, revision: 0, section: 0 }), 'W41110202611280000000000.zip');
});

test('anything else is not a name: wrong length, unknown kind, impossible date or time, daily file with a time, other suffix', () => {
  for (const name of [
    'W4111020261128000000000.zip', // one digit short
    'W411102026112800000000000.zip', // one digit long
    'W49990202611280000000000.zip', // unknown kind
    'W41110202602300000000000.zip', // 30 February
    'W41110202611282400000000.zip', // 24:00
    'W41110202611280015000000.zip', // not a half-hour start
    'W41120202611280030000000.zip', // a daily file names 0000
    'W41110202611280000000000.ZIP',
    'W41110202611280000000000.zip/../x',
    '../W41110202611280000000000.zip',
    '',
  ]) {
    assert.equal(parsePpsFileName(name), undefined, name);
  }
});

test('formatting refuses what the grammar cannot carry: revision 100, a section beyond its digits, slot 0', () => {
  const kind = ppsKinds[0]!;
  assert.throws(() => formatPpsFileName({ kind, date: '2026-11-28' as IsoDate, slot: 1, revision: 100, section: 0 }), RangeError);
  assert.throws(() => formatPpsFileName({ kind, date: '2026-11-28' as IsoDate, slot: 1, revision: 0, section: 100 }), RangeError);
  assert.throws(() => formatPpsFileName({ kind, date: '2026-11-28' as IsoDate, slot: 0, revision: 0, section: 0 }), RangeError);
});

test('the n-th business day counting a day: the day itself when it is a business day, else from the next; 29 Dec–3 Jan and holidays skipped', () => {
  const d = (s: string) => s as IsoDate;
  assert.equal(nthBusinessDayCounting(d('2026-12-08'), 4), '2026-12-11');
  assert.equal(nthBusinessDayCounting(d('2026-12-26'), 4), '2027-01-06', 'Sat 12-26: Mon 12-28, then 1-4, 1-5, 1-6 (B7)');
  assert.equal(nthBusinessDayCounting(d('2026-12-28'), 4), '2027-01-06');
  assert.equal(nthBusinessDayCounting(d('2026-11-20'), 4), '2026-11-26', 'Fri 11-20: 11-23 is a national holiday');
  assert.equal(nthBusinessDayCounting(d('2026-11-20'), 1), '2026-11-20');
  assert.throws(() => nthBusinessDayCounting(d('2026-11-20'), 0), RangeError);
});

test('every kind has a due rule: W4 by the half-hour or the next morning, W5 in business days or before the monthly file', () => {
  for (const k of ppsKinds) {
    const rules = k.bp === 'W4' ? ['slotEnd', 'nextMorning'] : ['businessDays', 'beforeMonthly'];
    assert.ok(rules.includes(k.due.rule), k.code);
  }
  assert.deepEqual(
    w5Kinds.map((k) => [k.code, w5ContentOf(k)]),
    [
      ['W51210', 'monthly'],
      ['W51220', 'monthly'],
      ['W51310', 'exchange'],
      ['W51320', 'exchange'],
      ['W51410', 'special'],
      ['W51420', 'special'],
    ],
  );
});
