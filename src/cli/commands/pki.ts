/**
 * `kirikae pki …`: the hub operator's certificate management for real deployments. Files live under
 * KIRIKAE_HOME/pki (see hub/pki/hub-pki.ts); the registry lives in the database, and is changed
 * where a running system sees it at once (cli/operator-session.ts): a suspension is in force in the
 * running hub before the command returns. Each command that changes the registry writes an audit
 * record (channel `cli`, naming the operating-system user).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Refusal } from '../../domain/refusal.ts';
import { ensureCa, importTrustedCa, loadHubPki, pkiDir } from '../../hub/pki/hub-pki.ts';
import { loadConfig } from '../../platform/config.ts';
import { writePki } from '../../platform/pki/files.ts';
import { describeCert } from '../../platform/pki/identity.ts';
import { issueClientCert } from '../../platform/pki/issue.ts';
import { toPkcs12 } from '../../platform/pki/pkcs12.ts';
import type { Command } from '../command.ts';
import { reloadTrustOperation } from '../../operations/operations.ts';
import { callControl } from '../../platform/control/control-client.ts';
import { operatorName, runningSystemChannel, withOperatorSession } from '../operator-session.ts';

const init: Command = {
  name: 'pki init',
  summary: 'ハブの認証局を作成する、または外部の認証局を信頼する / create the hub CA, or trust an external CA',
  usage: `kirikae pki init [--import CA-CHAIN.pem]

Without options: creates the hub's CA and TLS server certificate under KIRIKAE_HOME/pki if missing
(the first start does the same). With --import: adds every CA certificate of the PEM file to the
CAs whose client certificates the hub accepts (each must be a CA, valid now). A hub running on
the embedded database accepts them at once; otherwise a hub accepts them from its next start.`,
  async run(args) {
    const { values } = parseArgs({ args, options: { import: { type: 'string' } } });
    const config = loadConfig();
    const dir = pkiDir(config.home);
    if (values.import) {
      const fingerprints = await importTrustedCa(dir, await readFile(resolve(values.import), 'utf8'), new Date());
      for (const fp of fingerprints) console.log(`trusted CA ${fp}`);
      const running = runningSystemChannel(config);
      if (running) {
        await callControl(running, reloadTrustOperation, {});
        console.log('the running hub accepts them from now on');
      } else if (config.databaseUrl) {
        console.log('restart each hub that uses this KIRIKAE_HOME for the new trust to take effect');
      } else {
        console.log('the hub accepts them from its next start');
      }
      return;
    }
    const created = await ensureCa(dir, new Date());
    await loadHubPki(dir, new Date());
    console.log(created ? `created the hub CA in ${dir}` : `the hub CA already exists in ${dir}`);
  },
};

const issue: Command = {
  name: 'pki issue',
  summary: 'クライアント証明書を発行して登録する / issue and register a client certificate',
  usage: `kirikae pki issue --participant CODE --usage api|terminal [--terminal-name NAME] [--days 730]
                   [--out DIR] [--p12-password PASSWORD]

Issues a client certificate from the hub CA bound to the participant (O = CODE, OU = usage), valid
for 2 years by default (SYSTEM.md §7), writes CERT/KEY PEM and a PKCS#12 file for browsers, and
registers it. API certificates: one per participant, for system-to-system calls. Terminal
certificates: one per client terminal, usable only with a user login of that participant.

  --participant CODE   company code (1001) or participant code (10013)
  --out DIR            default KIRIKAE_HOME/pki/issued`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        participant: { type: 'string' },
        usage: { type: 'string' },
        'terminal-name': { type: 'string' },
        days: { type: 'string', default: '730' },
        out: { type: 'string' },
        'p12-password': { type: 'string' },
      },
    });
    if (!values.participant) throw new Refusal('PKI_NAME_INVALID', { field: 'participant', params: { field: '--participant' } });
    if (values.usage !== 'api' && values.usage !== 'terminal') throw new Refusal('PKI_NAME_INVALID', { field: 'usage', params: { field: '--usage' } });
    const config = loadConfig();
    const pki = await loadHubPki(pkiDir(config.home), new Date());
    const participantCode = values.participant.normalize('NFKC').trim().toUpperCase();
    const cert = issueClientCert({
      ca: pki.ca,
      participantCode,
      usage: values.usage,
      ...(values['terminal-name'] ? { terminalName: values['terminal-name'] } : {}),
      validityDays: Number(values.days),
    });
    await withOperatorSession(config, 'pki issue', async (session) => {
      const registered = await session.call('certificate.register', { certPem: cert.certPem, participantCode, action: 'pki.issue', operator: operatorName() });
      const out = resolve(values.out ?? join(pki.dir, 'issued'));
      const name = `${participantCode}-${values.usage}-${cert.serialNumber.slice(0, 8)}`;
      const password = values['p12-password'];
      const pkcs12 = password ? toPkcs12({ ...cert, caPem: pki.ca.certPem, password, friendlyName: name }) : undefined;
      const paths = await writePki(out, name, { certPem: cert.certPem, keyPem: cert.keyPem, ...(pkcs12 ? { pkcs12 } : {}) });
      console.log(`issued ${values.usage} certificate for ${registered.companyCode}, valid until ${registered.notAfter}`);
      console.log(`  fingerprint: ${registered.fingerprint256}`);
      console.log(`  certificate: ${paths.certPath}\n  key:         ${paths.keyPath}${pkcs12 ? `\n  PKCS#12:     ${paths.pkcs12Path}` : ''}`);
    });
  },
};

const list: Command = {
  name: 'pki list',
  summary: '登録済みのクライアント証明書を一覧する / list registered client certificates',
  usage: `kirikae pki list [--participant COMPANY] [--status active|suspended] [--usage api|terminal]`,
  async run(args) {
    const { values } = parseArgs({ args, options: { participant: { type: 'string' }, status: { type: 'string' }, usage: { type: 'string' } } });
    await withOperatorSession(loadConfig(), 'pki list', async (session) => {
      let page = 1;
      for (;;) {
        const result = await session.call('certificate.list', {
          ...(values.participant ? { companyCode: values.participant.toUpperCase().slice(0, 4) } : {}),
          ...(values.status === 'active' || values.status === 'suspended' ? { status: values.status } : {}),
          ...(values.usage === 'api' || values.usage === 'terminal' ? { usage: values.usage } : {}),
          page,
        });
        for (const c of result.items) {
          console.log([c.fingerprint256, c.companyCode, c.usage.padEnd(8), c.status.padEnd(9), c.notAfter.slice(0, 10), c.subjectCn].join('  '));
        }
        if (page * result.size >= result.total) break;
        page++;
      }
    });
  },
};

const register: Command = {
  name: 'pki register',
  summary: '外部で発行されたクライアント証明書を登録する / register an externally issued certificate',
  usage: `kirikae pki register --cert FILE.pem --participant CODE

Registers a client certificate issued by a CA the hub trusts (kirikae pki init --import). Its subject
must bind the participant: O = the participant or company code, OU = api or terminal.`,
  async run(args) {
    const { values } = parseArgs({ args, options: { cert: { type: 'string' }, participant: { type: 'string' } } });
    if (!values.cert || !values.participant) throw new Refusal('PKI_NO_CERTIFICATE');
    const certPem = await readFile(resolve(values.cert), 'utf8');
    describeCert(certPem); // refuses what is not a certificate before anything is opened
    await withOperatorSession(loadConfig(), 'pki register', async (session) => {
      const registered = await session.call('certificate.register', {
        certPem,
        participantCode: values.participant!.toUpperCase(),
        action: 'pki.register',
        operator: operatorName(),
      });
      console.log(`registered ${registered.usage} certificate ${registered.fingerprint256} for ${registered.companyCode}`);
    });
  },
};

function statusCommand(operation: 'suspend' | 'resume'): Command {
  return {
    name: `pki ${operation}`,
    summary:
      operation === 'suspend' ? 'クライアント証明書を停止する（失効はしない）/ suspend a certificate' : '停止した証明書を再開する / resume a certificate',
    usage: `kirikae pki ${operation} FINGERPRINT --reason TEXT

${operation === 'suspend' ? 'Suspends the certificate at once (slide 46): every later request with it is refused and its web sessions end. It is not revoked and can be resumed.' : 'Resumes a suspended certificate.'}`,
    async run(args) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { reason: { type: 'string' } } });
      await withOperatorSession(loadConfig(), `pki ${operation}`, async (session) => {
        const result = await session.call('certificate.setStatus', {
          fingerprint: positionals[0] ?? '',
          status: operation === 'suspend' ? 'suspended' : 'active',
          reason: values.reason ?? '',
          operator: operatorName(),
        });
        console.log(
          result.changed
            ? `${operation === 'suspend' ? 'suspended' : 'resumed'} ${result.fingerprint256} (${result.endedSessions} web sessions ended)`
            : `${result.fingerprint256} was already ${result.status}`,
        );
      });
    },
  };
}

const requests: Command = {
  name: 'pki requests',
  summary: '証明書申請を一覧する / list certificate requests',
  usage: `kirikae pki requests [--pending]

Lists the certificate requests participants' administrators made on the web (/certificates), newest
first; --pending: only those awaiting a decision (kirikae pki decide).`,
  async run(args) {
    const { values } = parseArgs({ args, options: { pending: { type: 'boolean' } } });
    await withOperatorSession(loadConfig(), 'pki requests', async (session) => {
      for (const r of await session.call('certificate.requests', { pending: values.pending === true })) {
        console.log(
          [
            String(r.requestId).padStart(6),
            r.status.padEnd(10),
            r.companyCode,
            r.boundCode,
            r.usage.padEnd(8),
            r.method.padEnd(6),
            r.requestedAt.slice(0, 16),
            r.subjectCn,
          ].join('  '),
        );
      }
    });
  },
};

const decide: Command = {
  name: 'pki decide',
  summary: '証明書申請を承認・否認する / approve or refuse a certificate request',
  usage: `kirikae pki decide REQUEST-ID --approve | --refuse --reason TEXT

Approves a request (issued at once in the sandbox, else in the batch at the next closing time of
KIRIKAE_CERT_ISSUANCE) or refuses it with the reason the participant is told.`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { approve: { type: 'boolean' }, refuse: { type: 'boolean' }, reason: { type: 'string' } },
    });
    if (values.approve === values.refuse) throw new Refusal('CERT_DECISION_REQUIRED');
    await withOperatorSession(loadConfig(), 'pki decide', async (session) => {
      const result = await session.call('certificate.decide', {
        requestId: Number(positionals[0]),
        approve: values.approve === true,
        reason: values.reason ?? '',
        operator: operatorName(),
      });
      console.log(`request ${result.requestId}: ${result.status}${result.fingerprint256 ? ` (certificate ${result.fingerprint256})` : ''}`);
    });
  },
};

export const pkiCommands: readonly Command[] = [init, issue, list, register, statusCommand('suspend'), statusCommand('resume'), requests, decide];
