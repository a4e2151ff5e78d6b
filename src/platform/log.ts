/**
 * Operational logs: pino, the logger Fastify ships, on stderr. One JSON object a line for a log
 * collector (`KIRIKAE_LOG_FORMAT=json`, the default when stderr is not a terminal), or coloured lines
 * for a person (`pretty`, pino-pretty, the default on a terminal). Every line has `time`, `level`,
 * `scope` and `msg`; a request's lines carry `reqId`, and its completion line `participant`,
 * `interface`, `channel`, `status`, `result` and `ms` (hub/http/hub-server.ts).
 *
 * Personal data is never meant to be logged (the audit log references it instead); as a second
 * line of defence, any field named like personal data or a secret — names, kana, addresses, phone
 * numbers, passwords, usage passwords, cookies — is replaced by `[REDACTED]` at any depth up to four,
 * whoever logs it.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './settings.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type { Logger };

/** Field names that hold personal data or secrets, wherever they appear in a logged object. */
export const personalFields = [
  'customerName',
  'customerNameKana',
  'generatorName',
  'generatorNameKana',
  'decidingPersonName',
  'name',
  'nameKana',
  'address',
  'phone',
  'phoneNumber',
  'mail',
  'email',
  'password',
  'newPassword',
  'currentPassword',
  'initialPassword',
  'usagePassword',
  'cookie',
  'authorization',
  'token',
] as const;

const personal: ReadonlySet<string> = new Set(personalFields);
const censor = '[REDACTED]';

/**
 * `value` with every property named in `personalFields` replaced by `[REDACTED]`, at the top level
 * and in objects and arrays up to three levels below it (depth four, as documented above). Nothing
 * is changed in place: the objects on the way to a censored property are copied (an Error keeps its
 * prototype, message and stack), everything else is shared, and a value without personal data is
 * returned as it is. Every log line and every child logger's bindings pass through it.
 *
 * One walk over the line's own keys: a request's line (eight flat fields) costs eight set look-ups,
 * where pino's path redaction with wildcards (`*.*.*.name`, 80 paths) cost about a tenth of a hub
 * request's CPU (bench "facility via hub").
 */
export function redactPersonal<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > 3 || ArrayBuffer.isView(value)) return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const redacted = personal.has(key) ? (item === undefined ? item : censor) : redactPersonal(item, depth + 1);
    if (redacted === item) continue;
    copy ??= shallowCopy(record);
    copy[key] = redacted;
  }
  return (copy ?? value) as T;
}

function shallowCopy(value: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(value)) return [...value] as unknown as Record<string, unknown>;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return { ...value };
  // Another class (an Error): the same prototype and own properties, read through the original
  // (V8's `stack` is an accessor that answers only for the object it was made on).
  const copy = Object.create(proto) as Record<string | symbol, unknown>;
  for (const key of Reflect.ownKeys(value)) {
    const { enumerable } = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
    Object.defineProperty(copy, key, { value: (value as Record<string | symbol, unknown>)[key], enumerable, writable: true, configurable: true });
  }
  return copy as Record<string, unknown>;
}

export interface LogOptions {
  readonly level?: LogLevel;
  readonly format?: LogFormat;
  /** Where lines go (default stderr, synchronously: a crash loses no line). */
  readonly destination?: NodeJS.WritableStream | { write(line: string): void };
}

/** A root logger with kirikae's redaction, level and format. */
export function createLogger(options: LogOptions = {}): Logger {
  const format = options.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const settings = {
    level: options.level ?? 'info',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // "level":"warn", not 40: what a person reading the JSON, or a collector's filter, expects.
    formatters: {
      level: (label: string) => ({ level: label }),
      // Personal data and secrets censored in every line (redactPersonal); the root's bindings here,
      // every child's in `censoringChildren`.
      bindings: (bindings: Record<string, unknown>) => redactPersonal(bindings),
      log: (object: Record<string, unknown>) => redactPersonal(object),
    },
  };
  if (format === 'pretty') {
    const destination = options.destination ?? 2;
    return censoringChildren(
      pino(
        settings,
        pretty({
          destination: destination as number,
          sync: true,
          colorize: destination === 2 && process.stderr.isTTY,
          ignore: 'pid,hostname,scope',
          messageFormat: '[{scope}] {msg}',
        }),
      ),
    );
  }
  return censoringChildren(pino(settings, (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: true })));
}

/**
 * pino passes only the root's bindings through `formatters.bindings`; a child's (fastify's `reqId`
 * of each request, a scope, anything a caller binds) are censored here. A child is made from its
 * parent's prototype, so this `child` serves the whole tree.
 */
function censoringChildren(root: Logger): Logger {
  const child = root.child;
  root.child = function (this: Logger, bindings, options) {
    return child.call(this, redactPersonal(bindings), options);
  } as Logger['child'];
  return root;
}

let root: Logger | undefined;
let configured = false;

/**
 * The process's logger: configured by `configureLogging` at start (the CLI), else from the
 * environment as it is at each call (KIRIKAE_QUIET: warnings and errors only; tests set it late).
 */
export function rootLogger(): Logger {
  root ??= createLogger({ level: 'info' });
  if (!configured) root.level = process.env.KIRIKAE_QUIET ? 'warn' : 'info';
  return root;
}

/** Sets the process's logger from the settings (settings.ts): level, format. */
export function configureLogging(settings: {
  readonly logLevel: LogLevel | undefined;
  readonly logFormat: LogFormat | undefined;
  readonly quiet: boolean;
}): Logger {
  root = createLogger({ level: settings.logLevel ?? (settings.quiet ? 'warn' : 'info'), ...(settings.logFormat ? { format: settings.logFormat } : {}) });
  configured = true;
  return root;
}

/** A logger for one part of the system (`scope`: db, grid, http, mail, …). */
export function scopedLogger(scope: string): Logger {
  return rootLogger().child({ scope });
}

/** One log line of `scope`, with structured fields (redacted like every line). */
export function log(level: Level, scope: string, message: string, fields: Record<string, unknown> = {}): void {
  rootLogger()[level]({ scope, ...fields }, message);
}
