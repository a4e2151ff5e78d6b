/**
 * What the benchmarks share: the PostgreSQL server they run against, a fresh uniquely named
 * database per benchmark (dropped afterwards, whatever happens), and number formatting.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startAuditWriter } from '../src/hub/audit/audit-journal.ts';
import type { AuditEntry } from '../src/hub/audit/audit.ts';
import type { AuditWriter } from '../src/hub/http/audit-writer.ts';
import type { Db } from '../src/platform/db/db.ts';
import type { PostgresDb } from '../src/platform/db/postgres.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';

export const benchUrl = process.env.KIRIKAE_BENCH_DATABASE_URL || 'postgres://root@127.0.0.1:5432/test';

/** Points to seed; a million is the scale the targets are stated for. */
export const benchPoints = Number(process.env.KIRIKAE_BENCH_POINTS ?? 1_000_000);

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: benchUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the bench's server. */
function urlOf(name: string): string {
  const url = new URL(benchUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A database kept between runs (a probe's data, loaded once): created when missing; `created` says
 * whether this call created it (empty, for the caller to fill).
 */
export async function keptBenchDatabase(name: string): Promise<{ db: PostgresDb; created: boolean }> {
  const created = await admin(async (c) => {
    if ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount! > 0) return false;
    await c.query(`CREATE DATABASE "${name.replaceAll('"', '""')}" TEMPLATE template0`);
    return true;
  });
  return { db: await openPostgres(urlOf(name)), created };
}

/** Runs `fn` with a fresh database, then drops it. */
export async function withBenchDatabase<T>(fn: (db: PostgresDb) => Promise<T>): Promise<T> {
  const name = `kirikae_bench_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  try {
    const db = await openPostgres(urlOf(name));
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  } finally {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

export function perSecond(count: number, ms: number): string {
  return Math.round((count * 1000) / ms).toString();
}

/**
 * The hub's audit writer as `kirikae start` keeps it (a journal under its home), in a temporary
 * folder: `stop` stops the writer and removes the folder.
 */
export async function benchAuditWriter(db: Db): Promise<{ audit: AuditWriter<AuditEntry>; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'kirikae-bench-audit-'));
  const audit = await startAuditWriter(db, dir);
  return {
    audit,
    stop: async () => {
      await audit.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
