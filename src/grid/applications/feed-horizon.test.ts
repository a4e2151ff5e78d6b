/**
 * The feeds' guarantee rests on every writer of a position stamping it with `feedStamp`
 * (feed-horizon.ts): a bare transaction ID (the columns' defaults) may land behind a cursor already
 * given out. This reads the code's SQL and finds every statement that writes a position.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const srcDir = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) return [];
    return [{ file: path.slice(srcDir.length), text: readFileSync(path, 'utf8') }];
  });
}

const code = sources(srcDir);
const feedTables = ['application', 'application_event', 'stub_application', 'stub_application_event'];
const positionColumn = (table: string) => (table.endsWith('_event') ? 'xid' : 'update_xid');

test('every INSERT into a feed table names its position stamp, feedStamp', () => {
  let inserts = 0;
  for (const { file, text } of code) {
    for (const m of text.matchAll(/INSERT INTO \$\{[^}]+\}\.([a-z_]+) \(([^)]*)\)/g)) {
      const table = m[1]!;
      if (!feedTables.includes(table)) continue;
      inserts++;
      const columns = m[2]!.split(',').map((c) => c.trim());
      assert.ok(
        columns.includes(positionColumn(table)),
        `${file}: INSERT INTO ${table} without ${positionColumn(table)} (the default is the bare transaction ID)`,
      );
      // The rest of the statement: up to the next statement or the end of the SQL text.
      const rest = text.slice(m.index + m[0].length);
      const statement = rest.slice(0, rest.search(/INSERT INTO|UPDATE |`/));
      assert.match(statement, /\$\{feedStamp\}/, `${file}: INSERT INTO ${table} does not stamp with feedStamp`);
    }
  }
  // application and its events (repository, batch filing, matching ×2), the stub's two tables.
  assert.ok(inserts >= 7, `found ${inserts} INSERTs into the feed tables: has the code moved?`);
});

test('every UPDATE that moves a position stamps it with feedStamp, and nothing else takes the bare transaction ID', () => {
  let moves = 0;
  for (const { file, text } of code) {
    for (const m of text.matchAll(/update_seq = nextval/g)) {
      moves++;
      const statement = text.slice(Math.max(0, text.lastIndexOf('UPDATE ', m.index)), m.index);
      assert.match(statement, /update_xid = \$\{feedStamp\}/, `${file}: a position moved without feedStamp`);
    }
    if (!file.endsWith('feed-horizon.ts')) assert.doesNotMatch(text, /pg_current_xact_id\(\)/, `${file}: a bare transaction ID`);
  }
  assert.ok(moves >= 5, `found ${moves} position moves: has the code moved?`);
});
