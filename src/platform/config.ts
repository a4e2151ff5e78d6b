/**
 * Configuration from the environment, read once at start. Every setting has a default that gives
 * the embedded sandbox: `npm start` with nothing set brings the whole system up under `./var`.
 *
 * - `KIRIKAE_HOME`  where local state lives (PGlite data, PKI, mailbox); default `./var`
 * - `DATABASE_URL`  a PostgreSQL server instead of the embedded PGlite
 * - `KIRIKAE_MODE`  `sandbox` (default: demo data, movable clock) or `production`
 * - `PORT`          the port the hub listens on; default 8443
 * - `HOST`          the address it listens on; default 127.0.0.1
 */
import { resolve, join } from 'node:path';

export type Mode = 'sandbox' | 'production';

export interface Config {
  readonly home: string;
  readonly databaseUrl: string | undefined;
  readonly pgliteDir: string;
  readonly mode: Mode;
  readonly host: string;
  readonly port: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const home = resolve(env.KIRIKAE_HOME ?? 'var');
  const mode = env.KIRIKAE_MODE ?? 'sandbox';
  if (mode !== 'sandbox' && mode !== 'production') {
    throw new Error(`KIRIKAE_MODE must be "sandbox" or "production", not "${mode}"`);
  }
  const port = Number(env.PORT ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}"`);
  return {
    home,
    databaseUrl: env.DATABASE_URL || undefined,
    pgliteDir: join(home, 'pglite'),
    mode,
    host: env.HOST ?? '127.0.0.1',
    port,
  };
}
