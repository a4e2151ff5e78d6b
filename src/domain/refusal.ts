/**
 * A refusal: the one way the system says "no" to input.
 *
 * Every refusal carries a stable code from `messages.ts` and the Japanese text for it, so that the
 * JSON API, the SOAP response, the web form and a CSV row report all show the same thing. `field`
 * names the input that was refused (a glossary identifier such as `supplyPointId`), when there is one.
 */
import { messages, type MessageCode } from './messages.ts';

export interface RefusalDetail {
  readonly code: MessageCode;
  readonly text: string;
  readonly field?: string;
}

export class Refusal extends Error {
  readonly code: MessageCode;
  readonly text: string;
  readonly field: string | undefined;

  constructor(code: MessageCode, options: { field?: string; params?: Record<string, string | number> } = {}) {
    const text = messageText(code, options.params);
    super(`${code}: ${text}`);
    this.name = 'Refusal';
    this.code = code;
    this.text = text;
    this.field = options.field;
  }

  /** The same refusal about another input (a screen names its fields its own way). */
  withField(field: string): Refusal {
    const copy = new Refusal(this.code, { field });
    Object.defineProperty(copy, 'text', { value: this.text });
    copy.message = this.message;
    return copy;
  }

  toDetail(): RefusalDetail {
    return this.field === undefined ? { code: this.code, text: this.text } : { code: this.code, text: this.text, field: this.field };
  }
}

/**
 * A message's Japanese text with its `{name}` fields filled from `params`; a field with no value
 * stays as written, or becomes `blank` when one is given (a text shown without its case, e.g. 「…」).
 */
export function messageText(code: MessageCode, params: Record<string, string | number> = {}, blank?: string): string {
  return messages[code].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : (blank ?? whole)));
}

export function isRefusal(error: unknown): error is Refusal {
  return error instanceof Refusal;
}
