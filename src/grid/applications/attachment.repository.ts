/**
 * The documents attached to applications (migration 0014, interfaces/attachments.ts): stored in
 * the transaction that stores the application or its correction, read back by number.
 */
import type { Attachment } from '../../interfaces/attachments.ts';
import { ident, type Queryable } from '../../platform/db/db.ts';

export interface StoredAttachment {
  readonly applicationNumber: string;
  readonly requestId: string;
  readonly seq: number;
  readonly fileName: string;
  readonly mediaType: string;
  readonly size: number;
  readonly sha256: string;
  readonly content: Uint8Array;
  readonly receivedAt: Date;
}

/** Stores the files one delivery carried (none: nothing); a redelivery stores nothing twice. */
export async function storeAttachments(
  tx: Queryable,
  schema: string,
  key: { applicationNumber: string; participantCode: string; requestId: string },
  files: readonly (Attachment & { bytes: Uint8Array })[],
  at: Date,
): Promise<void> {
  // At most five files (the catalogue's limit): one statement each.
  for (const [i, f] of files.entries()) {
    await tx.query(
      `INSERT INTO ${ident(schema)}.application_attachment
         (application_number, participant_code, request_id, seq, file_name, media_type, size, sha256, content, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
      [key.applicationNumber, key.participantCode, key.requestId, i + 1, f.fileName, f.mediaType, f.size, f.sha256, Buffer.from(f.bytes), at],
    );
  }
}

/** An application's documents, in the order they came. */
export async function attachmentsOf(q: Queryable, schema: string, applicationNumber: string): Promise<StoredAttachment[]> {
  const { rows } = await q.query<StoredAttachment & { content: Uint8Array }>(
    `SELECT application_number AS "applicationNumber", request_id AS "requestId", seq, file_name AS "fileName", media_type AS "mediaType",
            size, sha256, content, received_at AS "receivedAt"
       FROM ${ident(schema)}.application_attachment WHERE application_number = $1 ORDER BY received_at, request_id, seq`,
    [applicationNumber],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq), size: Number(r.size), content: new Uint8Array(r.content) }));
}
