import { ConfigError, readSettings, settingRows, unknownVariables } from '../../platform/settings.ts';
import type { Command } from '../command.ts';

export const configShow: Command = {
  name: 'config',
  summary: '設定（環境変数）の一覧と現在値 / list every setting (environment variable), its default and the value in force',
  usage: `kirikae config [--json]

Lists every environment variable kirikae reads (src/platform/settings.ts), its default, what it
means and the value set now (passwords in URLs hidden), then checks them all as a start would:
exit status 0 when they are valid, 2 with each problem named when not. Variables starting with
KIRIKAE_ that are no setting are named too (a typing mistake?).

  --json   the same as a JSON array of {variable, default, meaning, value}`,
  async run(args) {
    const rows = settingRows(process.env);
    if (args.includes('--json')) {
      console.log(
        JSON.stringify(
          rows.map((row) => ({ variable: row.env, default: row.defaultText, meaning: row.meaning, value: row.value ?? null })),
          null,
          2,
        ),
      );
    } else {
      const width = Math.max(...rows.map((row) => row.env.length));
      for (const row of rows) {
        console.log(`${row.env.padEnd(width)}  ${row.value === undefined ? `(default) ${row.defaultText.replaceAll('`', '')}` : row.value}`);
        console.log(`${''.padEnd(width)}  ${row.meaning.replaceAll('`', '')}`);
      }
    }
    for (const name of unknownVariables(process.env)) console.error(`warning: ${name} is not a kirikae setting`);
    try {
      readSettings(process.env);
      return 0;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(error.message);
      return 2;
    }
  },
};
