import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditActionLabel, auditActionLabels, resultText } from './labels.ts';

/**
 * Every action the code writes into the audit log, read from the source: route configs
 * (`config: { … action: '…' }`), audit records built in place (`action: '…',`), actions set on a
 * request (`request.audit.action = '…'`), and the literals handed to the commands' own audit helpers.
 */
function auditedActions(): Set<string> {
  const src = new URL('..', import.meta.url).pathname;
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(src, file), 'utf8');
    for (const m of text.matchAll(/config: \{[^}]*\baction: '([^']+)'/g)) found.add(m[1]!);
    for (const m of text.matchAll(/^\s*action: '([^']+)',$/gm)) found.add(m[1]!);
    for (const m of text.matchAll(/request\.audit\.action = '([^']+)'/g)) found.add(m[1]!);
    for (const line of text.split('\n').filter((l) => /\baudit\((input|tx|q)\b/.test(l))) {
      for (const m of line.matchAll(/(?<!=== )'([a-z][A-Za-z]*(?:\.[A-Za-z]+)*)'(?! in )/g)) found.add(m[1]!);
    }
  }
  found.delete('login:attempt'); // never recorded: signIn writes the attempt's row as 'login'
  return found;
}

test('every action the code records in the audit log has a Japanese name on the audit screen', () => {
  const actions = auditedActions();
  assert.ok(actions.size >= 80, `only ${actions.size} actions found: the scan no longer sees them`);
  const unnamed = [...actions].filter((a) => auditActionLabel(a) === undefined);
  assert.deepEqual(unnamed, []);
  // And no name is left for an action the code no longer records.
  assert.deepEqual(
    Object.keys(auditActionLabels).filter((a) => !actions.has(a)),
    [],
  );
});

test('an interface call is named by the catalogue, a bulk CSV as its interface’s bulk registration; a bare path has no name', () => {
  assert.equal(auditActionLabel('IF_10610'), 'スイッチング開始申込');
  assert.equal(auditActionLabel('bulk:IF_10610'), '一括登録（スイッチング開始申込）');
  assert.equal(auditActionLabel('GET /nowhere'), undefined);
});

test('a result code is given its reception message, blanks shown as …; OK and unknown codes have none', () => {
  assert.equal(resultText('AUTH_USER_SUSPENDED') !== undefined, true);
  assert.equal(resultText('SPID_LENGTH'), '供給地点特定番号は22桁で入力してください（入力された桁数: …桁）。');
  assert.equal(resultText('OK'), undefined);
  assert.equal(resultText('NO_SUCH_CODE'), undefined);
});
