/**
 * Document attachments of an application (issue 16; the real system's SOAP requests carry them,
 * FIDELITY.md [S18]): identity or consent documents with a usage password application (IF_10210,
 * IF_K10210) or a move-in (IF_10410, IF_F10410). An interface takes them when its definition says
 * `attachments` (catalogue/types.ts).
 *
 * How they come: JSON as `multipart/form-data` (the request's JSON in a part named `request`, each
 * file in a part named `attachment`), SOAP as `multipart/related` (SOAP with attachments, or MTOM:
 * the envelope is the root part, each other part one file), the web form as `<input type=file>`.
 * Whatever the channel they are checked here, the same way, and travel to the grid inside the
 * validated body under `attachments` (content in base64), where the grid keeps them with the
 * application (grid table `application_attachment`) and drops them from the application's items.
 *
 * Limits (ours: the real system's are not public): at most 5 files, each 1 byte–5 MiB, 10 MiB in
 * all; PDF, JPEG, PNG or TIFF, recognised by their first bytes (a declared type must agree); a file
 * name of 1–100 characters without control characters or path separators.
 */
import { createHash } from 'node:crypto';
import type { MessageCode } from '../domain/messages.ts';
import { Refusal } from '../domain/refusal.ts';
import type { InterfaceDefinition } from './catalogue/types.ts';
import type { ReceptionMessage } from './message.ts';
import type { FieldValues, Validation } from './validate.ts';

export const attachmentsField = 'attachments';
export const maxAttachments = 5;
export const maxAttachmentBytes = 5 * 1024 * 1024;
export const maxAttachmentsTotalBytes = 10 * 1024 * 1024;
/** What a multipart request carrying the most attachments may weigh (the files, the request, the framing). */
export const maxAttachmentRequestBytes = maxAttachmentsTotalBytes + 1024 * 1024;
const maxFileNameLength = 100;

