/**
 * Configuration from the environment, read once at start. Every setting has a default that gives
 * the embedded sandbox: `npm start` with nothing set brings the whole system up under `./var`.
 *
 * - `KIRIKAE_HOME`  where local state lives (PGlite data, PKI, mailbox); default `./var`
 * - `DATABASE_URL`  a PostgreSQL server instead of the embedded PGlite
 * - `KIRIKAE_MODE`  `sandbox` (default: demo data, movable clock), `verification` (the sandbox's
 *                   demo data and clock, with the grid stub in place of the reference grids) or
 *                   `production`
 * - `PORT`          the port the hub listens on; default 8443
 * - `HOST`          the address it listens on; default 127.0.0.1
 * - `OPS_PORT`      plain-HTTP `/health` on 127.0.0.1 for supervisors; default 8081
 */
import { resolve, join } from 'node:path';

export type Mode = 'sandbox' | 'verification' | 'production';

export const modes: readonly Mode[] = ['sandbox', 'verification', 'production'];

/** Whether the clock may be moved forward (every mode but production). */
export function isMovableMode(mode: Mode): boolean {
  return mode !== 'production';
}

export interface Config {
  readonly home: string;
  readonly databaseUrl: string | undefined;
  readonly pgliteDir: string;
  readonly mode: Mode;
  readonly host: string;
  readonly port: number;
  readonly opsPort: number;
  /** The environment this was read from: components with settings of their own read them here. */
  readonly env: NodeJS.ProcessEnv;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const home = resolve(env.KIRIKAE_HOME ?? 'var');
  const mode = (env.KIRIKAE_MODE ?? 'sandbox') as Mode;
  if (!modes.includes(mode)) {
    throw new Error(`KIRIKAE_MODE must be "sandbox", "verification" or "production", not "${mode}"`);
  }
  const port = portFrom(env, 'PORT', 8443);
  const opsPort = portFrom(env, 'OPS_PORT', 8081);
  return {
    home,
    databaseUrl: env.DATABASE_URL || undefined,
    pgliteDir: join(home, 'pglite'),
    mode,
    host: env.HOST ?? '127.0.0.1',
    port,
    opsPort,
    env,
  };
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  const port = Number(text ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number (0–65535), not "${text}"`);
  return port;
}
