/**
 * `kirikae grid reading-days load`: an area's published reading calendar (定例検針日一覧表) of one
 * voltage and year, as a CSV of `日程,検針日` lines. With a system running on the embedded database,
 * the running system loads it (cli/operator-session.ts).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../platform/config.ts';
import type { Command } from '../command.ts';
import { operatorName, withOperatorSession } from '../operator-session.ts';

export const readingDaysLoad: Command = {
  name: 'grid reading-days load',
  summary: '検針日程表を読み込む / load an area’s published reading calendar for a year',
  usage: `kirikae grid reading-days load --area AA --year YYYY [--voltage LV|HV] FILE.csv

Loads an area's published reading calendar (定例検針日一覧表) for one year: FILE.csv has one line per
schedule number and month, "日程番号,検針日" (e.g. "08,2027-01-13"; a header line is skipped; UTF-8).
The year's days of that area and voltage are replaced in one transaction, whole or not at all; a bad
line refuses the file (GRID_CALENDAR_LINE_INVALID, naming the line). Days not loaded follow the area's
rule (README, "Reading days").

  --area AA       the area code, 01–10, required
  --year YYYY     the calendar year, required
  --voltage V     LV (default) or HV

Example: kirikae grid reading-days load --area 03 --year 2027 tokyo-2027.csv`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { area: { type: 'string' }, year: { type: 'string' }, voltage: { type: 'string', default: 'LV' } },
    });
    const file = positionals[0];
    if (!file || values.area === undefined || values.year === undefined) throw new Error(`usage: ${readingDaysLoad.usage.split('\n')[0]}`);
    const text = readFileSync(file, 'utf8');
    await withOperatorSession(loadConfig(), 'grid reading-days load', async (session) => {
      const result = await session.call('grid.readingDays.load', {
        area: values.area!,
        year: Number(values.year),
        voltage: values.voltage === 'HV' ? 'HV' : 'LV',
        text,
        operator: operatorName(),
      });
      console.log(
        `loaded ${result.loaded} reading days of area ${result.area} (${result.voltage}, ${result.year}) into ${result.target}; ${result.deleted} replaced`,
      );
    });
  },
};
