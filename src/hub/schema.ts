/**
 * The hub keeps its data in the `hub` schema. No hub query names a grid schema: what the hub knows
 * of supply points it learns through IF_ messages, like a real hub would.
 */
import { fileURLToPath } from 'node:url';
import type { MigrationSet } from '../platform/db/migrate.ts';

export const hubSchema = 'hub';

export const hubMigrations: MigrationSet = {
  schema: hubSchema,
  dir: fileURLToPath(new URL('./migrations/', import.meta.url)),
};
