/**
 * The one renderer of interface forms and answers, driven by the catalogue (interfaces/catalogue):
 * a screen that does what an interface does shows the interface's request fields, turns the posted
 * form into the request, and shows the OK data from the response field definitions.
 *
 * - Inputs by type: text, date, a select for a code table, numbers as text with a numeric keyboard
 *   (a person may type full-width digits: the catalogue validation normalises them), a textarea for
 *   multi-line text. Groups are fieldsets; repeated fields get a few rows.
 * - Form names are the dotted paths of validation messages ("address.city", "meters.0.meterNumber"),
 *   so a refusal with a `field` is shown next to the input it is about, with its code and text, and
 *   the form keeps what was typed. Refusals about no rendered field are shown above the form.
 * - Reading a form takes only the defined fields: nothing else (the CSRF token) reaches the request.
 */
import type { Field, GroupField } from '../interfaces/catalogue/types.ts';
import type { ReceptionMessage } from '../interfaces/message.ts';
import { numberFromText } from '../interfaces/validate.ts';
import type { FormFields } from './form.ts';
import { html, type Html } from './html.ts';

const join = (path: string, key: string | number) => (path === '' ? String(key) : `${path}.${key}`);

/** The HTML id of the input of a path ("address.city" → "f-address-city"). */
export function inputId(path: string): string {
  return `f-${path.replace(/\./g, '-')}`;
}

// ---- reading a posted form -----------------------------------------------------------------

/**
 * A typed value. Forms send only text, and the API takes numbers as numbers, so a number field's
 * text becomes a number here, at the form boundary: full-width digits and signs normalised, digit
 * group separators dropped ("1,000"); left as text when it is not one (validation says why).
 */
function scalar(field: Field, raw: string | undefined): string | number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (field.type === 'integer' || field.type === 'decimal') {
    const number = numberFromText(field, text.normalize('NFKC').replace(/[,\s]/g, ''));
    return typeof number === 'number' ? number : text;
  }
  return text;
}

function rowIndices(form: FormFields, path: string): number[] {
  const prefix = `${path}.`;
  const indices = new Set<number>();
  for (const key of Object.keys(form)) {
    if (!key.startsWith(prefix)) continue;
    const index = /^(\d{1,4})(?:\.|$)/.exec(key.slice(prefix.length))?.[1];
    if (index !== undefined) indices.add(Number(index));
  }
  return [...indices].sort((a, b) => a - b);
}

/**
 * The request an interface form was filled in for: empty inputs are absent fields, groups with
 * nothing typed are absent, empty rows of a repeated field are dropped, numbers are numbers.
 */
export function requestFromForm(fields: readonly Field[], form: FormFields, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const path = join(prefix, field.id);
    if (field.repeated) {
      const items: unknown[] = [];
      for (const i of rowIndices(form, path)) {
        const item = field.type === 'group' ? requestFromForm(field.fields, form, join(path, i)) : scalar(field, form[join(path, i)]);
        if (item !== undefined && !(typeof item === 'object' && Object.keys(item as object).length === 0)) items.push(item);
      }
      if (items.length > 0) out[field.id] = items;
    } else if (field.type === 'group') {
      const group = requestFromForm(field.fields, form, path);
      if (Object.keys(group).length > 0) out[field.id] = group;
    } else {
      const value = scalar(field, form[path]);
      if (value !== undefined) out[field.id] = value;
    }
  }
  return out;
}

/** A request or stored body as form values by dotted path (to prefill a correction from what was filed). */
export function formFromValues(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      formFromValues(item, join(prefix, i), out);
    });
  } else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) formFromValues(v, join(prefix, k), out);
  else if (value !== null && value !== undefined && prefix !== '') out[prefix] = String(value);
  return out;
}

// ---- rendering a form ----------------------------------------------------------------------

export interface FieldsOptions {
  /** Top-level fields sent as hidden inputs (the request ID a screen makes, the update flag). */
  readonly hidden?: ReadonlySet<string>;
  /** Top-level fields shown but not editable (the application being corrected). */
  readonly readonly?: ReadonlySet<string>;
  /** Top-level fields left out altogether. */
  readonly omit?: ReadonlySet<string>;
}

interface RenderContext {
  readonly values: FormFields;
  readonly messages: readonly ReceptionMessage[];
  /** Paths a message can be shown at (inputs, fieldsets). */
  readonly placed: Set<string>;
}

export interface RenderedFields {
  readonly fields: Html;
  /** Messages about no rendered input: to show above the form. */
  readonly unplaced: readonly ReceptionMessage[];
}

