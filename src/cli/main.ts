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
import { ppsCommands, pull } from './commands/pps.ts';
import { interruptionCommands } from './commands/interruption.ts';
import { pkiCommands } from './commands/pki.ts';
import { readingDaysLoad } from './commands/reading-days.ts';
import { seed } from './commands/seed.ts';
import { start } from './commands/start.ts';
import { configShow } from './commands/config.ts';
import { ConfigError, readSettings, unknownVariables } from '../platform/settings.ts';
import { configureLogging, log } from '../platform/log.ts';

const commands: readonly Command[] = [
  start,
  seed,
  dbMigrate,
  call,
  bulkSwitchIn,
  bulkRelay,
  ...pkiCommands,
  gridServe,
  readingDaysLoad,
  ...ppsCommands,
  ...interruptionCommands,
  pull,
  ...clockCommands,
  configShow,
];

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

/** The help of a command group (`kirikae pki --help`): its sub-commands, as the main help lists them. */
function groupHelp(group: string, members: readonly Command[]): string {
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `Usage: kirikae ${group} <command> [options]     kirikae ${group} <command> --help`,
    '',
    'Commands:',
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** The commands of the group named by the first word ("pki": pki init, pki issue, …). */
function groupOf(word: string | undefined): readonly Command[] {
  return word === undefined ? [] : commands.filter((c) => c.name.startsWith(`${word} `));
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
    const group = groupOf(args[0]);
    if (group.length > 0) {
      if (args.length === 2 && ['--help', '-h', 'help'].includes(args[1]!)) {
        console.log(groupHelp(args[0]!, group));
        return 0;
      }
      console.error(
        `${args.length === 1 ? `kirikae ${args[0]}: name a command` : `kirikae: unknown command "${args.join(' ')}"`}\n\n${groupHelp(args[0]!, group)}`,
      );
      return 2;
    }
    console.error(`kirikae: unknown command "${args.join(' ')}"\n\n${help()}`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    console.log(found.command.usage);
    return 0;
  }
  try {
    // Every variable checked before anything starts: one message naming each that is wrong.
    // (`kirikae config` lists them, the wrong ones included, and names the problems itself.)
    if (found.command !== configShow) configureLogging(readSettings(process.env));
    if (found.command !== configShow)
      for (const name of unknownVariables(process.env))
        log('warn', 'config', `${name} is not a kirikae setting (a typing mistake?); \`kirikae config\` lists them`);
    return (await found.command.run(found.rest)) ?? 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`kirikae ${found.command.name}: ${error.message}`);
      return 2;
    }
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
