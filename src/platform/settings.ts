/**
 * Every environment variable kirikae reads, in one typed schema: its name, default, meaning and
 * parser. `loadConfig` (config.ts) reads them all at start and refuses to start with one message
 * listing every variable that is wrong; `kirikae config` prints this table with the values in force;
 * the README's Configuration table is this list (a test holds them equal).
 *
 * To add a variable: add one entry to `settingsSchema` below (a `setting` or, for one per area, an
 * `areaSetting`) with its parser; read it as `config.settings.<key>`, fully typed. Nothing else
 * reads `process.env`.
 */
import { resolve } from 'node:path';
import { areaCodes, type AreaCode } from '../domain/area.ts';

/** One variable: parses its text (undefined or blank: unset) or throws an Error saying what is wrong. */
export interface Setting<T> {
  readonly env: string;
  /** The default as the README shows it. */
  readonly defaultText: string;
  readonly meaning: string;
  /** Shown as `(set)` by `kirikae config`: passwords may be in it. */
  readonly secret?: boolean;
  parse(text: string | undefined): T;
}

/** One variable per area: `env` has `<AREA>` where the area code goes (01–10). */
export interface AreaSetting<T> {
  readonly env: string;
  readonly defaultText: string;
  readonly meaning: string;
  readonly secret?: boolean;
  readonly perArea: true;
  parse(text: string): T;
}

function setting<T>(definition: Setting<T>): Setting<T> {
  return definition;
}

function areaSetting<T>(definition: Omit<AreaSetting<T>, 'perArea'>): AreaSetting<T> {
  return { ...definition, perArea: true };
}

export type Mode = 'sandbox' | 'verification' | 'production';
export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The lanes a grid's matching call runs in on PostgreSQL when neither `KIRIKAE_GRID_MATCHING_LANES`
 * nor the grid option `matchingLanes` says (grid/context.ts; the lanes: grid/applications/jobs.ts).
 */
export const defaultMatchingLanes = 2;

// ── parsers ────────────────────────────────────────────────────────────────────────────────────

const blank = (text: string | undefined): text is undefined => text === undefined || text.trim() === '';

function oneOf<const T extends string>(values: readonly T[], fallback: T): (text: string | undefined) => T;
function oneOf<const T extends string>(values: readonly T[], fallback: undefined): (text: string | undefined) => T | undefined;
function oneOf<const T extends string>(values: readonly T[], fallback: T | undefined) {
  return (text: string | undefined) => {
    if (blank(text)) return fallback;
    const value = text.trim();
    if (!values.includes(value as T)) throw new Error(`must be one of ${values.join(', ')}, not "${value}"`);
    return value as T;
  };
}

function wholeNumber(fallback: number, min: number, max: number, unit?: string): (text: string | undefined) => number;
function wholeNumber(fallback: undefined, min: number, max: number, unit?: string): (text: string | undefined) => number | undefined;
function wholeNumber(fallback: number | undefined, min: number, max: number, unit = 'a whole number') {
  return (text: string | undefined): number | undefined => {
    if (blank(text)) return fallback;
    const value = Number(text.trim());
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(`must be ${unit} from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, not "${text.trim()}"`);
    }
    return value;
  };
}

const port = (fallback: number) => wholeNumber(fallback, 0, 65535, 'a port number');

function url(protocols: readonly string[], what: string) {
  return (text: string): URL => {
    let parsed: URL;
    try {
      parsed = new URL(text.trim());
    } catch {
      throw new Error(`must be ${what}, not "${redactUrl(text.trim())}"`);
    }
    if (!protocols.includes(parsed.protocol)) throw new Error(`must be ${what}, not "${redactUrl(text.trim())}"`);
    return parsed;
  };
}

const postgresUrl = url(['postgres:', 'postgresql:'], 'a postgres:// URL');
/** The text itself once `check` accepts it (URLs kept as written: pg and nodemailer parse them). */
const checked =
  (check: (text: string) => unknown) =>
  (text: string): string => {
    check(text);
    return text.trim();
  };
const optional =
  <T>(parse: (text: string) => T) =>
  (text: string | undefined): T | undefined =>
    blank(text) ? undefined : parse(text);

