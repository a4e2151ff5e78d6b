/**
 * XML as the SOAP binding reads and writes it, with a maintained parser (fast-xml-parser) set up for
 * input from outside:
 *
 * - Size first: more than `xmlLimits.maxBytes` is refused before anything looks at it.
 * - No DTD, so no entity can be declared: a document with `<!DOCTYPE` or `<!ENTITY` anywhere is
 *   refused outright (billion laughs, external entities such as SYSTEM "file:///etc/passwd"). Only
 *   the five predefined references and numeric character references are decoded, by our own decoder.
 * - Depth is capped (`xmlLimits.maxDepth`): SOAP messages here are a few levels deep.
 * - UTF-8 only: a declared or detected other encoding (Shift_JIS from older systems) is refused
 *   with a message that says so, rather than read as mojibake.
 * - Attributes are ignored and namespace prefixes stripped: elements are known by local name.
 * - Values stay strings (no number guessing: "007" stays "007"); the catalogue types them.
 *
 * Each refusal has its own code (IF_XML_…) so a client can tell a broken document from a hostile one.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { MessageCode } from '../domain/messages.ts';
import { Refusal } from '../domain/refusal.ts';
import type { ReceptionMessage } from './message.ts';

export const xmlLimits = {
  /** 256 KiB: the largest honest message (a feed page of 500 applications) is about 150 KiB. */
  maxBytes: 256 * 1024,
  /** Envelope, Body, request, a group, a repeated group inside it: 5; 32 leaves room and no more. */
  maxDepth: 32,
} as const;

/** A parsed element: its text, or its child elements by local name (an array when repeated). */
export type XmlValue = string | XmlElement | XmlValue[];
export interface XmlElement {
  [name: string]: XmlValue;
}

export type XmlParse = { readonly ok: true; readonly value: XmlElement } | { readonly ok: false; readonly messages: ReceptionMessage[] };

function refuse(code: MessageCode, params: Record<string, string | number> = {}): XmlParse {
  return { ok: false, messages: [new Refusal(code, { params }).toDetail()] };
}

class EntityRefused extends Error {
  readonly entity: string;
  constructor(entity: string) {
    super(`entity refused: ${entity}`);
    this.entity = entity;
  }
}

const predefined: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** XML 1.0 Char: what a numeric character reference may stand for. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/**
 * The parser's entity decoder, replaced by one that knows only what XML predefines. It is never
 * given declared entities (DOCTYPE is refused before parsing); if it were, it would refuse them.
 */
const strictEntities = {
  setExternalEntities(): void {},
  addInputEntities(entities: Record<string, string>): void {
    const first = Object.keys(entities)[0];
    if (first !== undefined) throw new EntityRefused(first);
  },
  reset(): void {},
  setXmlVersion(): void {},
  decode(text: string): string {
    if (!text.includes('&')) return text;
    return text.replace(/&([^;&\s]{0,40});/g, (whole, ref: string) => {
      const named = predefined[ref];
      if (named !== undefined && Object.hasOwn(predefined, ref)) return named;
      const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
      const cp = m ? Number.parseInt(m[1] ?? m[2] ?? '', m[1] ? 16 : 10) : Number.NaN;
      if (!isXmlChar(cp)) throw new EntityRefused(whole);
      return String.fromCodePoint(cp);
    });
  },
};

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  entityDecoder: strictEntities,
  maxNestedTags: xmlLimits.maxDepth,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });
const declaredEncoding = /^\s*<\?xml\s[^?]*?encoding\s*=\s*["']([^"']*)["']/;
const dtd = /<!(?:DOCTYPE|ENTITY)/i;

/** Parses a document from outside, or refuses it with one IF_XML_… message. */
export function parseXml(input: string | Uint8Array): XmlParse {
  let text: string;
  if (typeof input === 'string') {
    if (input.length > xmlLimits.maxBytes || Buffer.byteLength(input, 'utf8') > xmlLimits.maxBytes) return tooLarge();
    text = input;
  } else {
    if (input.byteLength > xmlLimits.maxBytes) return tooLarge();
    try {
      text = utf8.decode(input);
    } catch {
      return refuse('IF_XML_ENCODING', { encoding: 'UTF-8以外' });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const encoding = declaredEncoding.exec(text)?.[1];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) return refuse('IF_XML_ENCODING', { encoding: encoding.slice(0, 40) });
  if (dtd.test(text)) return refuse('IF_XML_DTD_FORBIDDEN');
  if (deeperThan(text, xmlLimits.maxDepth)) return refuse('IF_XML_TOO_DEEP', { limit: xmlLimits.maxDepth });

  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, col } = valid.err;
    return refuse('IF_XML_MALFORMED', { where: col ? `${line}行目 ${col}文字目付近` : `${line}行目付近` });
  }
  try {
    return { ok: true, value: parser.parse(text) as XmlElement };
  } catch (error) {
    if (error instanceof EntityRefused) return refuse('IF_XML_ENTITY', { entity: error.entity.slice(0, 40) });
    if (error instanceof Error && /nested tags/i.test(error.message)) return refuse('IF_XML_TOO_DEEP', { limit: xmlLimits.maxDepth });
    // e.g. an element named __proto__, which the parser refuses to make a property of
    return refuse('IF_XML_MALFORMED', { where: '使用できない要素名があります' });
  }
}

/**
 * Whether elements nest deeper than the limit: one linear pass over the tags, before the validator
 * walks a hostile document whole. Comments, CDATA, processing instructions and quoted attribute
 * values are skipped. It only needs to be right for well-formed documents: the validator refuses
 * the others, and the parser's own depth limit stays as the backstop.
 */
function deeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let i = text.indexOf('<');
  while (i !== -1) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x2f /* / */) {
      depth--;
      i = text.indexOf('>', i);
    } else if (next === 0x21 /* ! */) {
      i = text.indexOf(text.startsWith('<!--', i) ? '-->' : text.startsWith('<![CDATA[', i) ? ']]>' : '>', i);
    } else if (next === 0x3f /* ? */) {
      i = text.indexOf('?>', i);
    } else {
      let j = i + 1;
      for (let quote = 0; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (quote !== 0) {
          if (c === quote) quote = 0;
        } else if (c === 0x22 || c === 0x27) quote = c;
        else if (c === 0x3e /* > */) break;
      }
      if (text.charCodeAt(j - 1) !== 0x2f && ++depth > limit) return true;
      i = j;
    }
    if (i === -1) return false;
    i = text.indexOf('<', i + 1);
  }
  return false;
}

function tooLarge(): XmlParse {
  return refuse('IF_XML_TOO_LARGE', { limit: `${xmlLimits.maxBytes / 1024} KiB` });
}

const escapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text for element content or an attribute value. Characters XML 1.0 cannot carry at all (most C0
 * controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD, so the output is always well-formed.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => escapes[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
