/**
 * HTML that escapes by construction. `html\`<p>${value}</p>\`` escapes every interpolated value
 * unless it is itself `Html` (built by this tag), so a template cannot forget to escape a customer
 * name or a free-text remark. Arrays are joined; null, undefined and false render as nothing.
 * `unsafeRaw` exists for constants written in this code base (never for input) and is named so
 * that every use stands out in review.
 */
export class Html {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => escapes[c]!);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup written in this code base. Never pass input here. */
export function unsafeRaw(markup: string): Html {
  return new Html(markup);
}
