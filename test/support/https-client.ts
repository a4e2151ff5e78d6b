/**
 * A small HTTPS client for tests that present (or withhold) a client certificate, with a cookie jar
 * so a test can act as a browser session. Every call opens a fresh TLS connection, so each
 * handshake is tested, not reused.
 */
import { request } from 'node:https';

export interface ClientIdentity {
  readonly certPem?: string;
  readonly keyPem?: string;
  /** The CA that signed the hub's server certificate. */
  readonly caPem: string;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  json<T = any>(): T;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** Sent as it is: a string as UTF-8, bytes as they are (to send what no honest client would). */
  readonly body?: string | Uint8Array;
  /** application/x-www-form-urlencoded body from fields (a list: the field repeated, as checkboxes send it). */
  readonly form?: Record<string, string | readonly string[]>;
  readonly json?: unknown;
}

export class TestClient {
  readonly base: string;
  readonly identity: ClientIdentity;
  readonly cookies = new Map<string, string>();

  constructor(base: string, identity: ClientIdentity) {
    this.base = base;
    this.identity = identity;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.send(path, { headers });
  }

  post(path: string, options: RequestOptions): Promise<TestResponse> {
    return this.send(path, { ...options, method: 'POST' });
  }

  send(path: string, options: RequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    let body = options.body;
    if (options.form) {
      const pairs: [string, string][] = Object.entries(options.form).flatMap(([key, value]) =>
        typeof value === 'string' ? [[key, value] as [string, string]] : value.map((v): [string, string] => [key, v]),
      );
      body = new URLSearchParams(pairs).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: options.method ?? 'GET',
          headers,
          ca: this.identity.caPem,
          cert: this.identity.certPem,
          key: this.identity.keyPem,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            for (const cookie of [res.headers['set-cookie'] ?? []].flat()) {
              const [pair] = cookie.split(';');
              const [name, ...rest] = pair!.split('=');
              const value = rest.join('=');
              if (/max-age=0|expires=thu, 01 jan 1970/i.test(cookie) || value === '') this.cookies.delete(name!.trim());
              else this.cookies.set(name!.trim(), value);
            }
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The value of a hidden input in an HTML form (e.g. the CSRF token). */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in page`);
  return match[1]!;
}
