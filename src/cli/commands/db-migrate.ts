import { openMigrated } from '../../app.ts';
import { loadConfig } from '../../platform/config.ts';
import type { Command } from '../command.ts';

export const dbMigrate: Command = {
  name: 'db migrate',
  summary: 'データベースのスキーマを最新にする / apply pending database migrations',
  usage: `kirikae db migrate

Applies every pending migration of the hub schema and of the ten grid schemas, all in one
transaction: on failure the database stays exactly as it was. \`kirikae start\` does the same.`,
  async run() {
    const { db, applied } = await openMigrated(loadConfig());
    try {
      if (applied.length === 0) console.log(`${db.target}: up to date`);
      for (const m of applied) console.log(`applied ${m.schema}/${m.name}`);
    } finally {
      await db.close();
    }
  },
};