/** The inputs of `fields` with the typed values and the refusals next to their inputs. */
export function renderFields(fields: readonly Field[], values: FormFields, messages: readonly ReceptionMessage[], options: FieldsOptions = {}): RenderedFields {
  const ctx: RenderContext = { values, messages, placed: new Set() };
  const hidden: Html[] = [];
  const visible: Html[] = [];
  for (const field of fields) {
    if (options.omit?.has(field.id)) continue;
    if (options.hidden?.has(field.id)) {
      hidden.push(html`<input type="hidden" name="${field.id}" value="${values[field.id] ?? ''}">`);
      continue;
    }
    visible.push(renderField(field, field.id, ctx, options.readonly?.has(field.id) ?? false));
  }
  const unplaced = messages.filter((m) => !m.field || !ctx.placed.has(m.field));
  return { fields: html`${hidden}<div class="if-grid">${visible}</div>`, unplaced };
}

/** Refusals about a path, with code and text (the same as the API's). */
function errorsAt(ctx: RenderContext, path: string): Html | null {
  ctx.placed.add(path);
  const mine = ctx.messages.filter((m) => m.field === path);
  if (mine.length === 0) return null;
  return html`${mine.map((m) => html`<p class="field-error" role="alert"><span class="code">${m.code}</span> ${m.text}</p>`)}`;
}

/** 必須 when the field must be given: always, or by a condition its sibling (already set, e.g. the update flag) meets. */
function requiredMark(field: Field, siblings?: FormFields, withinOptionalGroup = false): Html | null {
  // A part of a group that may be left out altogether (an address given or not): required only with it.
  if (field.required && withinOptionalGroup) return html`<span class="req cond">入力時必須</span>`;
  if (field.required) return html`<span class="req">必須</span>`;
  if (field.requiredWhen) {
    const value = siblings?.[field.requiredWhen.field];
    if (value !== undefined && value !== '') return field.requiredWhen.values.includes(value) ? html`<span class="req">必須</span>` : null;
    return html`<span class="req cond">条件付</span>`;
  }
  return null;
}

function renderField(field: Field, path: string, ctx: RenderContext, readOnly: boolean, withinOptionalGroup = false): Html {
  if (field.repeated) return renderRepeated(field, path, ctx);
  if (field.type === 'group') {
    const optional = withinOptionalGroup || (!field.required && !field.requiredWhen);
    return html`<fieldset class="if-group"><legend>${field.name}${requiredMark(field, path.includes('.') ? undefined : ctx.values, withinOptionalGroup)}</legend>${errorsAt(ctx, path)}
      <div class="if-grid">${field.fields.map((f) => renderField(f, join(path, f.id), ctx, readOnly, optional))}</div></fieldset>`;
  }
  const invalid = ctx.messages.some((m) => m.field === path);
  // Conditions name a sibling: at the top level, the form's own value of it.
  const siblings = path.includes('.') ? undefined : ctx.values;
  return html`<label for="${inputId(path)}">${field.name}${requiredMark(field, siblings, withinOptionalGroup)}</label>
    <div class="if-input">${input(field, path, ctx.values[path] ?? '', readOnly, invalid)}${errorsAt(ctx, path)}</div>`;
}

/** Rows of a repeated field: those typed, one empty more, at least the minimum, 3 by default, never beyond the maximum. */
function rowCount(field: Field, path: string, ctx: RenderContext): number {
  const typed = rowIndices(ctx.values, path);
  const { min, max } = field.repeated!;
  return Math.min(max, Math.max(min, 3, (typed.at(-1) ?? -1) + 2));
}

function renderRepeated(field: Field, path: string, ctx: RenderContext): Html {
  const rows = Array.from({ length: rowCount(field, path, ctx) }, (_, i) => i);
  const subfields: readonly Field[] = field.type === 'group' ? (field as GroupField).fields : [{ ...field, repeated: undefined } as Field];
  const cellPath = (i: number, sub: Field) => (field.type === 'group' ? join(join(path, i), sub.id) : join(path, i));
  return html`<fieldset class="if-group if-repeated"><legend>${field.name}${requiredMark(field)}<span class="muted">（${field.repeated!.max}件まで）</span></legend>${errorsAt(ctx, path)}
    <table class="if-rows"><thead><tr><th>#</th>${subfields.map((s) => html`<th>${s.name}${requiredMark(s)}</th>`)}</tr></thead><tbody>
    ${rows.map(
      (i) =>
        html`<tr><td>${i + 1}</td>${subfields.map((sub) => {
          const p = cellPath(i, sub);
          return html`<td>${input(
            sub,
            p,
            ctx.values[p] ?? '',
            false,
            ctx.messages.some((m) => m.field === p),
            `${field.name} ${i + 1} ${sub.name}`,
          )}${errorsAt(ctx, p)}</td>`;
        })}</tr>`,
    )}</tbody></table></fieldset>`;
}

