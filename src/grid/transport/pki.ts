/**
 * Certificates for hub ↔ grid over HTTPS, issued by the hub CA and kept under `KIRIKAE_HOME/pki/grid/`:
 *
 *   server.cert.pem, server.key.pem          the grid server's certificate (`kirikae grid serve`)
 *   hub-client.cert.pem, hub-client.key.pem  the hub's client certificate towards grids (O=H000, OU=api)
 *
 * Created on first use and issued again when missing, within 30 days of expiry, or (the server's)
 * not naming every host it is asked to serve. A grid operator with its own PKI replaces the files
 * (and trusts the hub's CA for the client side).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { TlsMaterial } from '../../platform/http/https-server.ts';
import { readPki, writePki } from '../../platform/pki/files.ts';
import { issueClientCert, issueServerCert } from '../../platform/pki/issue.ts';
import { hubCompanyCode as hubParticipantCode } from '../../domain/participant-code.ts';
import type { GridClientTls } from './https.ts';

export interface CaFiles {
  readonly certPem: string;
  readonly keyPem: string;
}

const renewWithinMs = 30 * 86_400_000;

export function gridPkiDir(pkiDir: string): string {
  return join(pkiDir, 'grid');
}

/** The grid server's TLS material: its certificate for `hostnames`, and the hub CA to check the hub's client certificate. */
export async function ensureGridServerTls(pkiDir: string, ca: CaFiles, now: Date, hostnames: readonly string[]): Promise<TlsMaterial> {
  const dir = gridPkiDir(pkiDir);
  const current = await readIfPresent(dir, 'server');
  const fits = current && fresh(current.cert, now) && hostnames.every((h) => (isIP(h) ? current.cert.checkIP(h) : current.cert.checkHost(h)) !== undefined);
  const server = fits ? current.files : await issueAndWrite(dir, 'server', () => issueServerCert({ ca, hostnames, now }));
  return { keyPem: server.keyPem, certPem: server.certPem, caPems: [ca.certPem] };
}

/** The hub's client certificate towards grids, and the hub CA to check the grids' server certificates. */
export async function ensureHubGridClientTls(pkiDir: string, ca: CaFiles, now: Date): Promise<GridClientTls> {
  const dir = gridPkiDir(pkiDir);
  const current = await readIfPresent(dir, 'hub-client');
  const client =
    current && fresh(current.cert, now)
      ? current.files
      : await issueAndWrite(dir, 'hub-client', () => issueClientCert({ ca, participantCode: hubParticipantCode, usage: 'api', now }));
  return { keyPem: client.keyPem, certPem: client.certPem, caPems: [ca.certPem] };
}

async function readIfPresent(dir: string, name: string): Promise<{ files: CaFiles; cert: X509Certificate } | undefined> {
  if (!existsSync(join(dir, `${name}.cert.pem`)) || !existsSync(join(dir, `${name}.key.pem`))) return undefined;
  const files = await readPki(dir, name);
  return { files, cert: new X509Certificate(files.certPem) };
}

function fresh(cert: X509Certificate, now: Date): boolean {
  return cert.validFromDate <= now && cert.validToDate.getTime() - now.getTime() > renewWithinMs;
}

async function issueAndWrite(dir: string, name: string, issue: () => { certPem: string; keyPem: string }): Promise<CaFiles> {
  const issued = issue();
  await writePki(dir, name, { certPem: issued.certPem, keyPem: issued.keyPem });
  return { certPem: issued.certPem, keyPem: issued.keyPem };
}
