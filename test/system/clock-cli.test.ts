/**
 * `kirikae clock show | advance` as an operator runs them: a separate process. On PostgreSQL, a
 * running process (here: this test's own pool) follows the advance through NOTIFY.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kirikaeHome, kirikaeSync } from '../support/kirikae-process.ts';
import { backends, forEachBackend, postgresBackend, serverUrl } from '../support/backends.ts';
import { watchClock } from '../../src/hub/clock/clock-watch.ts';
import { clockAdvancedQueue } from '../../src/hub/clock/clock.commands.ts';
import { openSystemClock } from '../../src/hub/sandbox-clock.ts';
import { migrateHub } from '../../src/hub/identity/testing.ts';

const day = 86_400_000;

const kirikae = (env: Record<string, string>, ...args: string[]) => kirikaeSync({ DATABASE_URL: '', KIRIKAE_QUIET: '1', ...env }, ...args);

const home = () => mkdtempSync(join(tmpdir(), 'kirikae-clock-'));

// The embedded database's test: run by the PGlite test processes only.
test('kirikae clock advance moves the embedded sandbox clock; show tells; refusals exit 2 with code and text', {
  skip: !backends.some((b) => b.name === 'pglite') && 'the embedded (PGlite) test runs in the PGlite test processes',
}, async () => {
  const env = { KIRIKAE_HOME: await kirikaeHome('clock', { database: 'migrated' }) };
  const moved = kirikae(env, 'clock', 'advance', '3d');
  assert.equal(moved.status, 0, moved.err);
  assert.match(moved.out, /^advanced 3d: .* JST → .* JST$/m);
  const shown = kirikae(env, 'clock', 'show');
  assert.equal(shown.status, 0, shown.err);
  assert.match(shown.out, /^mode: +sandbox \(movable\)$/m);
  assert.match(shown.out, /^offset: +\+3d$/m);

  const back = kirikae(env, 'clock', 'advance', '--to', '2020-01-01');
  assert.equal(back.status, 2);
  assert.match(back.err, /CLOCK_BACKWARDS: 時計を戻すことはできません。/);
  const malformed = kirikae(env, 'clock', 'advance', 'soon');
  assert.equal(malformed.status, 2);
  assert.match(malformed.err, /CLOCK_DURATION_FORMAT/);
  assert.match(kirikae(env, 'clock', 'show').out, /^offset: +\+3d$/m, 'refusals moved nothing');

  const production = kirikae({ ...env, KIRIKAE_MODE: 'production' }, 'clock', 'advance', '1d');
  assert.equal(production.status, 2);
  assert.match(production.err, /CLOCK_NOT_MOVABLE: 本番モードでは時計を進めることはできません。/);
});

if (serverUrl) {
  forEachBackend('kirikae clock advance on a shared PostgreSQL', (backend) => {
    if (backend.name !== 'postgres') return;
    test('a running process sees the CLI’s advance through NOTIFY; the due work is queued once; the advance is audited', async () => {
      await using db = await postgresBackend.open();
      await migrateHub(db);
      const clock = await openSystemClock(db, 'sandbox');
      const watch = await watchClock(db, clock, { refreshMs: 3_600_000 });
      try {
        const child = spawn(process.execPath, ['src/cli/main.ts', 'clock', 'advance', '1d12h'], {
          env: { ...process.env, KIRIKAE_HOME: home(), DATABASE_URL: db.url!, KIRIKAE_QUIET: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (chunk) => (err += chunk));
        const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
        assert.equal(status, 0, err);
        const until = Date.now() + 3_000;
        while (clock.offsetMs !== 1.5 * day) {
          if (Date.now() > until) throw new Error('the running process did not follow the advance');
          await new Promise((r) => setTimeout(r, 20));
        }
        const jobs = await db.query(`SELECT 1 FROM pgboss.job WHERE name = $1`, [clockAdvancedQueue]);
        assert.equal(jobs.rowCount, 1);
        const audit = await db.query<{ channel: string; result: string; user_id: string }>(
          `SELECT channel, result, user_id FROM hub.audit_log WHERE action = 'clockAdvance'`,
        );
        assert.deepEqual(audit.rows, [{ channel: 'cli', result: 'OK', user_id: 'system' }]);
      } finally {
        await watch.stop();
      }
    });
  });
}
