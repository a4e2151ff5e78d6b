#!/usr/bin/env node
/**
 * `kirikae`: one command for running and operating the system. Sub-commands live in commands/.
 * Refusals print their stable code and Japanese message and exit with status 2; unexpected errors
 * exit with status 1.
 */
import { isRefusal } from '../domain/refusal.ts';
import type { Command } from './command.ts';
import { ConfigError, readSettings, unknownVariables } from '../platform/settings.ts';
import { configureLogging, log } from '../platform/log.ts';

/**
 * The command modules, by the words that select their commands. Only the module a command line names
 * is loaded: a command starts with its own imports, not every command's (`kirikae clock show`
 * against a running system loads neither the database nor the servers). The help loads them all.
 */
const commandModules: ReadonlyArray<readonly [words: string, load: () => Promise<readonly Command[]>]> = [
  ['start', async () => [(await import('./commands/start.ts')).start]],
  ['seed', async () => [(await import('./commands/seed.ts')).seed]],
  ['db', async () => [(await import('./commands/db-migrate.ts')).dbMigrate]],
  ['call', async () => [(await import('./commands/call.ts')).call]],
  [
    'bulk',
    async () => {
      const m = await import('./commands/bulk.ts');
      return [m.bulkSwitchIn, m.bulkRelay];
    },
  ],
  ['pki', async () => (await import('./commands/pki.ts')).pkiCommands],
  ['grid serve', async () => [(await import('./commands/grid-serve.ts')).gridServe]],
  ['grid reading-days', async () => [(await import('./commands/reading-days.ts')).readingDaysLoad]],
  ['grid pps', async () => (await import('./commands/pps.ts')).ppsCommands],
  ['grid interruption', async () => (await import('./commands/interruption.ts')).interruptionCommands],
  ['pull', async () => [(await import('./commands/pps.ts')).pull]],
  ['clock', async () => (await import('./commands/clock.ts')).clockCommands],
  ['config', async () => [(await import('./commands/config.ts')).configShow]],
];

/**
 * The commands a command line may name: the modules whose words start it; failing that, those of its
 * first word's group (`kirikae grid --help`); failing that, all (the help, an unknown command).
 */
async function commandsFor(args: readonly string[]): Promise<readonly Command[]> {
  const startsWith = (words: string) => words.split(' ').every((w, i) => args[i] === w);
  let chosen: ReadonlyArray<(typeof commandModules)[number]> = commandModules.filter(([words]) => startsWith(words));
  if (chosen.length === 0) chosen = commandModules.filter(([words]) => words.split(' ')[0] === args[0]);
  if (chosen.length === 0) chosen = commandModules;
  return (await Promise.all(chosen.map(([, load]) => load()))).flat();
}

function help(commands: readonly Command[]): string {
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
function groupOf(commands: readonly Command[], word: string | undefined): readonly Command[] {
  return word === undefined ? [] : commands.filter((c) => c.name.startsWith(`${word} `));
}

/** The command whose words start the argument list (longest match first). */
function find(commands: readonly Command[], args: string[]): { command: Command; rest: string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((w, i) => args[i] === w)) return { command, rest: args.slice(words.length) };
  }
  return undefined;
}

export async function main(args: string[]): Promise<number> {
  const commands = await commandsFor(args);
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    console.log(help(commands));
    return 0;
  }
  const found = find(commands, args);
  if (!found) {
    const group = groupOf(commands, args[0]);
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
    console.error(`kirikae: unknown command "${args.join(' ')}"\n\n${help(commands)}`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    console.log(found.command.usage);
    return 0;
  }
  try {
    // Every variable checked before anything starts: one message naming each that is wrong.
    // (`kirikae config` lists them, the wrong ones included, and names the problems itself.)
    if (found.command.name !== 'config') configureLogging(readSettings(process.env));
    if (found.command.name !== 'config')
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