/** A URL with its password replaced, for messages and `kirikae config`. */
export function redactUrl(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

// ── the schema ─────────────────────────────────────────────────────────────────────────────────

export const settingsSchema = {
  home: setting({
    env: 'KIRIKAE_HOME',
    defaultText: './var',
    meaning:
      'local state: PGlite data (one process at a time: `pglite.lock`), certificates, mailbox, the audit journals (a local, writable disk: see Audit journal)',
    parse: (text) => resolve(blank(text) ? 'var' : text.trim()),
  }),
  databaseUrl: setting({
    env: 'DATABASE_URL',
    defaultText: '(none: embedded PGlite)',
    meaning: 'a PostgreSQL server, e.g. `postgres://user@host:5432/kirikae`',
    secret: true,
    parse: optional(checked(postgresUrl)),
  }),
  mode: setting({
    env: 'KIRIKAE_MODE',
    defaultText: 'sandbox',
    meaning:
      '`sandbox` (demo data, movable clock), `verification` (the sandbox with the grid stub in place of the reference grids: see The verification environment) or `production` (real clock)',
    parse: oneOf<Mode>(['sandbox', 'verification', 'production'], 'sandbox'),
  }),
  host: setting({
    env: 'HOST',
    defaultText: '127.0.0.1',
    meaning: 'the address the hub listens on',
    parse: (text) => (blank(text) ? '127.0.0.1' : text.trim()),
  }),
  port: setting({ env: 'PORT', defaultText: '8443', meaning: 'the port the hub listens on (HTTPS, mutual TLS)', parse: port(8443) }),
  opsPort: setting({
    env: 'OPS_PORT',
    defaultText: '8081',
    meaning: 'plain HTTP on the loopback address for supervisors and Prometheus: `/health/live`, `/health/ready`, `/metrics`',
    parse: port(8081),
  }),
  opsHost: setting({
    env: 'OPS_HOST',
    defaultText: '127.0.0.1',
    meaning: 'the address of the operations port (e.g. `0.0.0.0` for a Prometheus on another machine: it shows no personal data)',
    parse: (text) => (blank(text) ? '127.0.0.1' : text.trim()),
  }),
  logLevel: setting({
    env: 'KIRIKAE_LOG_LEVEL',
    defaultText: 'info',
    meaning: '`debug`, `info`, `warn` or `error`: the least severe log line written',
    parse: oneOf<LogLevel>(['debug', 'info', 'warn', 'error'], undefined),
  }),
  logFormat: setting({
    env: 'KIRIKAE_LOG_FORMAT',
    defaultText: '`pretty` on a terminal, else `json`',
    meaning: '`json` (one JSON object a line, for a log collector) or `pretty` (coloured lines for a person)',
    parse: oneOf<LogFormat>(['json', 'pretty'], undefined),
  }),
  quiet: setting({
    env: 'KIRIKAE_QUIET',
    defaultText: '(unset)',
    meaning: 'any value: write warnings and errors only (as `KIRIKAE_LOG_LEVEL=warn`; the test suite sets it)',
    parse: (text) => !blank(text),
  }),
  gridUrls: areaSetting({
    env: 'KIRIKAE_GRID_<AREA>_URL',
    defaultText: '(none: in process)',
    meaning: "reach that area's grid over HTTPS with mutual TLS, e.g. `KIRIKAE_GRID_03_URL=https://grid03.example:9443`",
    parse: url(['https:'], 'an https:// URL (mutual TLS)'),
  }),
  gridDatabaseUrls: areaSetting({
    env: 'KIRIKAE_GRID_<AREA>_DATABASE_URL',
    defaultText: '(none: `DATABASE_URL`)',
    meaning:
      "for `kirikae grid serve`: that area's grid keeps its data in this PostgreSQL database of its own, e.g. `KIRIKAE_GRID_03_DATABASE_URL=postgres://grid03@db03/grid`",
    secret: true,
    parse: checked(postgresUrl),
  }),
  hubUrl: setting({
    env: 'KIRIKAE_HUB_URL',
    defaultText: '(none)',
    meaning:
      'for `kirikae grid serve`: the hub whose suspensions its data provision sites follow at once (`/api/v1/credential-status`, long poll), e.g. `https://hub.example:8443`; needs `KIRIKAE_GRID_HUB_CERT` and `KIRIKAE_GRID_HUB_KEY`',
    parse: optional(checked(url(['https:'], 'an https:// URL (mutual TLS)'))),
  }),
  gridHubCert: setting({
    env: 'KIRIKAE_GRID_HUB_CERT',
    defaultText: '(none)',
    meaning: "for `kirikae grid serve` with `KIRIKAE_HUB_URL`: the PEM file of the grid operator's API certificate registered at the hub (O=G0xx, OU=api)",
    parse: optional((text) => resolve(text.trim())),
  }),
  gridHubKey: setting({
    env: 'KIRIKAE_GRID_HUB_KEY',
    defaultText: '(none)',
    meaning: 'the PEM file of that certificate’s private key',
    parse: optional((text) => resolve(text.trim())),
  }),
  gridTimeoutMs: setting({
    env: 'KIRIKAE_GRID_TIMEOUT_MS',
    defaultText: '10000',
    meaning: 'how long the hub waits for a grid before answering NG `GRID_UNAVAILABLE`',
    parse: wholeNumber(10_000, 1, 600_000, 'a number of milliseconds'),
  }),
  gridMatchingLanes: setting({
    env: 'KIRIKAE_GRID_MATCHING_LANES',
    defaultText: `\`${defaultMatchingLanes}\` (PGlite: always \`1\`)`,
    meaning: 'concurrent transactions (PostgreSQL backends) the grids match pending switch pairs in, each on its own share of the supply points',
    parse: wholeNumber(defaultMatchingLanes, 1, 16, 'a number of lanes'),
  }),
  gridUsagePasswordConfirmation: setting({
    env: 'KIRIKAE_GRID_USAGE_PASSWORD_CONFIRMATION',
    defaultText: '`immediate` (sandbox), `nextBusinessDay` (production)',
    meaning: 'when grids examine usage password applications',
    parse: oneOf(['immediate', 'nextBusinessDay'], undefined),
  }),
  smtpUrl: setting({
    env: 'KIRIKAE_SMTP_URL',
    defaultText: '(none: the built-in mailbox)',
    meaning: 'the SMTP server notification e-mails are sent through, e.g. `smtp://mail.example:25` or `smtps://user:pass@mail.example:465`',
    secret: true,
    parse: optional(checked(url(['smtp:', 'smtps:'], 'an smtp:// or smtps:// URL'))),
  }),
  mailFrom: setting({
    env: 'KIRIKAE_MAIL_FROM',
    defaultText: '`スイッチング支援システム <noreply@kirikae.example>`',
    meaning: 'the sender of notification e-mails',
    parse: (text) => (blank(text) ? undefined : text.trim()),
  }),
  mailDigestMinutes: setting({
    env: 'KIRIKAE_MAIL_DIGEST_MINUTES',
    defaultText: '10',
    meaning: 'the digest interval: at most one "relays awaiting your decision" e-mail per participant in this many minutes',
    parse: (text) => {
      if (blank(text)) return 10;
      const minutes = Number(text.trim());
      if (!Number.isFinite(minutes) || minutes < 0 || minutes > 24 * 60) throw new Error(`must be a number of minutes (0–1440), not "${text.trim()}"`);
      return minutes;
    },
  }),
  rateLimitPerMinute: setting({
    env: 'KIRIKAE_RATE_LIMIT_PER_MINUTE',
    defaultText: '`6000` (verification: `600`)',
    meaning: 'requests a participant may make per minute (API, SOAP and web together), across all hub processes: the rate its token bucket refills at',
    // Unset: the default of the mode (rate-limit.ts), not a number fixed here.
    parse: wholeNumber(undefined, 1, 1_000_000_000),
  }),
  rateLimitBurst: setting({
    env: 'KIRIKAE_RATE_LIMIT_BURST',
    defaultText: '`200` (verification: `20`)',
    meaning: 'the most requests a participant may make at once: the size of its token bucket (see Security, abuse limits)',
    parse: wholeNumber(undefined, 1, 1_000_000_000),
  }),
  certIssuance: setting({
    env: 'KIRIKAE_CERT_ISSUANCE',
    defaultText: '`immediate` (sandbox), `tue 17:00,fri 17:00` (production)',
    meaning:
      'when approved certificate requests are issued: at approval, or in batches at these closing times of the week (Japan time; checked at start by hub/certificates/life.ts)',
    parse: (text) => (blank(text) ? undefined : text.trim()),
  }),
  ppsCacheMb: setting({
    env: 'KIRIKAE_PPS_CACHE_MB',
    defaultText: '1024',
    meaning: 'bytes of half-hourly files each grid keeps in its database; older ones are evicted and regenerated on download (to the same SHA-256)',
    parse: wholeNumber(1024, 0, 1_000_000, 'a number of megabytes'),
  }),
  ppsXmlEncoding: setting({
    env: 'KIRIKAE_PPS_XML_ENCODING',
    defaultText: '`Shift_JIS`',
    meaning: 'the encoding of the W4 and W5 XML (`Shift_JIS` or `UTF-8`)',
    parse: oneOf(['Shift_JIS', 'UTF-8'], 'Shift_JIS'),
  }),
  ppsMissingPerMille: setting({
    env: 'KIRIKAE_PPS_MISSING_PER_MILLE',
    defaultText: '0',
    meaning: 'per mille of LV half-hours "not collected in time" (JP06122 = 1) in same-day files; nine in ten are filled in the daily file',
    parse: wholeNumber(0, 0, 1000),
  }),
  suspicionAddresses: setting({
    env: 'KIRIKAE_SUSPICION_ADDRESSES',
    defaultText: '5',
    meaning: 'per certificate and hour: source addresses from which the hub flags suspicious use',
    parse: wholeNumber(5, 1, 1_000_000),
  }),
  suspicionRefusals: setting({
    env: 'KIRIKAE_SUSPICION_REFUSALS',
    defaultText: '20',
    meaning: 'per certificate and hour: identity refusals (`AUTH_…`) from which the hub flags suspicious use',
    parse: wholeNumber(20, 1, 1_000_000),
  }),
} as const;

type Schema = typeof settingsSchema;

/** The parsed value of every setting, by its key. */
export type Settings = {
  readonly [K in keyof Schema]: Schema[K] extends AreaSetting<infer T> ? ReadonlyMap<AreaCode, T> : Schema[K] extends Setting<infer T> ? T : never;
};

/** The environment is not what kirikae can start with: every problem, one a line. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`the configuration is not valid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The name of a per-area variable for one area. */
export function areaVariable(definition: { readonly env: string }, area: AreaCode): string {
  return definition.env.replace('<AREA>', area);
}

function isAreaSetting(definition: Setting<unknown> | AreaSetting<unknown>): definition is AreaSetting<unknown> {
  return 'perArea' in definition;
}

/** Reads and checks every setting; throws ConfigError naming each variable that is wrong. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  return readSome(env, Object.keys(settingsSchema) as (keyof Schema)[]) as Settings;
}

/** Reads and checks one setting (a component given only an environment); throws ConfigError. */
export function readSetting<K extends keyof Schema>(env: NodeJS.ProcessEnv, key: K): Settings[K] {
  return readSome(env, [key])[key] as Settings[K];
}

function readSome(env: NodeJS.ProcessEnv, keys: readonly (keyof Schema)[]): Partial<Settings> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const key of keys) {
    const definition: Setting<unknown> | AreaSetting<unknown> = settingsSchema[key];
    if (isAreaSetting(definition)) {
      const byArea = new Map<AreaCode, unknown>();
      for (const area of areaCodes) {
        const name = areaVariable(definition, area);
        const text = env[name];
        if (blank(text)) continue;
        try {
          byArea.set(area, definition.parse(text));
        } catch (error) {
          problems.push(`${name} ${(error as Error).message}`);
        }
      }
      values[key] = byArea;
    } else {
      try {
        values[key] = definition.parse(env[definition.env]);
      } catch (error) {
        problems.push(`${definition.env} ${(error as Error).message}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Partial<Settings>;
}

/** Variables whose name starts with KIRIKAE_ but are none of ours: most likely a typing mistake. */
export function unknownVariables(env: NodeJS.ProcessEnv): string[] {
  const known = new Set<string>();
  for (const definition of Object.values(settingsSchema) as (Setting<unknown> | AreaSetting<unknown>)[]) {
    if (isAreaSetting(definition)) for (const area of areaCodes) known.add(areaVariable(definition, area));
    else known.add(definition.env);
  }
  // The test suite's, the benchmarks' and the browser tests' own variables are read by those tools.
  const tools = /^KIRIKAE_(TEST_|BENCH_|CHROMIUM$)/;
  return Object.keys(env)
    .filter((name) => name.startsWith('KIRIKAE_') && !known.has(name) && !tools.test(name))
    .sort();
}

/** One row per variable (per-area ones once, with `<AREA>`), for `kirikae config` and the README. */
export interface SettingRow {
  readonly env: string;
  readonly defaultText: string;
  readonly meaning: string;
  /** What is set in `env` (passwords of URLs and secrets hidden); per area: `03=…, 06=…`. */
  readonly value: string | undefined;
}

export function settingRows(env: NodeJS.ProcessEnv): SettingRow[] {
  return (Object.values(settingsSchema) as (Setting<unknown> | AreaSetting<unknown>)[]).map((definition) => {
    const show = (text: string) => (definition.secret ? redactUrl(text.trim()) : text.trim());
    let value: string | undefined;
    if (isAreaSetting(definition)) {
      const set = areaCodes.filter((area) => !blank(env[areaVariable(definition, area)]));
      value = set.length > 0 ? set.map((area) => `${area}=${show(env[areaVariable(definition, area)]!)}`).join(', ') : undefined;
    } else {
      const text = env[definition.env];
      value = blank(text) ? undefined : show(text);
    }
    return { env: definition.env, defaultText: definition.defaultText, meaning: definition.meaning, value };
  });
}

/** The README's Configuration table (markdown), generated from the schema. */
export function settingsMarkdownTable(): string {
  const rows = settingRows({});
  return [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...rows.map(
      (row) =>
        `| \`${row.env}\` | ${row.defaultText.startsWith('`') || row.defaultText.startsWith('(') ? row.defaultText : `\`${row.defaultText}\``} | ${row.meaning} |`,
    ),
  ].join('\n');
}
