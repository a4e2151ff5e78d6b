/**
 * Reading submitted forms: every field as a trimmed string (absent → ''), so screens validate with
 * the same domain functions as the API and keep what was typed when a field is refused.
 */
import type { FastifyRequest } from 'fastify';
import { Refusal } from '../domain/refusal.ts';
import { strictUtf8 } from '../interfaces/undecodable.ts';
import { html, type Html } from './html.ts';

export type FormFields = Record<string, string>;

/**
 * A posted form (application/x-www-form-urlencoded), read as the URL standard says, except that
 * a value whose bytes are not UTF-8 is refused (IF_ENCODING_INVALID, naming the field) instead of
 * read as U+FFFD: what a person typed is recorded as typed or not at all. A name given more than
 * once (checkboxes) gives a list. The hub's body parser for forms (hub-server.ts).
 */
export function parseFormBody(bytes: Uint8Array): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const pair of Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = formText(at === -1 ? pair : pair.slice(0, at));
    if (name === undefined) throw new Refusal('IF_ENCODING_INVALID', { params: { name: 'フォームの項目名', encoding: 'UTF-8' } });
    const value = formText(at === -1 ? '' : pair.slice(at + 1));
    if (value === undefined) throw new Refusal('IF_ENCODING_INVALID', { field: name, params: { name: `項目「${name.slice(0, 64)}」`, encoding: 'UTF-8' } });
    const before = out[name];
    out[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
  return out;
}

/** "+" is a space and "%XX" a byte; the bytes are UTF-8 or the text is undefined. (Raw bytes are latin1 chars here.) */
function formText(raw: string): string | undefined {
  const bytes = raw.replace(/\+/g, ' ').replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  try {
    return strictUtf8.decode(Buffer.from(bytes, 'latin1'));
  } catch {
    return undefined;
  }
}

export function formOf(request: FastifyRequest): FormFields {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const out: FormFields = {};
  for (const [key, value] of Object.entries(body)) out[key] = typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : '';
  return out;
}

export function queryOf(request: FastifyRequest): FormFields {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const out: FormFields = {};
  for (const [key, value] of Object.entries(query)) if (typeof value === 'string') out[key] = value.trim();
  return out;
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A <select> whose options come from a label table; `value` is kept selected. */
export function select(name: string, labels: Readonly<Record<string, string>>, value: string | undefined, options: { blank?: string } = {}): Html {
  const entries = Object.entries(labels);
  return html`<select name="${name}" id="${name}">
    ${options.blank !== undefined ? html`<option value="">${options.blank}</option>` : null}
    ${entries.map(([code, label]) => html`<option value="${code}" ${code === value ? html`selected` : null}>${label}</option>`)}
  </select>`;
}

/** Page links for a list of `total` rows, `size` a page (slides 24–25: 20 a page). */
export function pager(basePath: string, query: FormFields, page: number, size: number, total: number): Html {
  const pages = Math.max(1, Math.ceil(total / size));
  const link = (p: number) => {
    const params = new URLSearchParams({ ...query, page: String(p) });
    return `${basePath}?${params.toString()}`;
  };
  return html`<p class="pager">全${total}件　${page}/${pages}ページ
    ${page > 1 ? html`<a href="${link(page - 1)}">前へ</a>` : null}
    ${page < pages ? html`<a href="${link(page + 1)}">次へ</a>` : null}</p>`;
}
