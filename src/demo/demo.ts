/**
 * The sandbox's first start: demo participants and users at the hub, a certificate for each (one
 * API certificate per retailer, one terminal certificate per demo user), the synthetic registry in
 * the grids, and `KIRIKAE_HOME/DEMO.md` saying which file belongs to whom, with the initial
 * passwords and supply points to try the look-ups with. Later starts find everything in place and
 * do nothing.
 *
 * This module composes hub and grid (like app.ts): the retailers of the synthetic registry become
 * the hub's participants, so every retailer code in the grids belongs to a participant.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoPointsMarkdown, demoSupplyPoints } from '../grid/lookup/demo-points.ts';
import { demoRetailers } from '../grid/seed/retailers.ts';
import { registerCertificate } from '../hub/identity/certificate.commands.ts';
import { listCertificates } from '../hub/identity/certificate.commands.ts';
import { getParticipant } from '../hub/identity/participant.commands.ts';
import { seedDemoIdentities, type DemoUser } from '../hub/identity/demo.ts';
import { seedDemoNotices } from '../hub/notices/demo.ts';
import { seedDemoRelays } from './relays.ts';
import { demoExamples, demoExamplesMarkdown } from './examples.ts';
import type { HubPki } from '../hub/pki/hub-pki.ts';
import { systemActor } from '../hub/policy.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/db.ts';
import { writePki } from '../platform/pki/files.ts';
import { issueClientCert } from '../platform/pki/issue.ts';
import { toPkcs12 } from '../platform/pki/pkcs12.ts';
import { log } from '../platform/log.ts';
import { areaDigit } from '../domain/area.ts';
import type { GridContext } from '../grid/context.ts';
import { runReportSchedule } from '../grid/provision/report-schedule.ts';
import { registerPpsCertificate } from '../grid/provision/site.repository.ts';
import { gridSchema } from '../grid/schema.ts';

const usersFor = new Set(['1003', '2001']);

/** The password of every demo .p12 file (browsers ask for one on import). */
export const demoPkcs12Password = 'kirikae';

export interface DemoFiles {
  readonly api: { companyCode: string; name: string; base: string }[];
  readonly terminals: { user: DemoUser; base: string }[];
}

/**
 * The company code a demo retailer had before demo codes became numeric like real ones (issue 16):
 * the first digit was a letter (1 A, 2 B, 3 C), so Tokyo's `1003` began with an A. Built rather
 * than written out, so that the one-off rename of the codes in the sources leaves it alone.
 */
export function formerDemoCompanyCode(companyCode: string): string {
  return String.fromCharCode(64 + Number(companyCode[0])) + companyCode.slice(1);
}

/**
 * Whether this home's demo was made with the former letter codes. Its registry, users, certificates
 * and DEMO.md stay as they are (letters are valid codes): nothing is added beside them, which would
 * give the home a second set of demo retailers without supply points and overwrite DEMO.md, the
 * only record of the first set's initial passwords.
 */
export async function hasFormerDemoCodes(db: Db): Promise<boolean> {
  const tokyo = demoRetailers.find((r) => r.kind === 'incumbent' && r.areas.includes('03'))!;
  return (await getParticipant(db, formerDemoCompanyCode(tokyo.companyCode))) !== null;
}

/**
 * Creates the demo identities and certificates that are missing; writes DEMO.md when it created any.
 * A home made with the former letter codes is left as it is.
 */
