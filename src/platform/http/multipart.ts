/**
 * Multipart bodies, parsed whole from a buffer that the route's body limit already bounds:
 *
 * - `multipart/form-data` (a web form's `<input type=file>`, the JSON API's uploads) by Node's own
 *   parser (undici's `Response.formData()`): text fields as strings, files as `UploadedFile`s.
 * - `multipart/related` (SOAP with attachments, and MTOM/XOP) by meros: every part with its headers,
 *   the first (or the one the `start` parameter names) being the SOAP envelope.
 *
 * A body that is not well-formed multipart is refused `HTTP_BAD_REQUEST`.
 */
import { Readable } from 'node:stream';
import { meros } from 'meros/node';
import { Refusal } from '../../domain/refusal.ts';

export interface UploadedFile {
  /** The file name the sender gave (its last path segment), or '' when none. */
  readonly fileName: string;
  /** The media type the sender declared, lowercase, without parameters ('' when none). */
  readonly type: string;
  readonly bytes: Uint8Array;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return (
    typeof value === 'object' && value !== null && (value as UploadedFile).bytes instanceof Uint8Array && typeof (value as UploadedFile).fileName === 'string'
  );
}

/** The parsed form: text fields by name (the first of a repeated name), files by name in order. */
export async function parseFormData(contentType: string, body: Buffer): Promise<{ fields: Record<string, string>; files: Map<string, UploadedFile[]> }> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new Refusal('HTTP_BAD_REQUEST');
  }
  const fields: Record<string, string> = {};
  const files = new Map<string, UploadedFile[]>();
  for (const [key, value] of form) {
    if (typeof value === 'string') {
      if (!(key in fields)) fields[key] = value;
      continue;
    }
    // A file input left empty still sends a part with no name and no bytes: not a file.
    if (value.name === '' && value.size === 0) continue;
    const file = { fileName: baseName(value.name), type: mediaType(value.type), bytes: new Uint8Array(await value.arrayBuffer()) };
    files.set(key, [...(files.get(key) ?? []), file]);
  }
  return { fields, files };
}

/**
 * A fastify body for forms: text fields as strings (so that the CSRF check and `formOf` read them as
 * from an urlencoded form) and, under `filesKey`, the files by field name.
 */
export const filesKey = Symbol('files');
export type MultipartFormBody = Record<string, string> & { [filesKey]: Map<string, UploadedFile[]> };

export async function formDataBody(contentType: string, body: Buffer): Promise<MultipartFormBody> {
  const { fields, files } = await parseFormData(contentType, body);
  return Object.assign(Object.create(null) as Record<string, string>, fields, { [filesKey]: files });
}

export function isFormDataBody(body: unknown): body is MultipartFormBody {
  return typeof body === 'object' && body !== null && filesKey in body;
}

/** The files a multipart form body carried under `name` (none for an urlencoded or JSON body). */
export function filesOf(body: unknown, name: string): UploadedFile[] {
  const files = typeof body === 'object' && body !== null ? (body as Partial<MultipartFormBody>)[filesKey] : undefined;
  return files?.get(name) ?? [];
}

export interface RelatedPart {
  /** Header names lowercase. */
  readonly headers: Readonly<Record<string, string>>;
  /** `Content-ID` without its angle brackets ('' when none). */
  readonly contentId: string;
  readonly type: string;
  readonly bytes: Uint8Array;
}

/** The parts of a `multipart/related` body, the root (by `start`, else the first) first. */
export async function parseRelated(contentType: string, body: Buffer): Promise<RelatedPart[]> {
  if (!/^multipart\/related\s*;/i.test(contentType) || !/boundary=/i.test(contentType)) throw new Refusal('HTTP_BAD_REQUEST');
  const source = Object.assign(Readable.from([body]), { headers: { 'content-type': contentType } });
  const parts: RelatedPart[] = [];
  try {
    const stream = await meros(source as unknown as Parameters<typeof meros>[0]);
    if (!(Symbol.asyncIterator in Object(stream)) || stream === (source as unknown)) throw new Error('not multipart');
    for await (const part of stream as AsyncIterable<{ headers: Record<string, string>; body: unknown; json: boolean }>) {
      const headers = Object.fromEntries(Object.entries(part.headers).map(([k, v]) => [k.toLowerCase().trim(), String(v).trim()]));
      const raw = part.json ? Buffer.from(JSON.stringify(part.body)) : Buffer.isBuffer(part.body) ? part.body : Buffer.from(String(part.body ?? ''));
      parts.push({
        headers,
        contentId: (headers['content-id'] ?? '').replace(/^<|>$/g, ''),
        type: mediaType(headers['content-type'] ?? ''),
        bytes: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength),
      });
    }
  } catch {
    throw new Refusal('HTTP_BAD_REQUEST');
  }
  if (parts.length === 0) throw new Refusal('HTTP_BAD_REQUEST');
  const start = /start="?<?([^">;]+)>?"?/i.exec(contentType)?.[1];
  const rootIndex = start ? parts.findIndex((p) => p.contentId === start) : 0;
  if (rootIndex < 0) throw new Refusal('HTTP_BAD_REQUEST');
  return [parts[rootIndex]!, ...parts.filter((_, i) => i !== rootIndex)];
}

function mediaType(type: string): string {
  return type.split(';')[0]!.trim().toLowerCase();
}

function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? '';
}
