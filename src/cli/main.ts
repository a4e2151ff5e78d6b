#!/usr/bin/env node
/**
 * `kirikae`: one command for running and operating the system. Sub-commands live in commands/.
 * Refusals print their stable code and Japanese message and exit with status 2; unexpected errors
 * exit with status 1.
 */
import { isRefusal } from '../domain/refusal.ts';
import type { Command } from './command.ts';
import { call } from './commands/call.ts';
import { bulkRelay, bulkSwitchIn } from './commands/bulk.ts';
import { clockCommands } from './commands/clock.ts';
import { dbMigrate } from './commands/db-migrate.ts';
import { gridServe } from './commands/grid-serve.ts';
import { pkiCommands } from './commands/pki.ts';
import { seed } from './commands/seed.ts';
import { start } from './commands/start.ts';

const commands: readonly Command[] = [start, seed, dbMigrate, call, bulkSwitchIn, bulkRelay, ...pkiCommands, gridServe, ...clockCommands];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'kirikae — スイッチング支援システム (Switching Support System)',
    '',
    'Usage: kirikae <command> [options]     kirikae <command> --help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** The command whose words start the argument list (longest match first). */
function find(args: string[]): { command: Command; rest: string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((w, i) => args[i] === w)) return { command, rest: args.slice(words.length) };
  }
  return undefined;
}

export async function main(args: string[]): Promise<number> {
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    console.log(help());
    return 0;
  }
  const found = find(args);
  if (!found) {
    console.error(`kirikae: unknown command "${args.join(' ')}"\n\n${help()}`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    console.log(found.command.usage);
    return 0;
  }
  try {
    return (await found.command.run(found.rest)) ?? 0;
  } catch (error) {
    if (isRefusal(error)) {
      console.error(`エラー ${error.code}: ${error.text}${error.field ? ` (${error.field})` : ''}`);
      return 2;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`kirikae ${found.command.name}: ${error.message}\n\n${found.command.usage}`);
      return 2;
    }
    console.error(`kirikae ${found.command.name}: ${(error as Error).stack ?? error}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