function input(field: Field, path: string, value: string, readOnly: boolean, invalid: boolean, ariaLabel?: string): Html {
  const id = inputId(path);
  const common = html`id="${id}" name="${path}"${invalid ? html` aria-invalid="true"` : null}${ariaLabel ? html` aria-label="${ariaLabel}"` : null}${readOnly ? html` readonly` : null}`;
  switch (field.type) {
    case 'code': {
      if (readOnly) return html`<input type="text" ${common} value="${value}">`;
      return html`<select ${common}><option value="">—</option>${Object.entries(field.table.codes).map(
        ([code, label]) =>
          html`<option value="${code}"${code === value ? html` selected` : null}>${/^\d{2,}$/.test(code) ? `${code} ${label}` : label}</option>`,
      )}</select>`;
    }
    case 'date':
      return html`<input type="date" class="w-date" ${common} value="${value}">`;
    case 'integer':
    case 'decimal':
      return html`<input type="text" class="w-num" inputmode="decimal" autocomplete="off" ${common} value="${value}">`;
    case 'supplyPointId':
      return html`<input type="text" class="w-spid" inputmode="numeric" autocomplete="off" maxlength="40" placeholder="22桁（全角・区切りも可）" ${common} value="${value}">`;
    case 'participantCode':
      return html`<input type="text" class="w-code" autocomplete="off" maxlength="10" ${common} value="${value}">`;
    case 'digits':
      return html`<input type="text" class="w-digits" inputmode="numeric" autocomplete="off" maxlength="${field.maxLength * 2}" ${common} value="${value}">`;
    case 'string':
      if (field.multiline) return html`<textarea rows="3" ${common}>${value}</textarea>`;
      return html`<input type="text" ${field.maxLength <= 20 ? html`class="w-short" ` : null}maxlength="${field.maxLength * 2}" ${common} value="${value}">`;
    default:
      return html`<input type="text" ${common} value="${value}">`;
  }
}

// ---- rendering an answer -------------------------------------------------------------------

/** A value as a person reads it: code tables by name (numeric codes with the code), numbers grouped. */
export function displayValue(field: Field, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  switch (field.type) {
    case 'code': {
      const label = field.table.codes[String(value)];
      if (label === undefined) return String(value);
      return /^\d{2,}$/.test(String(value)) ? `${value} ${label}` : label;
    }
    case 'integer':
    case 'decimal':
      return typeof value === 'number' ? value.toLocaleString('ja-JP', { maximumFractionDigits: field.type === 'decimal' ? field.scale : 0 }) : String(value);
    case 'dateTime': {
      const ms = Date.parse(String(value));
      if (Number.isNaN(ms)) return String(value);
      const t = new Date(ms + 9 * 3_600_000).toISOString();
      return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
    }
    default:
      return String(value);
  }
}

function cell(field: Field, value: unknown): Html {
  if (field.type === 'group') {
    if (value === null || value === undefined) return html`—`;
    // A group inside a table cell: its parts on one line ("東京都 千代田区 本町2丁目14番3号").
    return html`${field.fields
      .map((f) => (f.type === 'group' ? null : (value as Record<string, unknown>)[f.id]))
      .filter((v) => v !== null && v !== undefined && v !== '')
      .join(' ')}`;
  }
  const shown = displayValue(field, value);
  return field.type === 'integer' || field.type === 'decimal' ? html`<span class="num">${shown}</span>` : html`${shown}`;
}

/** A repeated group as a table, one column per part. */
export function rowsTable(field: GroupField, items: readonly Record<string, unknown>[], options: { caption?: string } = {}): Html {
  if (items.length === 0) return html`<p class="muted">なし</p>`;
  return html`<table class="data-rows">${options.caption ? html`<caption>${options.caption}</caption>` : null}
    <thead><tr>${field.fields.map((f) => html`<th>${f.name}</th>`)}</tr></thead>
    <tbody>${items.map((item) => html`<tr>${field.fields.map((f) => html`<td>${cell(f, item[f.id])}</td>`)}</tr>`)}</tbody></table>`;
}

/** The data of an OK response as a table of items (groups nested, repeated groups as tables). */
export function renderData(fields: readonly Field[], data: Readonly<Record<string, unknown>>): Html {
  return html`<table class="kv"><tbody>${fields.map((field) => {
    const value = data[field.id];
    if (field.repeated) {
      const items = Array.isArray(value) ? value : [];
      const shown =
        field.type === 'group'
          ? rowsTable(field, items as Record<string, unknown>[])
          : html`${items.length === 0 ? '—' : items.map((v) => displayValue(field, v)).join('、')}`;
      return html`<tr><th>${field.name}</th><td>${shown}</td></tr>`;
    }
    if (field.type === 'group') {
      return html`<tr><th>${field.name}</th><td>${value && typeof value === 'object' ? renderData(field.fields, value as Record<string, unknown>) : '—'}</td></tr>`;
    }
    return html`<tr><th>${field.name}</th><td>${cell(field, value)}</td></tr>`;
  })}</tbody></table>`;
}

/** Reception messages of an answer (notices of an OK one, refusals of an NG one), with their codes. */
export function renderMessages(messages: readonly ReceptionMessage[], kind: 'notice' | 'refusal'): Html | null {
  if (messages.length === 0) return null;
  return html`<div class="${kind === 'notice' ? 'notice' : 'refusal'}" role="${kind === 'notice' ? 'status' : 'alert'}">${messages.map(
    (m) => html`<p class="msg"><span class="code">${m.code}</span> ${m.text}</p>`,
  )}</div>`;
}
