/**
 * The SDK client a retailer-side command uses: the certificate given with --cert, its key (default:
 * the same path with .key.pem), the hub CA (default: KIRIKAE_HOME/pki/ca.cert.pem) and the hub's URL
 * (default: https://localhost:PORT).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../platform/config.ts';
import { KirikaeClient, type KirikaeClientOptions } from '../sdk/client.ts';

export interface ClientArgs {
  readonly cert: string;
  readonly key?: string | undefined;
  readonly ca?: string | undefined;
  readonly url?: string | undefined;
}

export async function hubClient(args: ClientArgs, config: Config, options: Pick<KirikaeClientOptions, 'binding' | 'timeoutMs'> = {}): Promise<KirikaeClient> {
  const certPath = resolve(args.cert);
  return new KirikaeClient({
    baseUrl: args.url ?? `https://localhost:${config.port}`,
    certPem: await readFile(certPath, 'utf8'),
    keyPem: await readFile(args.key ? resolve(args.key) : certPath.replace(/\.cert\.pem$/, '.key.pem'), 'utf8'),
    caPem: await readFile(args.ca ? resolve(args.ca) : join(config.home, 'pki', 'ca.cert.pem'), 'utf8'),
    ...options,
  });
}
