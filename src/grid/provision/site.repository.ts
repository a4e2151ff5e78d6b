/**
 * The data provision site's tables (migration 0011): registered certificates, the files as their
 * receivers see them, and the audit of every list and download.
 */
import type { IsoDate } from '../../domain/date.ts';
import { Refusal } from '../../domain/refusal.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';
import { describeCert } from '../../platform/pki/identity.ts';
import type { AreaCode } from '../../domain/area.ts';
import { areaDigit, areaOf } from '../../domain/area.ts';

export interface PpsCertificate {
  readonly fingerprint256: string;
  readonly participantCode: string;
  readonly usage: 'api' | 'terminal';
  readonly subject: string;
  readonly notAfter: Date;
  readonly registeredAt: Date;
  readonly suspendedAt: Date | null;
}

const certColumns = `fingerprint256, participant_code AS "participantCode", usage, subject, not_after AS "notAfter",
  registered_at AS "registeredAt", suspended_at AS "suspendedAt"`;

/**
 * Registers a retailer's client certificate with this grid's site (slide 32). The certificate must
 * bind the participant's company (O) and a usage (OU api or terminal), be within its validity, and
 * the participant be of this area. Registering it again is a no-op (the operator's CLI), or the refusal
 * PPS_CERT_ALREADY_REGISTERED with `refuseRegistered` (the site's screen); a suspended one stays suspended.
 */
export async function registerPpsCertificate(
  q: Queryable,
  schema: string,
  area: AreaCode,
  input: { pem: string; participantCode: string },
  now: Date,
  options: { refuseRegistered?: boolean } = {},
): Promise<PpsCertificate> {
  const cert = describeCert(input.pem);
  if (!cert.participantCode || !cert.usage) throw new Refusal('AUTH_CERT_NOT_CLIENT', { field: 'cert' });
  const code = input.participantCode.trim().toUpperCase();
  if (!/^[A-Z0-9]{5}$/.test(code)) throw new Refusal('PCODE_FORMAT', { field: 'participant' });
  if (code.slice(4) !== areaDigit(area))
    throw new Refusal('PPS_PARTICIPANT_OTHER_AREA', { field: 'participant', params: { participant: code, area: areaOf(area).name } });
  // O binds the company (1003) or the participant of one area (10033).
  if (cert.participantCode !== code.slice(0, 4) && cert.participantCode !== code) {
    throw new Refusal('AUTH_CERT_PARTICIPANT_MISMATCH', { field: 'participant', params: { bound: cert.participantCode, companyCode: code } });
  }
  if (now < cert.notBefore || now > cert.notAfter) {
    throw new Refusal('AUTH_CERT_EXPIRED', { field: 'cert', params: { notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString() } });
  }
  const s = ident(schema);
  const { rowCount } = await q.query(
    `INSERT INTO ${s}.pps_certificate (fingerprint256, participant_code, usage, subject, not_after, registered_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (fingerprint256) DO NOTHING`,
    [
      cert.fingerprint256,
      code,
      cert.usage,
      Object.entries(cert.subject)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
      cert.notAfter,
      now,
    ],
  );
  if (rowCount === 0 && options.refuseRegistered) throw new Refusal('PPS_CERT_ALREADY_REGISTERED', { field: 'cert', params: { area: areaOf(area).name } });
  return (await findPpsCertificate(q, schema, cert.fingerprint256))!;
}

export async function findPpsCertificate(q: Queryable, schema: string, fingerprint256: string): Promise<PpsCertificate | undefined> {
  const { rows } = await q.query<PpsCertificate>(`SELECT ${certColumns} FROM ${ident(schema)}.pps_certificate WHERE fingerprint256 = $1`, [fingerprint256]);
  return rows[0];
}

export async function listPpsCertificates(q: Queryable, schema: string): Promise<PpsCertificate[]> {
  const { rows } = await q.query<PpsCertificate>(`SELECT ${certColumns} FROM ${ident(schema)}.pps_certificate ORDER BY participant_code, registered_at`);
  return rows;
}

/**
 * Suspends (or resumes, `reason` null) a certificate at this grid, or every certificate of a
 * participant: how a suspension at the hub reaches the grids' sites. Returns the rows changed.
 */
export async function setPpsSuspension(
  q: Queryable,
  schema: string,
  target: { fingerprint256: string } | { participantCode: string },
  suspension: { at: Date; reason: string } | null,
): Promise<number> {
  const where = 'fingerprint256' in target ? 'fingerprint256 = $1' : 'participant_code = $1';
  const key = 'fingerprint256' in target ? target.fingerprint256 : target.participantCode;
  const { rowCount } = await q.query(`UPDATE ${ident(schema)}.pps_certificate SET suspended_at = $2, suspended_reason = $3 WHERE ${where}`, [
    key,
    suspension?.at ?? null,
    suspension?.reason ?? null,
  ]);
  return rowCount;
}

