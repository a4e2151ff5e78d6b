/**
 * The retailer's client for the hub: one `call(interfaceId, fields)` for every interface of the
 * catalogue, in either binding (JSON or SOAP 1.1), over HTTPS with the retailer's client
 * certificate. Answers come back as the envelope `{ result, messages, remarks?, data? }` whichever
 * binding carried them. Used by `kirikae call` and by the tests.
 *
 *   const hub = new KirikaeClient({ baseUrl: 'https://localhost:8443', certPem, keyPem, caPem });
 *   const facility = await hub.call('IF_10110', { supplyPointId: '0300…' });
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:https';
import { interfaceById } from '../interfaces/catalogue/catalogue.ts';
import type { InterfaceResponse, ReceptionMessage } from '../interfaces/message.ts';
import { parseSoapResponse, soapActionOf, soapRequest } from '../interfaces/soap.ts';

export interface KirikaeClientOptions {
  /** The hub, e.g. `https://localhost:8443`. */
  readonly baseUrl: string;
  /** The client certificate and its key (PEM). */
  readonly certPem: string;
  readonly keyPem: string;
  /** The CA that signed the hub's server certificate (PEM). */
  readonly caPem: string;
  readonly binding?: 'json' | 'soap';
  /** Milliseconds before a call is abandoned (default 30 s). */
  readonly timeoutMs?: number;
}

/** The hub's answer to a bulk CSV: the file's result and one report per row (hub/bulk/bulk.ts). */
export interface BulkReport {
  readonly result: 'OK' | 'NG';
  readonly messages: readonly ReceptionMessage[];
  readonly data: {
    readonly interfaceId: string;
    readonly rows: readonly {
      readonly row: number;
      readonly requestId?: string;
      readonly supplyPointId?: string;
      readonly result: 'OK' | 'NG';
      readonly applicationNumber?: string;
      readonly relayNumber?: string;
      readonly messages: readonly ReceptionMessage[];
    }[];
    readonly accepted: number;
    readonly refused: number;
  };
}

/** A document sent with a usage password or move-in application (README "What the interfaces accept"). */
export interface ClientAttachment {
  readonly fileName: string;
  /** Its media type (application/pdf, image/jpeg, image/png, image/tiff); absent: the hub reads it from the bytes. */
  readonly type?: string;
  readonly bytes: Uint8Array;
}

/** JSON with attachments: multipart/form-data, the request in the part `request`, each file in a part `attachment`. */
async function jsonWithAttachments(
  fields: Readonly<Record<string, unknown>>,
  attachments: readonly ClientAttachment[],
): Promise<[Uint8Array, Record<string, string>]> {
  const form = new FormData();
  form.append('request', new Blob([JSON.stringify(fields)], { type: 'application/json' }), 'request.json');
  for (const a of attachments) form.append('attachment', new Blob([new Uint8Array(a.bytes)], { type: a.type ?? 'application/octet-stream' }), a.fileName);
  const encoded = new Response(form);
  return [new Uint8Array(await encoded.arrayBuffer()), { 'content-type': encoded.headers.get('content-type')! }];
}

/** SOAP with attachments: multipart/related, the envelope as the root part, each file a part of its own. */
function soapWithAttachments(envelope: string, attachments: readonly ClientAttachment[], soapaction: string): [Uint8Array, Record<string, string>] {
  const boundary = `kirikae-${randomUUID()}`;
  const parts: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-ID: <envelope>\r\n\r\n${envelope}\r\n`)];
  for (const [i, a] of attachments.entries()) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: ${a.type ?? 'application/octet-stream'}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <attachment${i + 1}>\r\n` +
          `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(a.fileName)}\r\n\r\n`,
      ),
      Buffer.from(a.bytes),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return [Buffer.concat(parts), { 'content-type': `multipart/related; type="text/xml"; start="<envelope>"; boundary="${boundary}"`, soapaction }];
}

export class HubHttpError extends Error {
  readonly status: number;
  readonly body: string;

  constructor(status: number, body: string) {
    super(`hub answered HTTP ${status}: ${body.slice(0, 300)}`);
    this.name = 'HubHttpError';
    this.status = status;
    this.body = body;
  }
}

export class KirikaeClient {
  readonly #options: KirikaeClientOptions;
  readonly #agent: Agent;

  constructor(options: KirikaeClientOptions) {
    this.#options = options;
    this.#agent = new Agent({ keepAlive: true, cert: options.certPem, key: options.keyPem, ca: options.caPem });
  }

  /**
   * Calls an interface. Every refusal of what the request says (its fields, the policy, the grid)
   * is an answer: HTTP 200 with result NG, as OpenAPI documents (`refusalContract`). An HTTP error
   * that still carries an envelope (HTTP_BAD_REQUEST, HTTP_RATE_LIMITED, …) is returned as that NG
   * too; one without an envelope (a proxy, a TLS failure) throws `HubHttpError`.
   */
  async call(
    interfaceId: string,
    fields: Readonly<Record<string, unknown>>,
    binding = this.#options.binding ?? 'json',
    options: { readonly attachments?: readonly ClientAttachment[] } = {},
  ): Promise<InterfaceResponse> {
    const def = interfaceById(interfaceId);
    if (!def) throw new Error(`unknown interface ${interfaceId}`);
    const attachments = options.attachments ?? [];
    if (binding === 'soap') {
      const envelope = soapRequest(def, fields);
      const soapaction = `"${soapActionOf(def)}"`;
      const { status, body } =
        attachments.length > 0
          ? await this.#post(`/soap/${def.id}`, ...soapWithAttachments(envelope, attachments, soapaction))
          : await this.#post(`/soap/${def.id}`, envelope, { 'content-type': 'text/xml; charset=utf-8', soapaction });
      const parsed = parseSoapResponse(def, body);
      if (!parsed.ok) throw new HubHttpError(status, body);
      return parsed.value;
    }
    const { status, body } =
      attachments.length > 0
        ? await this.#post(`/api/v1/${def.id}`, ...(await jsonWithAttachments(fields, attachments)))
        : await this.#post(`/api/v1/${def.id}`, JSON.stringify(fields), { 'content-type': 'application/json' });
    try {
      const envelope = JSON.parse(body) as InterfaceResponse;
      if (envelope.result === 'OK' || envelope.result === 'NG') return envelope;
    } catch {
      // not an envelope: below
    }
    throw new HubHttpError(status, body);
  }

  /**
   * Files a CSV file of applications in bulk (`POST /api/v1/bulk/{interfaceId}`), UTF-8 or
   * Shift_JIS as it is: the hub detects the encoding. Answers the row report; the file is filed
   * whole (result OK) or not at all (result NG, with each refused row's messages).
   */
  async bulk(interfaceId: string, csv: Uint8Array | string): Promise<BulkReport> {
    const { status, body } = await this.#post(`/api/v1/bulk/${encodeURIComponent(interfaceId)}`, csv, { 'content-type': 'text/csv' }, 'application/json');
    try {
      const report = JSON.parse(body) as BulkReport;
      if (report.result === 'OK' || report.result === 'NG') return report;
    } catch {
      // not a report: below
    }
    throw new HubHttpError(status, body);
  }

  close(): void {
    this.#agent.destroy();
  }

  #post(path: string, payload: string | Uint8Array, headers: Record<string, string>, accept?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.#options.baseUrl),
        {
          method: 'POST',
          agent: this.#agent,
          headers: { ...headers, accept: accept ?? headers['content-type']!.split(';')[0]! },
          timeout: this.#options.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer from the hub within ${this.#options.timeoutMs ?? 30_000} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
