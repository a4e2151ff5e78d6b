/**
 * The hub's published suspensions, asked over HTTPS with mutual TLS by a grid running apart from the
 * hub (`kirikae grid serve` with KIRIKAE_HUB_URL): `GET {hub}/api/v1/credential-status?since=N&wait=S`
 * with the grid operator's API certificate, the answer's `data` being `{ changes, next }`.
 */
import { Agent, request as httpsRequest } from 'node:https';
import type { CredentialChange, CredentialSource } from '../provision/credential-follower.ts';

export interface HubCredentialsOptions {
  readonly hubUrl: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** The CAs the hub's server certificate is checked against. */
  readonly caPems: readonly string[];
}

export function hubCredentialSource(options: HubCredentialsOptions): CredentialSource & { close(): void } {
  const agent = new Agent({ cert: options.certPem, key: options.keyPem, ca: [...options.caPems], keepAlive: true, maxSockets: 2 });
  const source = (since: number, waitSeconds: number, signal: AbortSignal) =>
    new Promise<{ changes: CredentialChange[]; next: number }>((resolve, reject) => {
      const url = new URL(`/api/v1/credential-status?since=${since}&wait=${waitSeconds}`, options.hubUrl);
      const req = httpsRequest(url, { method: 'GET', agent, headers: { accept: 'application/json' }, timeout: (waitSeconds + 15) * 1000, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: { result?: string; messages?: { code: string; text: string }[]; data?: { changes: CredentialChange[]; next: number } };
          try {
            body = JSON.parse(text);
          } catch {
            return reject(new Error(`the hub answered HTTP ${res.statusCode} with no JSON`));
          }
          if (res.statusCode !== 200 || body.result !== 'OK' || !body.data || !Array.isArray(body.data.changes)) {
            const first = body.messages?.[0];
            return reject(new Error(`the hub answered HTTP ${res.statusCode}${first ? ` ${first.code} ${first.text}` : ''}`));
          }
          resolve({ changes: body.data.changes, next: Number(body.data.next) || since });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from the hub within ${waitSeconds + 15} s`)));
      req.on('error', reject);
      req.end();
    });
  return Object.assign(source, { close: () => agent.destroy() });
}
