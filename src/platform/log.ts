/**
 * Operational log lines on stderr: one line per event, `time level scope message`. Personal data
 * (names, phone numbers, addresses) is never written here; the audit log references it instead.
 */
export type Level = 'info' | 'warn' | 'error';

export function log(level: Level, scope: string, message: string): void {
  if (process.env.KIRIKAE_QUIET && level === 'info') return;
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} [${scope}] ${message}\n`);
}
