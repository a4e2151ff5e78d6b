import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAuditEntry } from './audit-journal.ts';

const line = {
  at: '2026-12-03T10:00:00.000Z',
  companyCode: '1003',
  userId: null,
  fingerprint256: 'ab',
  sourceAddress: '127.0.0.1',
  channel: 'api',
  action: 'IF_10110',
  supplyPointIds: ['0300000000000000000001'],
  result: 'OK',
  requestId: 'r-1',
};

test('a journal line reads back as the audit entry it was written from', () => {
  const entry = decodeAuditEntry(JSON.stringify(line));
  assert.deepEqual(entry, { ...line, at: new Date(line.at) });
});

test('a line without its time as text is refused, not read as 1970 or as a count of milliseconds', () => {
  for (const at of [null, undefined, 0, 1_764_755_200_000, 'not a time']) {
    assert.throws(() => decodeAuditEntry(JSON.stringify({ ...line, at })), /no time/, String(at));
  }
});

test('a line with an unknown channel, no action or result, or IDs that are not text is refused', () => {
  assert.throws(() => decodeAuditEntry(JSON.stringify({ ...line, channel: 'fax' })), /channel/);
  assert.throws(() => decodeAuditEntry(JSON.stringify({ ...line, action: 1 })), /action/);
  assert.throws(() => decodeAuditEntry(JSON.stringify({ ...line, result: undefined })), /result/);
  assert.throws(() => decodeAuditEntry(JSON.stringify({ ...line, supplyPointIds: [3] })), /supply point/);
  assert.throws(() => decodeAuditEntry(JSON.stringify({ ...line, companyCode: 1003 })), /companyCode/);
});
