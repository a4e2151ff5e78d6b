/**
 * The `kirikae` command as a user runs it: a separate process, on a fresh KIRIKAE_HOME (PGlite).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kirikaeHome, kirikaeSync } from '../support/kirikae-process.ts';

const kirikae = (home: string, ...args: string[]) => kirikaeSync({ KIRIKAE_HOME: home, DATABASE_URL: '', KIRIKAE_QUIET: '1' }, ...args);

const home = () => mkdtempSync(join(tmpdir(), 'kirikae-cli-'));

test('lists its commands, at least start, seed and db migrate, and the pki commands', () => {
  const { status, out } = kirikae(home(), '--help');
  assert.equal(status, 0);
  for (const command of ['start', 'seed', 'db migrate', 'pki init', 'pki issue', 'pki list', 'pki register', 'pki suspend', 'pki resume']) {
    assert.match(out, new RegExp(`^  ${command} `, 'm'));
  }
});

test('refuses a negative or malformed point count with the code and Japanese message', () => {
  for (const points of ['-5', '12x']) {
    const { status, err } = kirikae(home(), 'seed', '--points', points);
    assert.equal(status, 2);
    assert.match(err, /SEED_POINTS_INVALID: 供給地点数には0以上の整数を指定してください。/);
  }
});

test('names an unreachable DATABASE_URL without its password', () => {
  const result = spawnSync(process.execPath, ['src/cli/main.ts', 'db', 'migrate'], {
    env: { ...process.env, KIRIKAE_HOME: home(), DATABASE_URL: 'postgres://kirikae:secret@127.0.0.1:1/nowhere' },
    encoding: 'utf8',
  });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /DB_UNREACHABLE: データベースに接続できません（postgres:\/\/kirikae:\*\*\*@127\.0\.0\.1:1\/nowhere/);
  assert.ok(!result.stderr.includes('secret'));
});

test('migrates an empty database once and then reports it up to date', async () => {
  const dir = await kirikaeHome('cli');
  const first = kirikae(dir, 'db', 'migrate');
  assert.equal(first.status, 0, first.err);
  assert.match(first.out, /applied hub\/0001_sandbox_clock\.sql/);
  assert.match(first.out, /applied grid_10\/0001_registry\.sql/);
  assert.match(kirikae(dir, 'db', 'migrate').out, /up to date/);
});

test('creates a CA, then refuses to issue for an unknown participant', async () => {
  const dir = await kirikaeHome('cli', { database: 'migrated' });
  assert.match(kirikae(dir, 'pki', 'init').out, /created the hub CA/);
  assert.match(kirikae(dir, 'pki', 'init').out, /already exists/);
  const issued = kirikae(dir, 'pki', 'issue', '--participant', '99993', '--usage', 'api');
  assert.equal(issued.status, 2);
  assert.match(issued.err, /AUTH_PARTICIPANT_NOT_FOUND/);
});
