/**
 * Writing and reading certificate and key files. Private keys and .p12 bundles are written 0600 in a
 * 0700 directory (only the hub's user may read them); certificates are public and written 0644.
 * Each file is written to a temporary name and renamed, so a crash never leaves half a key, and an
 * existing file with looser permissions is replaced rather than rewritten in place.
 *
 * Layout for a name `hub`: `hub.cert.pem`, `hub.key.pem`, `hub.p12`.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PkiFiles {
  readonly certPem: string;
  readonly keyPem?: string;
  readonly pkcs12?: Uint8Array;
}

export interface PkiPaths {
  readonly certPath: string;
  readonly keyPath: string;
  readonly pkcs12Path: string;
}

const SECRET_MODE = 0o600;
const PUBLIC_MODE = 0o644;
const DIR_MODE = 0o700;

export function pkiPaths(dir: string, name: string): PkiPaths {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) throw new Error(`not a safe file name: ${name}`);
  return {
    certPath: join(dir, `${name}.cert.pem`),
    keyPath: join(dir, `${name}.key.pem`),
    pkcs12Path: join(dir, `${name}.p12`),
  };
}

/** Writes the given files under `dir` (created 0700 if missing) and returns the paths of all three. */
export async function writePki(dir: string, name: string, files: PkiFiles): Promise<PkiPaths> {
  const paths = pkiPaths(dir, name);
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await writeAtomically(paths.certPath, files.certPem, PUBLIC_MODE);
  if (files.keyPem !== undefined) await writeAtomically(paths.keyPath, files.keyPem, SECRET_MODE);
  if (files.pkcs12 !== undefined) await writeAtomically(paths.pkcs12Path, files.pkcs12, SECRET_MODE);
  return paths;
}

/** Reads back a certificate and its key, e.g. the hub CA or server certificate at start-up. */
export async function readPki(dir: string, name: string): Promise<{ certPem: string; keyPem: string }> {
  const paths = pkiPaths(dir, name);
  const [certPem, keyPem] = await Promise.all([readFile(paths.certPath, 'utf8'), readFile(paths.keyPath, 'utf8')]);
  return { certPem, keyPem };
}

async function writeAtomically(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data, { mode, flag: 'wx' });
    await chmod(temp, mode); // the umask may have narrowed a public file; never widens a secret one
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
