/**
 * Issue 12 §1: the hub operator's commands, run in another terminal while the system runs, act on
 * the running system — a suspension is in force in the serving hub at once, a clock advance moves
 * the clock it reads — and never open its embedded database a second time.
 *
 * Embedded PGlite: the commands go through the running system's control channel; a second
 * `kirikae start` is refused; after the system is killed with SIGKILL, the next command takes the
 * data over. PostgreSQL: the commands write to the database and every running hub (two here)
 * follows within a second by NOTIFY.
 */
import { kirikae, type Ran, startInAnotherProcess, stop, type RunningSystem } from '../support/kirikae-process.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { areaCodes } from '../../src/domain/area.ts';
import { gridSchema } from '../../src/grid/schema.ts';
import { readHolder } from '../../src/platform/db/data-lock.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { openPglite } from '../../src/platform/db/pglite.ts';
import { createCa } from '../../src/platform/pki/ca.ts';
import { describeCert } from '../../src/platform/pki/identity.ts';
import { issueClientCert } from '../../src/platform/pki/issue.ts';
import { forEachBackend } from '../support/backends.ts';
import { TestClient } from '../support/https-client.ts';

const day = 86_400_000;

function ok(ran: Ran): Ran {
  assert.equal(ran.status, 0, ran.err + ran.out);
  return ran;
}

/** Waits until `check` holds, for at most `ms`; returns how long it took. */
async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The hub's answer to 1003's API certificate: its clock, or the refusal code. */
async function askClock(client: TestClient): Promise<{ offsetMs?: number; refused?: string }> {
  const res = await client.get('/api/v1/admin/clock');
  const body = res.json<{ result: string; data?: { offsetMs: number }; messages: { code: string }[] }>();
  return body.result === 'OK' ? { offsetMs: body.data!.offsetMs } : { refused: body.messages[0]!.code };
}