export interface PpsFileRow {
  readonly name: string;
  readonly kind: string;
  readonly targetDate: IsoDate;
  readonly slot: number | null;
  readonly revision: number;
  readonly section: number;
  readonly sections: number;
  readonly points: number;
  readonly size: number;
  readonly sha256: string;
  readonly availableAt: Date;
  readonly deadlineAt: Date;
  readonly materializedAt: Date;
  readonly fingerprint: string;
  readonly position: number;
}

const fileColumnsOf = (p: string) => `${p}name, ${p}kind, to_char(${p}target_date, 'YYYY-MM-DD') AS "targetDate", ${p}slot, ${p}revision, ${p}section,
  ${p}sections, ${p}points, ${p}size, ${p}sha256, ${p}available_at AS "availableAt", ${p}deadline_at AS "deadlineAt",
  ${p}materialized_at AS "materializedAt", ${p}fingerprint, ${p}position`;
const fileColumns = fileColumnsOf('');

function normalizeFile(r: PpsFileRow): PpsFileRow {
  return {
    ...r,
    slot: r.slot === null ? null : Number(r.slot),
    revision: Number(r.revision),
    section: Number(r.section),
    sections: Number(r.sections),
    points: Number(r.points),
    size: Number(r.size),
    position: Number(r.position),
  };
}

/** One file (a section of one revision) as the schedules store it, bytes cached. */
export interface NewPpsFile {
  readonly receiverCode: string;
  readonly name: string;
  readonly kind: string;
  readonly targetDate: IsoDate;
  readonly slot: number | null;
  readonly revision: number;
  readonly section: number;
  readonly sections: number;
  readonly points: number;
  readonly availableAt: Date;
  readonly deadlineAt: Date;
  readonly expiresAt: Date;
  readonly materializedAt: Date;
  /** The SHA-256 of the inputs it is made from (the bytes' own for a CSV report). */
  readonly fingerprint: string;
  readonly sha256: string;
  readonly bytes: Buffer;
}

/** Stores a file the W4, W5 or report schedule made (`s`: the area's schema, quoted). */
export async function insertPpsFile(q: Queryable, s: string, f: NewPpsFile): Promise<void> {
  await q.query(
    `INSERT INTO ${s}.pps_file (receiver_code, name, kind, target_date, slot, revision, section, sections, points,
       available_at, deadline_at, expires_at, fingerprint, size, sha256, materialized_at, bytes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [
      f.receiverCode,
      f.name,
      f.kind,
      f.targetDate,
      f.slot,
      f.revision,
      f.section,
      f.sections,
      f.points,
      f.availableAt,
      f.deadlineAt,
      f.expiresAt,
      f.fingerprint,
      f.bytes.length,
      f.sha256,
      f.materializedAt,
      f.bytes,
    ],
  );
}

export interface FileFilter {
  /** Names starting with this (`W41110`, `W4111020261128`). */
  readonly prefix?: string;
  readonly from?: IsoDate;
  readonly to?: IsoDate;
  /** The site's category: names starting with this (`W` the BP files, `STD_` the CSV reports). */
  readonly family?: string;
}

/**
 * A page's count stops here: counting a receiver's 100,000 files on every page view would cost
 * more than the page (bench "pps list"); beyond it the screen says "10,000件以上".
 */
export const listCountCap = 10_000;

/**
 * The receiver's files listed now: available, not past retention, in order of availability.
 * `limit`/`offset` page it (the screens: `total` is counted up to `listCountCap`, `capped` when
 * there are more), or give everything (the PULL list).
 */
export async function listFiles(
  q: Queryable,
  schema: string,
  receiverCode: string,
  now: Date,
  filter: FileFilter = {},
  page?: { limit: number; offset: number },
): Promise<{ files: PpsFileRow[]; total: number; capped: boolean }> {
  const s = ident(schema);
  const where = `receiver_code = $1 AND available_at <= $2 AND expires_at > $2
    AND ($3::text IS NULL OR starts_with(name, $3)) AND ($4::date IS NULL OR target_date >= $4) AND ($5::date IS NULL OR target_date <= $5)
    AND ($6::text IS NULL OR starts_with(name, $6))`;
  const values = [receiverCode, now, filter.prefix ?? null, filter.from ?? null, filter.to ?? null, filter.family ?? null];
  const { rows } = await q.query<PpsFileRow>(
    `SELECT ${fileColumns} FROM ${s}.pps_file WHERE ${where} ORDER BY available_at, name${page ? ' LIMIT $7 OFFSET $8' : ''}`,
    page ? [...values, page.limit, page.offset] : values,
  );
  let total = rows.length;
  let capped = false;
  if (page) {
    const { rows: count } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${s}.pps_file WHERE ${where} LIMIT $7) c`, [
      ...values,
      listCountCap + 1,
    ]);
    total = Number(count[0]!.n);
    capped = total > listCountCap;
    if (capped) total = listCountCap;
  }
  return { files: rows.map(normalizeFile), total, capped };
}

