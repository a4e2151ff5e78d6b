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

/** pino redaction paths: each field at the top level and under up to three levels of objects. */
export const redactPaths: string[] = personalFields.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`]);

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
    redact: { paths: redactPaths, censor: '[REDACTED]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // "level":"warn", not 40: what a person reading the JSON, or a collector's filter, expects.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (format === 'pretty') {
    const destination = options.destination ?? 2;
    return pino(
      settings,
      pretty({
        destination: destination as number,
        sync: true,
        colorize: destination === 2 && process.stderr.isTTY,
        ignore: 'pid,hostname,scope',
        messageFormat: '[{scope}] {msg}',
      }),
    );
  }
  return pino(settings, (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: true }));
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
