import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSubject,
  checkTerminalHours,
  daysLeft,
  expiryNoticeDue,
  lastClosing,
  nextClosing,
  parseIssuanceSchedule,
  subjectOfCsr,
  withinHours,
} from './life.ts';

const own = { companyCode: '1003', participantCodes: ['10033', '10036'] };
const DAY = 86_400_000;

test('the weekly schedule closes on Tuesday and Friday at 17:00 in Japan', () => {
  const schedule = parseIssuanceSchedule('tue 17:00, fri 17:00');
  assert.equal(schedule.kind, 'weekly');
  if (schedule.kind !== 'weekly') return;
  // Wednesday 2026-04-01 09:00 JST.
  const wed = new Date('2026-04-01T09:00:00+09:00');
  assert.equal(lastClosing(schedule.closings, wed).toISOString(), new Date('2026-03-31T17:00:00+09:00').toISOString());
  assert.equal(nextClosing(schedule.closings, wed).toISOString(), new Date('2026-04-03T17:00:00+09:00').toISOString());
  // Exactly at a closing time, that closing is the last one.
  const fri = new Date('2026-04-03T17:00:00+09:00');
  assert.equal(lastClosing(schedule.closings, fri).toISOString(), fri.toISOString());
  // Sunday morning in Japan is still Saturday in UTC: the week is Japan's.
  const sun = new Date('2026-04-05T08:00:00+09:00');
  assert.equal(lastClosing(schedule.closings, sun).toISOString(), fri.toISOString());
  assert.equal(nextClosing(schedule.closings, sun).toISOString(), new Date('2026-04-07T17:00:00+09:00').toISOString());
  assert.deepEqual(parseIssuanceSchedule('immediate'), { kind: 'immediate' });
});

test('a closing day that is a holiday closes on the business day before (slide 40 ※1)', () => {
  const schedule = parseIssuanceSchedule('tue 17:00,fri 17:00');
  if (schedule.kind !== 'weekly') return assert.fail('weekly');
  // Tuesday 2026-11-03 is 文化の日: that week's Tuesday closing is Monday 11/2 at 17:00.
  assert.equal(nextClosing(schedule.closings, new Date('2026-10-31T10:00:00+09:00')).toISOString(), new Date('2026-11-02T17:00:00+09:00').toISOString());
  assert.equal(lastClosing(schedule.closings, new Date('2026-11-03T12:00:00+09:00')).toISOString(), new Date('2026-11-02T17:00:00+09:00').toISOString());
  // Golden week 2026: Tuesday 5/5 and Monday 5/4 are holidays, so it closes on Friday 5/1, once.
  assert.equal(nextClosing(schedule.closings, new Date('2026-05-01T17:00:00+09:00')).toISOString(), new Date('2026-05-08T17:00:00+09:00').toISOString());
  // New Year: Friday 2027-01-01 closes on Monday 2026-12-28.
  assert.equal(lastClosing(schedule.closings, new Date('2027-01-02T00:00:00+09:00')).toISOString(), new Date('2026-12-28T17:00:00+09:00').toISOString());
});

test('a schedule that is not closing times is refused', () => {
  for (const bad of ['', 'tuesday 17:00', 'tue 25:00', 'tue 17', 'tue 17:00,']) {
    assert.throws(() => parseIssuanceSchedule(bad), { code: 'CERT_SCHEDULE_INVALID' }, bad);
  }
});

test('expiry notices: the most urgent threshold reached, settling the ones it makes moot, nothing after the end', () => {
  const end = new Date('2028-03-01T00:00:00Z');
  const at = (days: number) => new Date(end.getTime() - days * DAY);
  assert.equal(expiryNoticeDue(end, at(91), []), null);
  assert.deepEqual(expiryNoticeDue(end, at(90), []), { notice: 90, settles: [90] });
  assert.equal(expiryNoticeDue(end, at(45), [90]), null);
  assert.deepEqual(expiryNoticeDue(end, at(29), [90]), { notice: 30, settles: [30] });
  // Registered 20 days before its end: one 30-day notice, not two.
  assert.deepEqual(expiryNoticeDue(end, at(20), []), { notice: 30, settles: [90, 30] });
  assert.deepEqual(expiryNoticeDue(end, at(3), [90, 30]), { notice: 7, settles: [7] });
  assert.equal(expiryNoticeDue(end, at(-1), []), null);
  assert.equal(daysLeft(end, new Date(end.getTime() - 3 * 3_600_000)), 1);
  assert.equal(daysLeft(end, new Date(end.getTime() + DAY)), -1);
});