/**
 * The JSON list (B8): files in the order they were written, after `cursor` (a position). Files of an
 * area are written one transaction at a time (schedule.ts takes a lock first), so positions are in
 * commit order and a file committed later always comes after the cursor: nothing missed, nothing
 * twice, the promise of IF_11110's feed. The page stops before the first file not yet available
 * (it is for a later page); superseded revisions are included and name their successor.
 */
export async function filesAfter(
  q: Queryable,
  schema: string,
  receiverCode: string,
  now: Date,
  cursor: number,
  limit: number,
  filter: { kind?: string; from?: IsoDate; to?: IsoDate } = {},
): Promise<{ files: (PpsFileRow & { supersededBy: string | null })[]; nextCursor: number }> {
  const s = ident(schema);
  // The cursor may not pass a file that is written but not yet available: stop before the first one.
  const { rows } = await q.query<PpsFileRow & { supersededBy: string | null; pending: boolean }>(
    `SELECT ${fileColumnsOf('f.')}, f.available_at > $2 AS pending,
            (SELECT n.name FROM ${s}.pps_file n WHERE n.receiver_code = f.receiver_code AND n.kind = f.kind AND n.target_date = f.target_date
               AND COALESCE(n.slot, 0) = COALESCE(f.slot, 0) AND n.section = f.section AND n.revision > f.revision AND n.available_at <= $2
             ORDER BY n.revision DESC LIMIT 1) AS "supersededBy"
       FROM ${s}.pps_file f
      WHERE f.receiver_code = $1 AND f.position > $3 AND f.expires_at > $2
      ORDER BY f.position LIMIT $4`,
    [receiverCode, now, cursor, limit],
  );
  const files: (PpsFileRow & { supersededBy: string | null })[] = [];
  let next = cursor;
  for (const row of rows) {
    if (row.pending) break;
    const { pending: _pending, ...file } = row;
    next = Number(file.position);
    if (filter.kind && file.kind !== filter.kind) continue;
    if (filter.from && file.targetDate < filter.from) continue;
    if (filter.to && file.targetDate > filter.to) continue;
    files.push({ ...normalizeFile(file), supersededBy: file.supersededBy });
  }
  return { files, nextCursor: next };
}

/** One of the receiver's files, available now and retained, with its cached bytes if any. */
export async function findFile(
  q: Queryable,
  schema: string,
  receiverCode: string,
  name: string,
  now: Date,
): Promise<(PpsFileRow & { bytes: Buffer | null }) | undefined> {
  const { rows } = await q.query<PpsFileRow & { bytes: Buffer | null }>(
    `SELECT ${fileColumns}, bytes FROM ${ident(schema)}.pps_file
      WHERE receiver_code = $1 AND name = $2 AND available_at <= $3 AND expires_at > $3`,
    [receiverCode, name, now],
  );
  const row = rows[0];
  return row ? { ...normalizeFile(row), bytes: row.bytes === null ? null : Buffer.from(row.bytes) } : undefined;
}

export interface SiteAuditEntry {
  readonly at: Date;
  readonly participantCode: string | null;
  readonly fingerprint256: string | null;
  readonly action: string;
  readonly name: string | null;
  readonly result: string;
  readonly bytes: number | null;
}

export async function recordSiteAudit(q: Queryable, schema: string, e: SiteAuditEntry): Promise<void> {
  await q.query(
    `INSERT INTO ${ident(schema)}.pps_download (at, participant_code, fingerprint256, action, name, result, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [e.at, e.participantCode, e.fingerprint256, e.action, e.name, e.result, e.bytes],
  );
}

export async function siteAuditOf(q: Queryable, schema: string, limit = 100): Promise<SiteAuditEntry[]> {
  const { rows } = await q.query<SiteAuditEntry>(
    `SELECT at, participant_code AS "participantCode", fingerprint256, action, name, result, bytes FROM ${ident(schema)}.pps_download ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

/** Lateness (B7): per kind, files made and files made after their deadline, over the last `days` days. */
export async function latenessStats(
  q: Queryable,
  schema: string,
  now: Date,
  days = 7,
): Promise<{ kind: string; files: number; late: number; maxLateMinutes: number }[]> {
  const { rows } = await q.query<{ kind: string; files: number; late: number; maxLateMinutes: number }>(
    `SELECT kind, count(*)::int AS files, count(*) FILTER (WHERE materialized_at > deadline_at)::int AS late,
            COALESCE(ceil(max(EXTRACT(EPOCH FROM materialized_at - deadline_at)) FILTER (WHERE materialized_at > deadline_at) / 60), 0)::int AS "maxLateMinutes"
       FROM ${ident(schema)}.pps_file WHERE available_at > $1::timestamptz - make_interval(days => $2) AND available_at <= $1
      GROUP BY kind ORDER BY kind`,
    [now, days],
  );
  return rows.map((r) => ({ kind: r.kind, files: Number(r.files), late: Number(r.late), maxLateMinutes: Number(r.maxLateMinutes) }));
}
