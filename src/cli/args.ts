/**
 * `parseArgs` reads "--points -5" as a missing value followed by an unknown flag. Joining an option
 * with a following negative number ("--points=-5") lets the command refuse the value itself, with
 * the same code and message as any other bad value.
 */
export function joinNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
