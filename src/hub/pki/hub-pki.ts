/**
 * The hub's certificate files under `KIRIKAE_HOME/pki/`:
 *
 *   ca.cert.pem, ca.key.pem        the hub's CA (created by `kirikae pki init` or the first start)
 *   server.cert.pem, server.key.pem the hub's TLS server certificate (localhost, 127.0.0.1, ::1)
 *   trusted/*.pem                  other CAs whose client certificates are accepted (`pki init --import`)
 *   api/<company>.*                demo API certificates, one per retailer (sandbox)
 *   terminal/<userId>.*            demo terminal certificates, one per demo user (sandbox)
 *
 * A real deployment brings its own server certificate (replace the two server files) and may trust
 * an external CA instead of, or beside, the hub's own.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa } from '../../platform/pki/ca.ts';
import { readPki, writePki } from '../../platform/pki/files.ts';
import { issueServerCert } from '../../platform/pki/issue.ts';
import { loadCaBundle } from '../../platform/pki/ca.ts';
import type { TlsMaterial } from '../../platform/http/https-server.ts';

export interface HubPki {
  readonly dir: string;
  readonly ca: { readonly certPem: string; readonly keyPem: string };
  readonly tls: TlsMaterial;
}

export const hubCaName = 'kirikae hub CA';

export function pkiDir(home: string): string {
  return join(home, 'pki');
}

/** Creates the hub CA if there is none; returns whether it was created. */
export async function ensureCa(dir: string, now: Date): Promise<boolean> {
  if (existsSync(join(dir, 'ca.cert.pem'))) return false;
  const ca = createCa({ commonName: hubCaName, now });
  await writePki(dir, 'ca', ca);
  return true;
}

/** Loads (creating what is missing) the CA, the server certificate and the trust bundle. */
export async function loadHubPki(dir: string, now: Date, hostnames: readonly string[] = ['localhost', '127.0.0.1', '::1']): Promise<HubPki> {
  await ensureCa(dir, now);
  const ca = await readPki(dir, 'ca');
  if (!existsSync(join(dir, 'server.cert.pem'))) {
    await writePki(dir, 'server', issueServerCert({ ca, hostnames, now }));
  }
  const server = await readPki(dir, 'server');
  return { dir, ca, tls: { keyPem: server.keyPem, certPem: server.certPem, caPems: [ca.certPem, ...(await trustedCas(dir))] } };
}

async function trustedCas(dir: string): Promise<string[]> {
  const trustedDir = join(dir, 'trusted');
  if (!existsSync(trustedDir)) return [];
  const files = (await readdir(trustedDir)).filter((f) => f.endsWith('.pem')).sort();
  return Promise.all(files.map((f) => readFile(join(trustedDir, f), 'utf8')));
}

/** Adds an external CA chain to the trust bundle, after checking every certificate in it is a CA. */
export async function importTrustedCa(dir: string, pem: string, now: Date): Promise<string[]> {
  const cas = loadCaBundle(pem, { now });
  const trustedDir = join(dir, 'trusted');
  await mkdir(trustedDir, { recursive: true, mode: 0o700 });
  for (const ca of cas) await writeFile(join(trustedDir, `${ca.fingerprint256}.pem`), ca.certPem, { mode: 0o644 });
  return cas.map((ca) => ca.fingerprint256);
}
