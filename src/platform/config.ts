/**
 * Configuration from the environment, read once at start and checked whole: every variable is
 * defined in settings.ts (name, default, meaning, parser), and a process with any of them wrong
 * refuses to start with one message naming each. Every setting has a default that gives the
 * embedded sandbox: `npm start` with nothing set brings the whole system up under `./var`.
 */
import { join } from 'node:path';
import { readSettings, type Mode, type Settings } from './settings.ts';

export type { Mode };

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
  /** Every setting of settings.ts, parsed and typed. */
  readonly settings: Settings;
  /** The environment this was read from. */
  readonly env: NodeJS.ProcessEnv;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const settings = readSettings(env);
  return {
    home: settings.home,
    databaseUrl: settings.databaseUrl,
    pgliteDir: join(settings.home, 'pglite'),
    mode: settings.mode,
    host: settings.host,
    port: settings.port,
    opsPort: settings.opsPort,
    settings,
    env,
  };
}