async function supplyPoints(db: Db): Promise<number> {
  let total = 0;
  for (const area of areaCodes) total += (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${gridSchema(area)}.supply_point`)).rows[0]!.n;
  return total;
}

forEachBackend('operator commands while the system runs', (backend) => {
  test('pki, clock, seed and db migrate act on the running system at once; audited; refusals keep their code', async () => {
    await using db = await backend.open({ migrated: false });
    const home = mkdtempSync(join(tmpdir(), 'kirikae-operator-'));
    const env = { KIRIKAE_HOME: home, PORT: '0', OPS_PORT: '0', KIRIKAE_QUIET: '1', DATABASE_URL: db.url ?? '' };
    const embedded = !db.url;
    if (embedded) await db.close(); // the system opens its own under KIRIKAE_HOME
    const pgliteDir = join(home, 'pglite');
    const systems: RunningSystem[] = [];
    let fingerprint = '';
    try {
      // The first start says what it is doing while it does it (it takes tens of seconds).
      systems.push(await startInAnotherProcess({ ...env, KIRIKAE_QUIET: '' }));
      const steps = [
        ...(embedded ? [/creating the embedded database in .*pglite \(first start only/, /created in [\d.]+ s; applying the migrations…/] : []),
        /applied \d+ migrations to .* in [\d.]+ s/,
        /creating the hub's certificate authority/,
        /loading 2,000 demo supply points…/,
        /issuing the demo certificates \(first start only\)…/,
      ];
      let at = 0;
      for (const step of steps) {
        const found = step.exec(systems[0]!.log.slice(at));
        assert.ok(found, `the first start logs ${step} (in order):\n${systems[0]!.log}`);
        at += found.index + found[0].length;
      }
      // PostgreSQL: a second hub process on the same database, as behind a load balancer.
      if (!embedded) systems.push(await startInAnotherProcess(env));
      const caPem = readFileSync(join(home, 'pki/ca.cert.pem'), 'utf8');
      const a003 = { certPem: readFileSync(join(home, 'pki/api/1003.cert.pem'), 'utf8'), keyPem: readFileSync(join(home, 'pki/api/1003.key.pem'), 'utf8') };
      fingerprint = describeCert(a003.certPem).fingerprint256;
      const clients = systems.map((s) => new TestClient(s.url, { ...a003, caPem }));
      for (const client of clients) assert.deepEqual(await askClock(client), { offsetMs: 0 });
      if (embedded) assert.equal(readHolder(pgliteDir)?.pid, systems[0]!.process.pid);

      // A suspension: every hub refuses the certificate (embedded: before the command has returned).
      ok(await kirikae(env, 'pki', 'suspend', fingerprint, '--reason', '紛失の届出'));
      for (const client of clients) {
        await within(embedded ? 0 : 1000, 'the suspension in the running hub', async () => (await askClock(client)).refused === 'AUTH_TERMINAL_REFUSED');
      }
      ok(await kirikae(env, 'pki', 'resume', fingerprint, '--reason', '発見'));
      for (const client of clients) await within(embedded ? 0 : 1000, 'the resumption in the running hub', async () => (await askClock(client)).offsetMs === 0);

      // A clock advance moves the clock every running hub reads.
      const advanced = ok(await kirikae(env, 'clock', 'advance', '1d'));
      assert.match(advanced.out, /^advanced 1d: /m);
      for (const client of clients) await within(embedded ? 0 : 1000, 'the advance in the running hub', async () => (await askClock(client)).offsetMs === day);

      // A retailer's own CA: its certificates fail the handshake until it is trusted; the running
      // embedded hub trusts it as soon as `pki init --import` returns (PostgreSQL hubs: at restart).
      const externalCa = createCa({ commonName: '2001 社内認証局' });
      const external = issueClientCert({ ca: externalCa, participantCode: '2001', usage: 'terminal', terminalName: '外部 端末9' });
      const externalPath = join(home, 'external.cert.pem');
      writeFileSync(externalPath, external.certPem);
      writeFileSync(join(home, 'external-ca.pem'), externalCa.certPem);
      const externalClient = new TestClient(systems[0]!.url, { certPem: external.certPem, keyPem: external.keyPem, caPem });
      await assert.rejects(externalClient.get('/api/v1/admin/clock'), 'refused at the handshake');
      const imported = ok(await kirikae(env, 'pki', 'init', '--import', join(home, 'external-ca.pem')));
      if (embedded) {
        assert.match(imported.out, /^the running hub accepts them from now on$/m);
        const answered = await externalClient.get('/api/v1/admin/clock');
        assert.equal(answered.json<{ messages: { code: string }[] }>().messages[0]?.code, 'AUTH_TERMINAL_REFUSED', 'past the handshake: not registered yet');
      } else {
        assert.match(imported.out, /^restart each hub that uses this KIRIKAE_HOME/m);
      }

      // Certificates issued and registered, a new registry, migrations: all in the running system's data.
      const [issued, registered, seeded, migrated, shown] = await Promise.all([
        kirikae(env, 'pki', 'issue', '--participant', '1003', '--usage', 'terminal', '--terminal-name', '運用 端末7', '--out', join(home, 'out')),
        kirikae(env, 'pki', 'register', '--cert', externalPath, '--participant', '2001'),
        kirikae(env, 'seed', '--points', '40', '--seed', '7', '--replace'),
        kirikae(env, 'db', 'migrate'),
        kirikae(env, 'clock', 'show'),
      ]);
      const issuedFingerprint = /fingerprint: ([0-9a-f]{64})/.exec(ok(issued).out)?.[1];
      assert.ok(issuedFingerprint && existsSync(join(home, 'out')), issued.out);
      assert.match(ok(registered).out, new RegExp(`registered terminal certificate ${describeCert(external.certPem).fingerprint256} for 2001`));
      assert.match(ok(seeded).out, /^seeded 40 supply points/m);
      assert.match(ok(migrated).out, /: up to date$/m);
      assert.match(ok(shown).out, /^offset: +\+1d$/m);
      const listed = ok(await kirikae(env, 'pki', 'list', '--usage', 'terminal', '--status', 'active')).out;
      assert.ok(listed.includes(issuedFingerprint) && listed.includes('運用 端末7') && listed.includes('外部 端末9'), listed);

      // A refusal made by the running system reaches the operator unchanged.
      const unknown = await kirikae(env, 'pki', 'suspend', 'ff'.repeat(32), '--reason', '確認');
      assert.equal(unknown.status, 2);
      assert.match(unknown.err, /エラー AUTH_CERT_NOT_FOUND: 指定された証明書は登録されていません。/);

      if (embedded) {
        const second = await kirikae(env, 'start');
        assert.equal(second.status, 2, second.out + second.err);
        assert.match(
          second.err,
          new RegExp(`DB_DATA_DIR_LOCKED: データディレクトリ .*pglite は別のプロセス（kirikae start, PID ${systems[0]!.process.pid}）が使用中です。`),
        );
        // Killed with SIGKILL: no stale lock stops the next opener, and nothing was lost.
        await stop(systems[0]!, 'SIGKILL');
      }
    } finally {
      for (const system of systems) await stop(system, 'SIGTERM');
    }
    const data: Db = embedded ? await openPglite(pgliteDir) : db;
    try {
      assert.equal(await supplyPoints(data), 40);
      const audited = await data.query<{ action: string; channel: string; source_address: string }>(
        `SELECT action, channel, source_address FROM hub.audit_log WHERE fingerprint256 = $1 AND action LIKE 'pki.%' ORDER BY at`,
        [fingerprint],
      );
      assert.deepEqual(
        audited.rows.map((r) => [r.action, r.channel]),
        [
          ['pki.suspend', 'cli'],
          ['pki.resume', 'cli'],
        ],
      );
      assert.match(audited.rows[0]!.source_address, /^cli:\S+@\S+$/);
      const clock = await data.query<{ offset_ms: number }>('SELECT offset_ms FROM hub.sandbox_clock');
      assert.equal(Number(clock.rows[0]!.offset_ms), day);
    } finally {
      if (embedded) await data.close();
    }
  });
});
