/**
 * The data provision sites' commands: the grid operator's (`grid pps …`: register a retailer's
 * certificate, list them, reissue files in the sandbox) and the retailer's (`pull`).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { areaOf } from '../../domain/area.ts';
import { ppsKind } from '../../domain/pps-file.ts';
import { Refusal } from '../../domain/refusal.ts';
import { loadConfig } from '../../platform/config.ts';
import { PpsClient } from '../../sdk/pps.ts';
import { pullFiles } from '../../sdk/pull.ts';
import type { Command } from '../command.ts';
import { operatorName, withOperatorSession } from '../operator-session.ts';

const register: Command = {
  name: 'grid pps register',
  summary: 'データ提供サイトに小売電気事業者の証明書を登録する / register a retailer certificate with a grid’s data provision site',
  usage: `kirikae grid pps register --area 03 --cert CERT.pem --participant B0013

Registers the retailer's OCCTO-issued client certificate (the hub CA's) with the area's data provision
site (データ提供サイト, slide 32): from then on it may list and download its half-hourly files there,
at https://HUB/grid/AREA/PPS/ (or the grid server's). The certificate must bind the participant's
company (O) and be valid now; the participant code must be of that area. Registering again is a no-op.`,
  async run(args) {
    const { values } = parseArgs({ args, options: { area: { type: 'string' }, cert: { type: 'string' }, participant: { type: 'string' } } });
    const area = areaOf(String(values.area ?? '')).code;
    if (!values.cert) throw new Refusal('PKI_NO_CERTIFICATE', { field: 'cert' });
    if (!values.participant) throw new Refusal('PCODE_FORMAT', { field: 'participant' });
    const certPem = await readFile(resolve(values.cert), 'utf8');
    await withOperatorSession(loadConfig(), 'grid pps register', async (session) => {
      const c = await session.call('pps.register', { area, certPem, participantCode: values.participant!, operator: operatorName() });
      console.log(`registered ${c.usage} certificate of ${c.participantCode} with area ${area}'s data provision site${c.suspendedAt ? ' (suspended)' : ''}`);
      console.log(`  fingerprint: ${c.fingerprint256}\n  valid until: ${c.notAfter}`);
    });
  },
};

const list: Command = {
  name: 'grid pps list',
  summary: 'データ提供サイトに登録された証明書を一覧する / list the certificates registered with a grid’s site',
  usage: 'kirikae grid pps list --area 03',
  async run(args) {
    const { values } = parseArgs({ args, options: { area: { type: 'string' } } });
    const area = areaOf(String(values.area ?? '')).code;
    await withOperatorSession(loadConfig(), 'grid pps list', async (session) => {
      const certs = await session.call('pps.list', { area });
      for (const c of certs)
        console.log(
          `${c.participantCode}  ${c.usage.padEnd(8)}  ${c.suspendedAt ? 'suspended' : 'active   '}  ${c.notAfter.slice(0, 10)}  ${c.fingerprint256}`,
        );
      if (certs.length === 0) console.log('(none)');
    });
  },
};

const reissue: Command = {
  name: 'grid pps reissue',
  summary: '30分電力量・確定使用量ファイルを再作成する（サンドボックス） / issue a new revision of half-hourly or settled-usage files (sandbox)',
  usage: `kirikae grid pps reissue --area 03 --kind W41110 --date 2026-11-28 [--slot 1]
kirikae grid pps reissue --area 03 --kind W51220 --date 2026-12-08

Issues the next revision of every receiver's files of that kind, day (and time code 1–48 for a
same-day kind; the reading, exchange or special-reading day for a W5 kind), as a retroactive change would: retailers' clients see the new revision supersede
the old one (highest revision wins).`,
  async run(args) {
    const { values } = parseArgs({ args, options: { area: { type: 'string' }, kind: { type: 'string' }, date: { type: 'string' }, slot: { type: 'string' } } });
    const area = areaOf(String(values.area ?? '')).code;
    await withOperatorSession(loadConfig(), 'grid pps reissue', async (session) => {
      const result = await session.call('pps.reissue', {
        area,
        kind: String(values.kind ?? ''),
        date: String(values.date ?? ''),
        slot: values.slot === undefined ? null : Number(values.slot),
        operator: operatorName(),
      });
      console.log(`${result.files} files reissued`);
    });
  },
};

export const pull: Command = {
  name: 'pull',
  summary: '30分電力量・確定使用量ファイルを取得する（PULL） / fetch your half-hourly and settled-usage files from a grid’s site',
  usage: `kirikae pull --area 03 --cert CERT.pem [--key KEY.pem] [--ca CA.pem] --into DIR
             [--kinds W41110,W41120|W5|STD_KEIYAKUKW] [--from yyyymmdd] [--url https://localhost:8443/grid/03/PPS/]

Brings DIR up to date with the area's data provision site: downloads each file not yet held intact
(resuming an interrupted download), checks its size and SHA-256, unzips its XML beside it (a CSV
report, STD_GENSHIWAKE / STD_GENSHIWAKE_G / STD_KEIYAKUKW / STD_SEIGENCHUSHI, is kept as it is), and keeps
DIR/state.json. Running it again downloads nothing new; safe every 5 minutes from cron. Prints the
new revisions that supersede files already held.

  --kinds file kinds (W40110 W41110 W40120 W41120, W51210 W51220 W51310 W51320 W51410 W51420),
          or W4 / W5 for all of a message family; default: every kind
  --key   default: the certificate's path with .key.pem
  --ca    default: KIRIKAE_HOME/pki/ca.cert.pem
  --url   default: https://localhost:PORT/grid/AREA/PPS/ (the site in the hub's process)`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        area: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        ca: { type: 'string' },
        into: { type: 'string' },
        kinds: { type: 'string' },
        from: { type: 'string' },
        url: { type: 'string' },
      },
    });
    const area = areaOf(String(values.area ?? '')).code;
    if (!values.cert) throw usageError('--cert is required');
    if (!values.into) throw usageError('--into is required');
    const kinds = values.kinds ? values.kinds.split(',').map((k) => k.trim().toUpperCase()) : [];
    for (const kind of kinds)
      if (kind !== 'W4' && kind !== 'W5' && !ppsKind(kind)) throw new Refusal('PPS_FILTER_INVALID', { field: 'kinds', params: { field: 'kinds' } });
    const config = loadConfig();
    const certPath = resolve(values.cert);
    const client = new PpsClient({
      baseUrl: values.url ?? `https://localhost:${config.port}/grid/${area}/PPS/`,
      certPem: await readFile(certPath, 'utf8'),
      keyPem: await readFile(values.key ? resolve(values.key) : certPath.replace(/\.cert\.pem$/, '.key.pem'), 'utf8'),
      caPem: await readFile(values.ca ? resolve(values.ca) : join(config.home, 'pki', 'ca.cert.pem'), 'utf8'),
    });
    const tty = process.stderr.isTTY;
    try {
      const result = await pullFiles(client, resolve(values.into), {
        kinds,
        ...(values.from ? { from: values.from } : {}),
        onProgress: tty ? (name, held, size) => process.stderr.write(`\r${name} ${Math.floor((held / Math.max(size, 1)) * 100)}%`) : undefined,
        onFile: (e) => {
          if (tty) process.stderr.write('\r\x1b[K');
          console.log(`${e.status === 'resumed' ? 'resumed ' : 'got     '} ${e.name} (${e.size} bytes)`);
        },
        onSuperseded: (held, by) => console.log(`superseded ${held} by ${by}`),
      });
      console.log(`${result.downloaded.length} downloaded, ${result.listed - result.downloaded.length} already held, ${result.superseded.length} superseded`);
    } finally {
      client.close();
    }
  },
};

function usageError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
}

export const ppsCommands: readonly Command[] = [register, list, reissue];