export async function ensureDemoIdentities(db: Db, clock: Clock, pki: HubPki, home: string): Promise<DemoFiles | undefined> {
  if (await hasFormerDemoCodes(db)) return undefined;
  const created = await seedDemoIdentities(db, clock, {
    // Every retailer gets an administrator; the Tokyo incumbent and the first new entrant (the two
    // sides of a switch in the demo) also get an ordinary user each.
    retailers: demoRetailers.map((r) => ({ companyCode: r.companyCode, name: r.name, areas: r.areas, withUser: usersFor.has(r.companyCode) })),
  });
  if (created.users.length === 0 && created.participants.length === 0) return undefined;
  await seedDemoNotices(db, clock);
  await seedDemoRelays(db, clock);
  const now = new Date(); // certificates are checked by TLS against the real time, not the sandbox clock
  const existing = new Set((await listCertificates(db, {}, { size: 200 })).items.map((c) => `${c.companyCode}/${c.usage}/${c.subjectCn}`));
  const files: DemoFiles = { api: [], terminals: [] };
  const issue = async (companyCode: string, usage: 'api' | 'terminal', terminalName: string | undefined, dir: string, name: string) => {
    const cert = issueClientCert({ ca: pki.ca, participantCode: companyCode, usage, ...(terminalName ? { terminalName } : {}), now });
    const pkcs12 = toPkcs12({ certPem: cert.certPem, keyPem: cert.keyPem, caPem: pki.ca.certPem, password: demoPkcs12Password, friendlyName: name });
    await writePki(join(pki.dir, dir), name, { certPem: cert.certPem, keyPem: cert.keyPem, pkcs12 });
    await registerCertificate(db, clock, { certPem: cert.certPem, participantCode: companyCode, registeredBy: systemActor });
    // A retailer's API certificate is registered with the data provision site of each of its areas,
    // so a new user can pull its files at once (`kirikae pull`).
    if (usage === 'api')
      for (const area of demoRetailers.find((r) => r.companyCode === companyCode)?.areas ?? [])
        await registerPpsCertificate(db, gridSchema(area), area, { pem: cert.certPem, participantCode: `${companyCode}${areaDigit(area)}` }, now);
    return `pki/${dir}/${name}`;
  };
  for (const retailer of demoRetailers) {
    if (existing.has(`${retailer.companyCode}/api/${retailer.companyCode} api`)) continue;
    files.api.push({
      companyCode: retailer.companyCode,
      name: retailer.name,
      base: await issue(retailer.companyCode, 'api', undefined, 'api', retailer.companyCode),
    });
  }
  for (const user of created.users) {
    files.terminals.push({ user, base: await issue(user.participantCode, 'terminal', `${user.userId} 端末`, 'terminal', user.userId) });
  }
  await writeFile(join(home, 'DEMO.md'), `${demoMarkdown(files)}\n${await demoRegistryMarkdown(db, clock)}`, { mode: 0o600 });
  return files;
}

/** The part of DEMO.md drawn from the grids' registries: the demo points and the example requests. */
export async function demoRegistryMarkdown(db: Db, clock: Clock): Promise<string> {
  const byArea = await demoSupplyPoints(db, clock);
  return `${demoPointsMarkdown(byArea)}\n${demoExamplesMarkdown(demoExamples(byArea, clock))}`;
}

function demoMarkdown(files: DemoFiles): string {
  const lines = [
    '# kirikae demo identities',
    '',
    'Written at the first start of this sandbox. Every connection to the hub (https://localhost:8443/)',
    `needs a client certificate: import a \`.p12\` into your browser (password \`${demoPkcs12Password}\`),`,
    'or give `--cert`/`--key` (PEM) to a client. The hub CA to trust is `pki/ca.cert.pem`.',
    '',
    '## API certificates (one per retailer, for system-to-system calls)',
    '',
    '| company | retailer | certificate | key | PKCS#12 |',
    '|---|---|---|---|---|',
    ...files.api.map((a) => `| ${a.companyCode} | ${a.name} | ${a.base}.cert.pem | ${a.base}.key.pem | ${a.base}.p12 |`),
    '',
    'Each API certificate is also registered with the data provision site (データ提供サイト) of each of',
    "the retailer's areas. The last month's standard CSV reports are there from the first start, e.g.",
    '`kirikae pull --area 03 --cert pki/api/1003.cert.pem --into files --kinds STD_KEIYAKUKW,STD_SEIGENCHUSHI`',
    '(the half-hourly W4 files follow every 15 minutes).',
    '',
    '## Users and their terminal certificates (web screens)',
    '',
    "Sign in with the user ID and initial password, from a browser holding that user's terminal",
    'certificate (a terminal certificate works only for users of its own participant). The initial',
    'password must be changed at the first sign-in; it is not shown again anywhere.',
    '',
    '| user ID | participant | role | initial password | PKCS#12 |',
    '|---|---|---|---|---|',
    ...files.terminals.map((t) => `| ${t.user.userId} | ${t.user.participantCode} | ${t.user.role} | \`${t.user.initialPassword}\` | ${t.base}.p12 |`),
    '',
  ];
  return lines.join('\n');
}

/**
 * The first start of a sandbox: the standard CSV reports of the last month (and this month so far)
 * made at once for the in-process grids, as the file schedule would have (src/grid/provision/).
 */
export async function makeDemoReports(grids: readonly GridContext[]): Promise<void> {
  const started = performance.now();
  let files = 0;
  for (const ctx of grids) files += (await runReportSchedule(ctx)).files;
  log('info', 'demo', `made ${files} standard CSV reports of the last month in ${Math.round(performance.now() - started)} ms`);
}
