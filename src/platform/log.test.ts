import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, redactPersonal } from './log.ts';

function capture(): { lines: Record<string, unknown>[]; write(line: string): void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line: string) => lines.push(JSON.parse(line)) };
}

test('personal fields are censored at depths one to four, not below, and the logged object is not changed', () => {
  const input = {
    customerName: '山田 花子',
    a: { phone: '0312345678', b: { address: '丸の内1-1', c: { password: 'Kirikae-2026', d: { name: 'deep' } } } },
    list: [{ nameKana: 'ヤマダ' }],
    supplyPointId: '0300111100000000000000',
  };
  const before = JSON.stringify(input);
  const out = redactPersonal(input);
  assert.equal(JSON.stringify(input), before, 'nothing changed in place');
  assert.deepEqual(out, {
    customerName: '[REDACTED]',
    a: { phone: '[REDACTED]', b: { address: '[REDACTED]', c: { password: '[REDACTED]', d: { name: 'deep' } } } },
    list: [{ nameKana: '[REDACTED]' }],
    supplyPointId: '0300111100000000000000',
  });
});

test('a line without personal data is passed on as it is, and an absent field is not added', () => {
  const line = { participant: '1003', interface: 'IF_10110', status: 200, nested: { ok: true }, name: undefined };
  assert.equal(redactPersonal(line), line);
  assert.equal(redactPersonal('text'), 'text');
  assert.equal(redactPersonal(null), null);
});

test('an error on the way to a censored field keeps its class, message and stack', () => {
  const error = Object.assign(new Error('boom'), { token: 'secret' });
  const out = redactPersonal({ err: error }).err;
  assert.ok(out instanceof Error);
  assert.equal(out.message, 'boom');
  assert.equal(out.stack, error.stack);
  assert.equal((out as unknown as { token: string }).token, '[REDACTED]');
  assert.equal(error.token, 'secret');
});

test("every line and every child logger's bindings are censored", () => {
  const out = capture();
  const logger = createLogger({ format: 'json', destination: out });
  logger.child({ scope: 'http', cookie: 'kirikae_session=secret' }).warn({ user: { usagePassword: 'ABCD2345EFGH' }, supplyPointId: '03' }, 'odd');
  const [line] = out.lines;
  assert.equal(line?.cookie, '[REDACTED]');
  assert.deepEqual(line?.user, { usagePassword: '[REDACTED]' });
  assert.equal(line?.supplyPointId, '03');
  assert.equal(line?.scope, 'http');
  assert.equal(line?.msg, 'odd');
  logger.child({ scope: 'mail' }).child({ mail: 'hanako@example.jp' }).info('sent');
  assert.equal(out.lines[1]?.mail, '[REDACTED]', "a child's child too");
});
