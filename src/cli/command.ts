/**
 * The shape of a `kirikae` sub-command. Each lives in its own file under commands/ and is listed
 * in main.ts; `kirikae --help` is generated from their names and summaries.
 */
export interface Command {
  /** Words that select it, e.g. "db migrate". */
  readonly name: string;
  readonly summary: string;
  /** Full help: options and examples. */
  readonly usage: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: a command returns its exit status, or nothing for 0
  run(args: string[]): Promise<number | void>;
}