/** The media types accepted, by the first bytes of each. */
export const attachmentTypes = {
  'application/pdf': [[0x25, 0x50, 0x44, 0x46, 0x2d]],
  'image/jpeg': [[0xff, 0xd8, 0xff]],
  'image/png': [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  'image/tiff': [
    [0x49, 0x49, 0x2a, 0x00],
    [0x4d, 0x4d, 0x00, 0x2a],
  ],
} as const satisfies Record<string, readonly (readonly number[])[]>;
export type AttachmentType = keyof typeof attachmentTypes;

/** A file as a channel received it. */
export interface AttachmentFile {
  readonly fileName: string;
  /** The type the sender declared ('' or application/octet-stream: none). */
  readonly type: string;
  readonly bytes: Uint8Array;
}

/** An attachment as it travels in the validated body and is stored at the grid. */
export interface Attachment {
  readonly fileName: string;
  readonly mediaType: AttachmentType;
  readonly size: number;
  /** SHA-256 of the content, lowercase hex. */
  readonly sha256: string;
  /** The content, base64. */
  readonly content: string;
}

/** Whether the interface takes attachments, and how many. */
export function attachmentLimitOf(def: InterfaceDefinition): number {
  return def.attachments ? Math.min(def.attachments.max, maxAttachments) : 0;
}

function detectType(bytes: Uint8Array): AttachmentType | undefined {
  for (const [type, signatures] of Object.entries(attachmentTypes) as [AttachmentType, readonly (readonly number[])[]][]) {
    if (signatures.some((sig) => sig.every((b, i) => bytes[i] === b))) return type;
  }
  return undefined;
}

function refusal(code: MessageCode, params: Record<string, string | number> = {}): Refusal {
  return new Refusal(code, { field: attachmentsField, params });
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10}MB`;

/**
 * Checks the files given with a request to `def`: none is always fine; refusals (every fault, in
 * file order) with their codes: ATTACHMENT_NOT_ACCEPTED, ATTACHMENT_TOO_MANY, ATTACHMENT_NAME,
 * ATTACHMENT_EMPTY, ATTACHMENT_TOO_LARGE, ATTACHMENT_TYPE.
 */
export function checkAttachments(def: InterfaceDefinition, files: readonly AttachmentFile[]): Validation<Attachment[]> {
  const checked = check(def, files);
  return checked.ok ? checked : { ok: false, messages: checked.refusals.map((r): ReceptionMessage => r.toDetail()) };
}

function check(def: InterfaceDefinition, files: readonly AttachmentFile[]): { ok: true; value: Attachment[] } | { ok: false; refusals: Refusal[] } {
  if (files.length === 0) return { ok: true, value: [] };
  const limit = attachmentLimitOf(def);
  if (limit === 0) return { ok: false, refusals: [refusal('ATTACHMENT_NOT_ACCEPTED', { interfaceId: def.id })] };
  if (files.length > limit) return { ok: false, refusals: [refusal('ATTACHMENT_TOO_MANY', { max: limit, count: files.length })] };
  const messages: Refusal[] = [];
  const value: Attachment[] = [];
  let total = 0;
  for (const file of files) {
    const fileName = file.fileName.normalize('NFC');
    const shown = fileName.slice(0, maxFileNameLength);
    total += file.bytes.byteLength;
    if ([...fileName].length === 0 || [...fileName].length > maxFileNameLength || /[\p{Cc}\p{Cf}/\\]/u.test(fileName)) {
      messages.push(refusal('ATTACHMENT_NAME', { fileName: shown.replace(/\p{Cc}/gu, '?'), max: maxFileNameLength }));
      continue;
    }
    if (file.bytes.byteLength === 0) {
      messages.push(refusal('ATTACHMENT_EMPTY', { fileName }));
      continue;
    }
    if (file.bytes.byteLength > maxAttachmentBytes || total > maxAttachmentsTotalBytes) {
      messages.push(
        refusal('ATTACHMENT_TOO_LARGE', { fileName, size: file.bytes.byteLength, max: mib(maxAttachmentBytes), total: mib(maxAttachmentsTotalBytes) }),
      );
      continue;
    }
    const detected = detectType(file.bytes);
    const declared = file.type.split(';')[0]!.trim().toLowerCase();
    const undeclared = declared === '' || declared === 'application/octet-stream';
    if (!detected || (!undeclared && declared !== detected)) {
      messages.push(refusal('ATTACHMENT_TYPE', { fileName }));
      continue;
    }
    const buffer = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
    value.push({
      fileName,
      mediaType: detected,
      size: buffer.byteLength,
      sha256: createHash('sha256').update(buffer).digest('hex'),
      content: buffer.toString('base64'),
    });
  }
  return messages.length > 0 ? { ok: false, refusals: messages } : { ok: true, value };
}

/** The validated body with its attachments (none: the body as it is). */
export function withAttachments(body: FieldValues, attachments: readonly Attachment[]): FieldValues {
  if (attachments.length === 0) return body;
  return { ...body, [attachmentsField]: attachments.map((a) => ({ ...a })) };
}

/** The request's validation and its attachments' as one: valid when both are, else every refusal of both. */
export function validatedWithAttachments(parsed: Validation<FieldValues>, attachments: Validation<Attachment[]>): Validation<FieldValues> {
  if (parsed.ok && attachments.ok) return { ok: true, value: withAttachments(parsed.value, attachments.value) };
  return { ok: false, messages: [...(parsed.ok ? [] : parsed.messages), ...(attachments.ok ? [] : attachments.messages)] };
}

/**
 * At the grid: the attachments a delivered body carries, decoded and checked again (a grid is
 * called by the hub, but keeps its own rules), and the body without them. Throws the first Refusal.
 */
export function takeAttachments(
  def: InterfaceDefinition,
  body: Readonly<Record<string, unknown>>,
): { body: Readonly<Record<string, unknown>>; files: (Attachment & { bytes: Uint8Array })[] } {
  const given = body[attachmentsField];
  if (given === undefined) return { body, files: [] };
  const { [attachmentsField]: _omitted, ...rest } = body;
  const list = Array.isArray(given) ? given : [];
  const files = list.map((item) => {
    const a = (typeof item === 'object' && item !== null ? item : {}) as Partial<Attachment>;
    return { fileName: String(a.fileName ?? ''), type: String(a.mediaType ?? ''), bytes: new Uint8Array(Buffer.from(String(a.content ?? ''), 'base64')) };
  });
  const checked = check(def, Array.isArray(given) ? files : [{ fileName: '', type: '', bytes: new Uint8Array() }]);
  if (!checked.ok) throw checked.refusals[0]!;
  return { body: rest, files: checked.value.map((a, i) => ({ ...a, bytes: files[i]!.bytes })) };
}
