/**
 * What the tests of a grid's data provision site share: its PKI (a CA, the site's server
 * certificate, the client certificates of two registered retailers and of one the site does not
 * know), a raw request over a fresh mutual-TLS connection, and the registry facts the usage model
 * and the supply periods need.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import type { UsageProfileKind } from '../../src/grid/registry/facility.ts';
import type { TestPoint } from '../../src/grid/testing.ts';
import type { Queryable } from '../../src/platform/db/db.ts';
import { createCa } from '../../src/platform/pki/ca.ts';
import { issueClientCert, issueServerCert } from '../../src/platform/pki/issue.ts';

export interface ClientCert {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The PKI of one test file, its CA named `commonName`: retailers 1003 and 2001, and 3001 whom no site knows. */
export function ppsSitePki(commonName: string) {
  const ca = createCa({ commonName });
  const serverCert = issueServerCert({ ca, hostnames: ['localhost', '127.0.0.1'] });
  const client = (participantCode: string, usage: 'api' | 'terminal' = 'api') => issueClientCert({ ca, participantCode, usage });
  return {
    ca,
    serverTls: { keyPem: serverCert.keyPem, certPem: serverCert.certPem, caPems: [ca.certPem] },
    a003: client('1003'),
    b001: client('2001'),
    unregistered: client('3001'),
    client,
    /** `path` (relative to `base`; none: `base` itself) over a new mutual-TLS connection as `cert`, the body as bytes. */
    raw(base: string, cert: ClientCert, path = '', method = 'GET', headers: Record<string, string> = {}): Promise<RawResponse> {
      return new Promise((resolve, reject) => {
        const req = request(new URL(path, base), { method, cert: cert.certPem, key: cert.keyPem, ca: ca.certPem, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    },
  };
}

/** A point of area 03 as the usage model takes it: its ID and usage profile, as the registry holds them. */
export async function usageSubjectOf(db: Queryable, supplyPointId: string) {
  const { rows } = await db.query<{ kind: UsageProfileKind; wh: number; seed: number }>(
    'SELECT usage_profile AS kind, usage_daily_wh AS wh, usage_seed AS seed FROM grid_03.supply_point WHERE supply_point_id = $1',
    [supplyPointId],
  );
  return { supplyPointId, usageProfile: { kind: rows[0]!.kind, dailyWh: Number(rows[0]!.wh), seed: Number(rows[0]!.seed) } };
}

/** `retailerCode` supplies (or buys the output of) an area-03 point from `day` on, its customer unchanged. */
export async function givenRetailerFrom(db: Queryable, point: TestPoint, retailerCode: string, day: string): Promise<void> {
  await db.query('UPDATE grid_03.supply_period SET until_date = $2 WHERE supply_point_id = $1 AND until_date IS NULL', [point.supplyPointId, day]);
  await db.query('INSERT INTO grid_03.supply_period (supply_point_id, retailer_code, customer_id, from_date) VALUES ($1, $2, $3, $4)', [
    point.supplyPointId,
    retailerCode,
    point.customerId,
    day,
  ]);
}
