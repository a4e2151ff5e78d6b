/**
 * Reading submitted forms: every field as a trimmed string (absent → ''), so screens validate with
 * the same domain functions as the API and keep what was typed when a field is refused.
 */
import type { FastifyRequest } from 'fastify';
import { html, type Html } from './html.ts';

export type FormFields = Record<string, string>;

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
