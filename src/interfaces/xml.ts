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
 * - Namespaces are resolved (parseXmlTree gives each element's namespace, and an undeclared prefix
 *   is refused); the bindings then read elements by local name (elementOf) once they have checked
 *   the namespaces they require (soap.ts). Other attributes are ignored.
 * - Bytes that are not UTF-8 are never read as U+FFFD: in a value, the value is UndecodableText
 *   (validation refuses it as that field's, IF_ENCODING_INVALID); in markup, the document is
 *   refused (IF_XML_ENCODING).
 * - Values stay strings (no number guessing: "007" stays "007"); the catalogue types them.
 *
 * Each refusal has its own code (IF_XML_…) so a client can tell a broken document from a hostile one.
 *
 * After the size, encoding, DTD and depth checks, a plain document (what retailers' systems send:
 * no comment, CDATA, reference or processing instruction) is read in one pass by xml-plain.ts; any
 * other, and every refusal, goes through the validator and the parser as described here.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { MessageCode } from '../domain/messages.ts';
import { Refusal } from '../domain/refusal.ts';
import type { ReceptionMessage } from './message.ts';
import { replacement, replacingUtf8, strictUtf8, UndecodableText } from './undecodable.ts';
import { parsePlainXml, type XmlNode } from './xml-plain.ts';

export const xmlLimits = {
  /** 256 KiB: the largest honest message (a feed page of 500 applications) is about 150 KiB. */
  maxBytes: 256 * 1024,
  /** Envelope, Body, request, a group, a repeated group inside it: 5; 32 leaves room and no more. */
  maxDepth: 32,
} as const;

/**
 * A parsed element: its text, or its child elements by local name (an array when repeated);
 * UndecodableText for text whose bytes were not UTF-8.
 */
export type XmlValue = string | UndecodableText | XmlElement | XmlValue[];
export interface XmlElement {
  [name: string]: XmlValue;
}

export type XmlParse = { readonly ok: true; readonly value: XmlElement } | { readonly ok: false; readonly messages: ReceptionMessage[] };

function refuse(code: MessageCode, params: Record<string, string | number> = {}): { readonly ok: false; readonly messages: ReceptionMessage[] } {
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

/**
 * The parser keeps document order and the attributes, so that namespaces can be resolved (the
 * xmlns declarations are attributes); the tree is then read by local name (elementOf).
 */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  entityDecoder: strictEntities,
  maxNestedTags: xmlLimits.maxDepth,
});

export type { XmlNode };

export type XmlTreeParse = { readonly ok: true; readonly root: XmlNode } | { readonly ok: false; readonly messages: ReceptionMessage[] };

const declaredEncoding = /^\s*<\?xml\s[^?]*?encoding\s*=\s*["']([^"']*)["']/;
const dtd = /<!(?:DOCTYPE|ENTITY)/i;

/** Parses a document from outside into elements by local name, or refuses it with one IF_XML_… message. */
export function parseXml(input: string | Uint8Array): XmlParse {
  const tree = parseXmlTree(input);
  if (!tree.ok) return tree;
  return { ok: true, value: { [tree.root.name]: elementOf(tree.root) } };
}

/**
 * Parses a document from outside into its element tree, namespaces resolved, or refuses it with
 * one message. Bytes that are not UTF-8 inside an element's text are refused as that element's
 * (IF_ENCODING_INVALID, field: the path of local names below the root, "Body.IF_10610Request.customerName"),
 * elsewhere as the document's (IF_XML_ENCODING): text is never read with replacement characters.
 * `plain: false` (tests) reads even a plain document the general way (xml-plain.ts).
 */
