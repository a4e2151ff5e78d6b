/**
 * `kirikae bulk switch-in FILE.csv --cert …` and `kirikae bulk relay FILE.csv --cert …`: file a CSV
 * of switch-in applications or of termination relays through the hub (the SDK's `bulk`), as a
 * retailer's staff would from Excel, and print the row report.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../platform/config.ts';
import type { BulkReport } from '../../sdk/client.ts';
import type { Command } from '../command.ts';
import { hubClient } from '../hub-client.ts';

/** A `kirikae bulk …` command: one CSV file, one interface per family, the row report. */
function bulkCommand(options: { name: string; summary: string; usage: string; interfaceOfFamily: Readonly<Record<string, string>> }): Command {
  const { name } = options;
  return {
    name,
    summary: options.summary,
    usage: options.usage,
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          cert: { type: 'string' },
          key: { type: 'string' },
          ca: { type: 'string' },
          url: { type: 'string' },
          family: { type: 'string', default: 'LV' },
          json: { type: 'boolean', default: false },
        },
      });
      const file = positionals[0];
      const interfaceId = options.interfaceOfFamily[values.family!.toUpperCase()];
      if (!file || !interfaceId) {
        console.error(`kirikae ${name}: name a CSV file${interfaceId ? '' : ', and --family LV, HV or FIT'}`);
        return 2;
      }
      if (!values.cert) {
        console.error(`kirikae ${name}: --cert is required (the API certificate, e.g. var/pki/api/1003.cert.pem)`);
        return 2;
      }
      const config = loadConfig();
      const client = await hubClient({ cert: values.cert, key: values.key, ca: values.ca, url: values.url }, config, { timeoutMs: 300_000 });
      try {
        const report = await client.bulk(interfaceId, await readFile(resolve(file)));
        console.log(values.json ? JSON.stringify(report, null, 2) : readableReport(report));
        return report.result === 'OK' ? 0 : 3;
      } finally {
        client.close();
      }
    },
  };
}

const common = `The file is UTF-8 or Shift_JIS, as Excel saves it. Its first row names the columns by the
fields' Japanese names or identifiers; the items of an address are columns of their own
(住所（都道府県）, 住所（市区町村）, 住所（町名・番地）, 住所（建物名・部屋番号）).`;

export const bulkSwitchIn = bulkCommand({
  name: 'bulk switch-in',
  summary: 'スイッチング開始申込をCSVで一括申込する / file switch-in applications from a CSV file',
  interfaceOfFamily: { LV: 'IF_10610', HV: 'IF_K10610', FIT: 'IF_F10610' },
  usage: `kirikae bulk switch-in FILE.csv --cert CERT.pem [--key KEY.pem] [--ca CA.pem]
             [--url https://localhost:8443] [--family LV|HV|FIT] [--json]

Files every row of FILE.csv as a switch-in application (IF_10610; IF_K10610 or IF_F10610 with
--family HV or FIT). ${common}

  リクエストID,供給地点特定番号,需要者名（カナ）,需要者名（漢字）,現小売電気事業者コード,スイッチング希望日
  req-0001,0300111122223333444455,ヤマダ ハナコ,山田 花子,20013,2026-12-07

The file goes in whole or not at all: if any row is refused, nothing is filed and the report shows
each refused row with its messages. Sending the same file again files nothing twice (requestId).
At most 10,000 rows and 5 MiB. Exit status 0 when filed, 3 when refused.`,
});

export const bulkRelay = bulkCommand({
  name: 'bulk relay',
  summary: 'スイッチング廃止取次をCSVで一括登録する / register termination relays from a CSV file',
  interfaceOfFamily: { LV: 'IS_20110', HV: 'IS_K20110', FIT: 'IS_F20110' },
  usage: `kirikae bulk relay FILE.csv --cert CERT.pem [--key KEY.pem] [--ca CA.pem]
             [--url https://localhost:8443] [--family LV|HV|FIT] [--json]

Registers every row of FILE.csv as a termination relay to the old retailer (IS_20110; IS_K20110
or IS_F20110 with --family HV or FIT). ${common} A 更新区分 column (2 modify, 3 cancel, with
廃止取次番号) may correct or cancel relays awaiting a decision.

  リクエストID,供給地点特定番号,契約番号,住所（都道府県）,住所（市区町村）,住所（町名・番地）,需要者名（カナ）,需要者名（漢字）,廃止年月日,現小売電気事業者コード
  rl-0001,0300111122223333444455,K-1001,東京都,千代田区,丸の内一丁目1番1号,ヤマダ ハナコ,山田 花子,2026-12-20,10033

The file goes in whole or not at all: if any row is refused, nothing is registered and the report
shows every row's result. Sending the same file again registers nothing twice (requestId).
At most 100,000 rows and 40 MiB. Exit status 0 when registered, 3 when refused.`,
});

/** The report as a person reads it: the file's result, then one line per row (and one per message). */
export function readableReport(report: BulkReport): string {
  const lines = [`${report.data?.interfaceId ?? ''} 一括申込: ${report.result}`];
  for (const m of report.messages) lines.push(`  [${m.code}] ${m.text}`);
  for (const row of report.data?.rows ?? []) {
    const what = row.applicationNumber ? ` 申込番号 ${row.applicationNumber}` : row.relayNumber ? ` 廃止取次番号 ${row.relayNumber}` : '';
    lines.push(`  ${String(row.row).padStart(5)}行目 ${row.result}${row.requestId ? ` (${row.requestId})` : ''}${what}`);
    for (const m of row.messages) lines.push(`           [${m.code}] ${m.text}${m.field ? ` (${m.field})` : ''}`);
  }
  return lines.join('\n');
}
