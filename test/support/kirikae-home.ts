/**
 * A KIRIKAE_HOME for a `kirikae` process started by a test: a new temporary folder, by default with an
 * initialised empty embedded database in it (templates.ts), so that the process does not run initdb.
 * `{ database: 'none' }` leaves the folder empty: the process then creates its database itself, as on
 * a user's very first start.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteEmptyDataDir } from './templates.ts';

export async function kirikaeHome(prefix: string, options: { database?: 'initialised' | 'none' } = {}): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), `kirikae-${prefix}-`));
  if ((options.database ?? 'initialised') === 'initialised') cpSync(await pgliteEmptyDataDir(), join(home, 'pglite'), { recursive: true });
  return home;
}
