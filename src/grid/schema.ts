/**
 * Where the reference grid of an area keeps its data: its own PostgreSQL schema, `grid_01` …
 * `grid_10`, built by the same migrations. No grid query names another area's schema or the hub's.
 */
import { fileURLToPath } from 'node:url';
import type { AreaCode } from '../domain/area.ts';
import { areaCodes } from '../domain/area.ts';
import type { MigrationSet } from '../platform/db/migrate.ts';

export function gridSchema(area: AreaCode): string {
  return `grid_${area}`;
}

export const gridMigrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export function gridMigrations(area: AreaCode): MigrationSet {
  return { schema: gridSchema(area), dir: gridMigrationsDir };
}

export const allGridMigrations: readonly MigrationSet[] = areaCodes.map(gridMigrations);