test('a typed subject must name one of the participant’s own codes, and a terminal its name', () => {
  assert.deepEqual(checkSubject({ boundCode: '１００３３', usage: 'terminal', commonName: ' 本社 端末3 ' }, own), {
    boundCode: '10033',
    usage: 'terminal',
    commonName: '本社 端末3',
  });
  assert.deepEqual(checkSubject({ boundCode: '1003', usage: 'api', commonName: '' }, own), { boundCode: '1003', usage: 'api', commonName: '1003 api' });
  assert.throws(() => checkSubject({ boundCode: '20016', usage: 'api', commonName: '' }, own), { code: 'CERT_SUBJECT_PARTICIPANT', field: 'boundCode' });
  assert.throws(() => checkSubject({ boundCode: '10033', usage: 'terminal', commonName: '' }, own), { code: 'CERT_TERMINAL_NAME_REQUIRED' });
  assert.throws(() => checkSubject({ boundCode: '10033', usage: 'terminal', commonName: 'x'.repeat(65) }, own), { code: 'CERT_TERMINAL_NAME_REQUIRED' });
});

test('a CSR subject has O, OU and CN once each, OU the usage asked for, and nothing else', () => {
  assert.deepEqual(
    subjectOfCsr(
      [
        ['O', '10036'],
        ['OU', 'api'],
        ['CN', '10036 api'],
      ],
      'api',
      own,
    ).boundCode,
    '10036',
  );
  assert.throws(
    () =>
      subjectOfCsr(
        [
          ['O', '10036'],
          ['OU', 'terminal'],
          ['CN', 'x'],
        ],
        'api',
        own,
      ),
    { code: 'CERT_SUBJECT_USAGE', field: 'csr' },
  );
  assert.throws(
    () =>
      subjectOfCsr(
        [
          ['O', '10036'],
          ['O', '20016'],
          ['OU', 'api'],
        ],
        'api',
        own,
      ),
    { code: 'CERT_SUBJECT_EXTRA' },
  );
  assert.throws(
    () =>
      subjectOfCsr(
        [
          ['L', 'Tokyo'],
          ['O', '10036'],
          ['OU', 'api'],
        ],
        'api',
        own,
      ),
    { code: 'CERT_SUBJECT_EXTRA' },
  );
  // The O of a CSR is the canonical code itself: a full-width or lower-case one is refused.
  for (const o of ['１００３６', 'k7776']) {
    assert.throws(
      () =>
        subjectOfCsr(
          [
            ['O', o],
            ['OU', 'api'],
          ],
          'api',
          { companyCode: '1003', participantCodes: ['10033', '10036', 'K7776'] },
        ),
      { code: 'CERT_SUBJECT_PARTICIPANT', field: 'csr' },
      o,
    );
  }
  assert.throws(() => subjectOfCsr([['OU', 'api']], 'api', own), { code: 'CERT_SUBJECT_PARTICIPANT', field: 'csr' });
});

test('declared terminal hours are whole hours in Japan', () => {
  const hours = checkTerminalHours(8, 20);
  assert.equal(withinHours(new Date('2026-04-01T08:00:00+09:00'), hours), true);
  assert.equal(withinHours(new Date('2026-04-01T19:59:00+09:00'), hours), true);
  assert.equal(withinHours(new Date('2026-04-01T20:00:00+09:00'), hours), false);
  assert.equal(withinHours(new Date('2026-04-01T03:10:00+09:00'), hours), false);
  for (const [from, to] of [
    [20, 8],
    [8, 8],
    [-1, 5],
    [0, 25],
    [1.5, 3],
  ] as const) {
    assert.throws(() => checkTerminalHours(from, to), { code: 'CERT_HOURS_INVALID' });
  }
});
