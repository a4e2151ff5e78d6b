import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachBackend } from '../../support/backends.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import { hubMigrations } from '../../../src/hub/schema.ts';
import { allGridMigrations } from '../../../src/grid/schema.ts';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kirikae-migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

async function tables(db: { query: (s: string) => Promise<{ rows: unknown[] }> }, schema: string): Promise<string[]> {
  const { rows } = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}' ORDER BY table_name`);
  return (rows as { table_name: string }[]).map((r) => r.table_name);
}

forEachBackend('migrations', (backend) => {
  test('builds the hub schema and one schema per area from the same grid migrations', async () => {
    await using db = await backend.open({ migrated: false });
    const applied = await migrate(db, [hubMigrations, ...allGridMigrations]);
    assert.ok(applied.some((m) => m.schema === 'hub'));
    const { rows } = await db.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname = 'hub' OR nspname LIKE 'grid\\_%' ORDER BY nspname`);
    assert.deepEqual(
      rows.map((r) => r.nspname),
      ['grid_01', 'grid_02', 'grid_03', 'grid_04', 'grid_05', 'grid_06', 'grid_07', 'grid_08', 'grid_09', 'grid_10', 'hub'],
    );
    assert.deepEqual(await tables(db, 'grid_03'), await tables(db, 'grid_10'));
  });

  test('applies nothing the second time', async () => {
    await using db = await backend.open({ migrated: false });
    assert.ok((await migrate(db, [hubMigrations])).length > 0);
    assert.deepEqual(await migrate(db, [hubMigrations]), []);
  });

  test('a migration that fails halfway leaves the database exactly as it was', async () => {
    await using db = await backend.open();
    const dir = folder({
      '0001_first.sql': 'CREATE TABLE first (id int);',
      '0002_broken.sql': 'CREATE TABLE second (id int); INSERT INTO second VALUES (1); SELECT * FROM no_such_table;',
    });
    await assert.rejects(migrate(db, [{ schema: 'scratch', dir }]), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'DB_MIGRATION_FAILED');
      assert.match(error.message, /scratch\/0002_broken\.sql/);
      assert.match(error.message, /no_such_table/);
      return true;
    });
    const { rows } = await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'scratch'`);
    assert.equal(rows.length, 0, 'not even the schema or the first migration remains');
  });

  test('refuses to run when an applied migration was edited afterwards', async () => {
    await using db = await backend.open();
    const dir = folder({ '0001_first.sql': 'CREATE TABLE first (id int);' });
    await migrate(db, [{ schema: 'scratch', dir }]);
    writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE first (id bigint);');
    await assert.rejects(migrate(db, [{ schema: 'scratch', dir }]), { code: 'DB_MIGRATION_CHANGED' });
  });
});