export function parseXmlTree(input: string | Uint8Array, options: { readonly plain?: boolean } = {}): XmlTreeParse {
  let text: string;
  let replaced = false;
  if (typeof input === 'string') {
    if (input.length > xmlLimits.maxBytes || Buffer.byteLength(input, 'utf8') > xmlLimits.maxBytes) return tooLarge();
    text = input;
  } else {
    if (input.byteLength > xmlLimits.maxBytes) return tooLarge();
    try {
      text = strictUtf8.decode(input);
    } catch {
      // Read once more with replacement characters only to tell where the bytes were (below).
      text = replacingUtf8.decode(input);
      replaced = true;
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const encoding = declaredEncoding.exec(text)?.[1];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) return refuse('IF_XML_ENCODING', { encoding: encoding.slice(0, 40) });
  if (dtd.test(text)) return refuse('IF_XML_DTD_FORBIDDEN');
  if (deeperThan(text, xmlLimits.maxDepth)) return refuse('IF_XML_TOO_DEEP', { limit: xmlLimits.maxDepth });
  // A plain document (what retailers' systems send) in one pass; anything else, and every
  // refusal, through the validator and the parser (xml-plain.ts).
  const plain = replaced || options.plain === false ? undefined : parsePlainXml(text);
  if (plain !== undefined) return { ok: true, root: plain };

  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, col } = valid.err;
    return refuse('IF_XML_MALFORMED', { where: col ? `${line}行目 ${col}文字目付近` : `${line}行目付近` });
  }
  let ordered: OrderedNode[];
  try {
    ordered = parser.parse(text) as OrderedNode[];
  } catch (error) {
    if (error instanceof EntityRefused) return refuse('IF_XML_ENTITY', { entity: error.entity.slice(0, 40) });
    if (error instanceof Error && /nested tags/i.test(error.message)) return refuse('IF_XML_TOO_DEEP', { limit: xmlLimits.maxDepth });
    return refuse('IF_XML_MALFORMED', { where: '使用できない要素名があります' });
  }
  const roots = ordered.filter((n) => tagOf(n) !== undefined);
  if (roots.length !== 1) return refuse('IF_XML_MALFORMED', { where: '文書要素がありません' });
  try {
    const root = resolve(roots[0]!, xmlScope, replaced);
    // Invalid bytes in markup (a name, an attribute, between elements) rather than in a value:
    // more replacement characters in the document than in the values.
    if (replaced && count(text) > replacementsIn(root)) return refuse('IF_XML_ENCODING', { encoding: 'UTF-8以外' });
    return { ok: true, root };
  } catch (error) {
    if (error instanceof NamespaceRefused) return refuse('IF_XML_MALFORMED', { where: error.message });
    throw error;
  }
}

/** What the parser gives in document order: `{ tag: children, ":@"?: attributes }` or `{ "#text": text }`. */
type OrderedNode = { readonly [key: string]: OrderedNode[] | string | Record<string, string> };

class NamespaceRefused extends Error {}

/** The xml prefix is bound by definition; no other prefix is bound until declared. */
const xmlScope: ReadonlyMap<string, string> = new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]);

function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text');
}

function resolve(node: OrderedNode, outer: ReadonlyMap<string, string>, replaced: boolean): XmlNode {
  const tag = tagOf(node)!;
  const attributes = (node[':@'] ?? {}) as Record<string, string>;
  let scope = outer;
  for (const [key, value] of Object.entries(attributes)) {
    if (key !== '@_xmlns' && !key.startsWith('@_xmlns:')) continue;
    if (scope === outer) scope = new Map(outer);
    (scope as Map<string, string>).set(key === '@_xmlns' ? '' : key.slice('@_xmlns:'.length), value);
  }
  const colon = tag.indexOf(':');
  const prefix = colon === -1 ? '' : tag.slice(0, colon);
  const name = colon === -1 ? tag : tag.slice(colon + 1);
  if (name === '__proto__') throw new NamespaceRefused('使用できない要素名があります');
  const namespace = scope.get(prefix);
  if (namespace === undefined && prefix !== '') throw new NamespaceRefused(`名前空間接頭辞「${prefix.slice(0, 20)}」が宣言されていません`);
  const children: XmlNode[] = [];
  let text = '';
  for (const child of node[tag] as OrderedNode[]) {
    if (typeof child['#text'] === 'string') text += child['#text'];
    else if (tagOf(child) !== undefined) children.push(resolve(child, scope, replaced));
  }
  const resolved = { name, namespace: namespace ?? '', children, text };
  return replaced && text.includes(replacement) ? { ...resolved, undecodable: true as const } : resolved;
}

/**
 * An element by local name, as the bindings read it: its text when it has no child elements (''
 * when empty), else its children by local name (an array for a name that repeats), with any text
 * of mixed content under "#text".
 */
export function elementOf(node: XmlNode): XmlValue {
  if (node.children.length === 0) return node.undecodable ? new UndecodableText('UTF-8') : node.text;
  const byName = new Map<string, XmlValue[]>();
  for (const child of node.children) {
    const values = byName.get(child.name) ?? [];
    values.push(elementOf(child));
    byName.set(child.name, values);
  }
  const out: XmlElement = {};
  for (const [name, values] of byName) out[name] = values.length === 1 ? values[0]! : values;
  if (node.text !== '') out['#text'] = node.undecodable ? new UndecodableText('UTF-8') : node.text;
  return out;
}

function count(text: string): number {
  let n = 0;
  for (let i = text.indexOf(replacement); i !== -1; i = text.indexOf(replacement, i + 1)) n++;
  return n;
}

function replacementsIn(node: XmlNode): number {
  return node.children.reduce((n, child) => n + replacementsIn(child), count(node.text));
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

function tooLarge() {
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
