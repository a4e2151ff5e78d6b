/**
 * No audit record is lost when the hub process is killed: `kirikae start` killed with SIGKILL right
 * after answering a burst of reads and refusals (the last of them still waiting for their batch),
 * then started again on the same home: every one of them is in `hub.audit_log`, once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from '../../src/platform/db/pglite.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { describeCert } from '../../src/platform/pki/identity.ts';
import { forEachBackend } from '../support/backends.ts';
import { TestClient } from '../support/https-client.ts';
import { kirikaeHome, startInAnotherProcess, stop } from '../support/kirikae-process.ts';

/** Each kind of request, as many times: reads with and without a supply point, refusals, a 404. */
const rounds = 8;

forEachBackend('audit records across a kill of the hub process', (backend) => {
  test('killed with SIGKILL right after answering reads and refusals: after a restart on the same home, each has exactly one record', async () => {
    await using db = backend.name === 'postgres' ? await backend.open() : undefined;
    const home = db ? mkdtempSync(join(tmpdir(), 'kirikae-audit-kill-')) : await kirikaeHome('audit-kill', { database: 'migrated' });
    const env = { KIRIKAE_HOME: home, PORT: '0', OPS_PORT: '0', KIRIKAE_QUIET: '1', DATABASE_URL: db?.url ?? '' };
    const first = await startInAnotherProcess(env);
    try {
      const demo = readFileSync(join(home, 'DEMO.md'), 'utf8');
      const point = /\b(03\d{20})\b/.exec(demo.slice(demo.indexOf('東京')))![1]!;
      const certPem = readFileSync(join(home, 'pki/api/1003.cert.pem'), 'utf8');
      const client = new TestClient(first.url, {
        certPem,
        keyPem: readFileSync(join(home, 'pki/api/1003.key.pem'), 'utf8'),
        caPem: readFileSync(join(home, 'pki/ca.cert.pem'), 'utf8'),
      });
      const fingerprint = describeCert(certPem).fingerprint256;
      const answers = await Promise.all(
        Array.from({ length: rounds }, () => [
          client.post('/api/v1/IF_10110', { json: { supplyPointId: point } }),
          client.post('/api/v1/IF_10110', { json: { supplyPointId: '03' } }),
          client.get('/api/v1/admin/clock'),
          client.get('/api/v1/no-such-thing'),
        ]).flat(),
      );
      await stop(first, 'SIGKILL'); // at once: the last records have not reached the database
      const statuses = answers.map((a) => a.status);
      assert.equal(statuses.filter((s) => s === 200).length, rounds * 3, statuses.join(' ')); // an NG of the API is a 200 too
      assert.equal(answers.filter((a) => a.body.includes('SPID_LENGTH')).length, rounds);
      assert.equal(statuses.filter((s) => s === 404).length, rounds, statuses.join(' '));

      const journals = join(home, 'audit-journal');
      const killed = readdirSync(journals).filter((name) => !name.includes('.'));
      assert.equal(killed.length, 1, 'the killed process left its journal');
      const second = await startInAnotherProcess(env);
      await stop(second, 'SIGTERM');

      const data: Db = db ?? (await openPglite(join(home, 'pglite')));
      try {
        const { rows } = await data.query<{ action: string; result: string; supply_point_ids: string[]; n: number }>(
          `SELECT action, result, supply_point_ids, count(*)::int AS n FROM hub.audit_log WHERE fingerprint256 = $1
            GROUP BY action, result, supply_point_ids ORDER BY action, result`,
          [fingerprint],
        );
        const counts = Object.fromEntries(rows.map((r) => [`${r.action} ${r.result} ${r.supply_point_ids.join(',')}`.trim(), r.n]));
        assert.deepEqual(counts, {
          'GET /api/v1/no-such-thing HTTP_NOT_FOUND': rounds,
          [`IF_10110 OK ${point}`]: rounds,
          'IF_10110 SPID_LENGTH': rounds,
          'clockShow OK': rounds,
        });
        const left = await data.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.audit_journal');
        assert.equal(left.rows[0]!.n, 0, 'no journal is named any more');
        assert.deepEqual(
          readdirSync(journals).filter((name) => name.startsWith(killed[0]!)),
          [],
          'the journal read back is deleted',
        );
      } finally {
        if (!db) await data.close();
      }
    } finally {
      await stop(first, 'SIGKILL');
    }
  });
});
