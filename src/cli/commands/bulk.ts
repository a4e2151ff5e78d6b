/**
 * `kirikae bulk switch-in FILE.csv --cert …`: files a CSV of switch-in applications through the
 * hub (the SDK's `bulk`), as a retailer's staff would from Excel, and prints the row report.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../platform/config.ts';
import type { BulkReport } from '../../sdk/client.ts';
import type { Command } from '../command.ts';
import { hubClient } from '../hub-client.ts';

const interfaceOfFamily: Readonly<Record<string, string>> = { LV: 'IF_10610', HV: 'IF_K10610', FIT: 'IF_F10610' };

export const bulkSwitchIn: Command = {
  name: 'bulk switch-in',
  summary: 'スイッチング開始申込をCSVで一括申込する / file switch-in applications from a CSV file',
  usage: `kirikae bulk switch-in FILE.csv --cert CERT.pem [--key KEY.pem] [--ca CA.pem]
             [--url https://localhost:8443] [--family LV|HV|FIT] [--json]

Files every row of FILE.csv as a switch-in application (IF_10610; IF_K10610 or IF_F10610 with
--family HV or FIT). The file is UTF-8 or Shift_JIS, as Excel saves it. Its first row names the
columns by the fields' Japanese names or identifiers:

  リクエストID,供給地点特定番号,需要者名（カナ）,需要者名（漢字）,現小売電気事業者コード,スイッチング希望日
  req-0001,0300111122223333444455,ヤマダ ハナコ,山田 花子,B0013,2026-12-07

The file goes in whole or not at all: if any row is refused, nothing is filed and the report shows
each refused row with its messages. Sending the same file again files nothing twice (requestId).
At most 10,000 rows and 5 MiB. Exit status 0 when filed, 3 when refused.`,
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
    const interfaceId = interfaceOfFamily[values.family!.toUpperCase()];
    if (!file || !interfaceId) {
      console.error(`kirikae bulk switch-in: name a CSV file${interfaceId ? '' : ', and --family LV, HV or FIT'}`);
      return 2;
    }
    if (!values.cert) {
      console.error('kirikae bulk switch-in: --cert is required (the API certificate, e.g. var/pki/api/A003.cert.pem)');
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

/** The report as a person reads it: the file's result, then one line per row (and one per message). */
export function readableReport(report: BulkReport): string {
  const lines = [`${report.data?.interfaceId ?? ''} 一括申込: ${report.result}`];
  for (const m of report.messages) lines.push(`  [${m.code}] ${m.text}`);
  for (const row of report.data?.rows ?? []) {
    const what = row.applicationNumber ? ` 申込番号 ${row.applicationNumber}` : '';
    lines.push(`  ${String(row.row).padStart(5)}行目 ${row.result}${row.requestId ? ` (${row.requestId})` : ''}${what}`);
    for (const m of row.messages) lines.push(`           [${m.code}] ${m.text}${m.field ? ` (${m.field})` : ''}`);
  }
  return lines.join('\n');
}
