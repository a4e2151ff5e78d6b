/**
 * `kirikae db migrate`. With a system running on the embedded database, the running system answers:
 * it applied its migrations when it started, so there is nothing left to apply; to upgrade, stop it
 * and run the new version's `kirikae db migrate` (or its `kirikae start`).
 */
import { loadConfig } from '../../platform/config.ts';
import type { Command } from '../command.ts';
import { withOperatorSession } from '../operator-session.ts';

export const dbMigrate: Command = {
  name: 'db migrate',
  summary: 'データベースのスキーマを最新にする / apply pending database migrations',
  usage: `kirikae db migrate

Applies every pending migration of the hub schema and of the ten grid schemas, all in one
transaction: on failure the database stays exactly as it was. \`kirikae start\` does the same.`,
  async run() {
    const { target, applied } = await withOperatorSession(loadConfig(), 'db migrate', (session) => session.call('db.migrate', {}));
    if (applied.length === 0) console.log(`${target}: up to date`);
    for (const m of applied) console.log(`applied ${m.schema}/${m.name}`);
  },
};
