import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAuditEntry, encodeAuditEntry } from './audit-journal.ts';
import { auditChannels, type AuditEntry } from './audit.ts';

/** A seeded generator of numbers in [0, 1) (mulberry32), so that a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Text of every kind JSON escapes in its own way, or none. */
function someText(random: () => number): string | null {
  const pieces = [
    '',
    'IF_10110',
    '10033',
    'a"b',
    'back\\slash',
    'line\nbreak\ttab',
    '\u0000\u001f\u007f',
    '需要者',
    '\ud800',
    'pair \ud83d\ude00',
    '</script>',
    '\u2028',
  ];
  if (random() < 0.15) return null;
  let text = '';
  for (let n = Math.floor(random() * 3); n >= 0; n--) text += pieces[Math.floor(random() * pieces.length)];
  return text;
}

/** An entry with its fields in the order the hub builds them (hub-server.ts). */
function someEntry(random: () => number): AuditEntry {
  const entry: Record<string, unknown> = {
    at: new Date(Math.floor(random() * 4e12) - 1e12),
    companyCode: someText(random),
    userId: someText(random),
    fingerprint256: someText(random),
    sourceAddress: someText(random),
    channel: auditChannels[Math.floor(random() * auditChannels.length)],
    action: someText(random) ?? 'IF_10110',
  };
  if (random() < 0.9) entry.supplyPointIds = Array.from({ length: Math.floor(random() * 3) }, () => someText(random) ?? '0300001234567890123456');
  entry.result = someText(random) ?? 'OK';
  if (random() < 0.9) entry.requestId = random() < 0.2 ? null : someText(random);
  return entry as unknown as AuditEntry;
}

test('an audit entry is journaled as the very text JSON.stringify gives, and reads back the same', () => {
  const random = seeded(13);
  for (let i = 0; i < 5_000; i++) {
    const entry = someEntry(random);
    const line = encodeAuditEntry(entry);
    assert.equal(line, JSON.stringify(entry), `entry ${i}`);
    assert.deepEqual(decodeAuditEntry(line), { ...entry, supplyPointIds: entry.supplyPointIds ?? [], requestId: entry.requestId ?? null });
  }
});

test('an entry whose time is not a time is journaled with none, as JSON.stringify would', () => {
  const entry = { ...someEntry(seeded(1)), at: new Date(Number.NaN) };
  assert.equal(encodeAuditEntry(entry), JSON.stringify(entry));
  assert.match(encodeAuditEntry(entry), /^\{"at":null,/);
});
