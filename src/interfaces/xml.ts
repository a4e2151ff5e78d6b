/**
 * XML as the SOAP binding reads and writes it, with a maintained, conformant parser (saxes: XML 1.0
 * and Namespaces in XML, well-formedness checked in the same single pass that reads the tree) set up
 * for input from outside:
 *
 * - Size first: more than `xmlLimits.maxBytes` is refused before anything looks at it.
 * - No DTD, so no entity can be declared: a document with `<!DOCTYPE` or `<!ENTITY` anywhere is
 *   refused outright (billion laughs, external entities such as SYSTEM "file:///etc/passwd"). Only
 *   the five predefined references and numeric character references to characters XML allows are
 *   decoded; any other reference is refused (IF_XML_ENTITY).
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
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import type { MessageCode } from '../domain/messages.ts';
import { Refusal } from '../domain/refusal.ts';
import type { ReceptionMessage } from './message.ts';
import { replacement, replacingUtf8, strictUtf8, UndecodableText } from './undecodable.ts';

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

/** An element with its namespace resolved: `namespace` is '' for an element in no namespace. */
export interface XmlNode {
  readonly name: string;
  readonly namespace: string;
  readonly children: readonly XmlNode[];
  /** Its own text (trimmed pieces, joined), without its children's. */
  readonly text: string;
  /** The text held bytes that are not UTF-8 (then `text` has U+FFFD where they were). */
  readonly undecodable?: true;
}

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
 */
export function parseXmlTree(input: string | Uint8Array): XmlTreeParse {
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

  let root: XmlNode;
  try {
    root = readTree(text, replaced);
  } catch (error) {
    if (error instanceof XmlRefused) return { ok: false, messages: [error.refusal.toDetail()] };
    throw error;
  }
  // Invalid bytes in markup (a name, an attribute, between elements) rather than in a value:
  // more replacement characters in the document than in the values.
  if (replaced && count(text) > replacementsIn(root)) return refuse('IF_XML_ENCODING', { encoding: 'UTF-8以外' });
  return { ok: true, root };
}

class XmlRefused extends Error {
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super(refusal.message);
    this.refusal = refusal;
  }
}

interface Open {
  readonly name: string;
  readonly namespace: string;
  readonly children: XmlNode[];
  text: string;
}

/**
 * The document's root element, read in one pass by saxes, which stops at the first thing that is
 * not well-formed XML with namespaces (an unbound prefix included): refused then with where it went
 * wrong. Text is trimmed piece by piece (between tags, comments and processing instructions) and
 * joined; CDATA is kept as written.
 */
function readTree(text: string, replaced: boolean): XmlNode {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: Open[] = [];
  let root: XmlNode | undefined;
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (tag.local === '__proto__') throw new XmlRefused(new Refusal('IF_XML_MALFORMED', { params: { where: '使用できない要素名があります' } }));
    stack.push({ name: tag.local, namespace: tag.uri, children: [], text: '' });
  });
  parser.on('text', (piece: string) => {
    const open = stack.at(-1);
    if (open !== undefined) open.text += piece.trim();
  });
  parser.on('cdata', (piece: string) => {
    const open = stack.at(-1);
    if (open !== undefined) open.text += piece;
  });
  parser.on('closetag', () => {
    const open = stack.pop()!;
    const node: XmlNode = { name: open.name, namespace: open.namespace, children: open.children, text: open.text };
    const closed = replaced && open.text.includes(replacement) ? { ...node, undecodable: true as const } : node;
    const parent = stack.at(-1);
    if (parent === undefined) root = closed;
    else parent.children.push(closed);
  });
  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof XmlRefused) throw error;
    throw new XmlRefused(refusalOf(error as Error, parser, text));
  }
  if (root === undefined) throw new XmlRefused(new Refusal('IF_XML_MALFORMED', { params: { where: '文書要素がありません' } }));
  return root;
}

/** What saxes stopped at, as one of our refusals. */
function refusalOf(error: Error, parser: SaxesParser, text: string): Refusal {
  const message = error.message;
  if (/(undefined entity|malformed character entity)\.$/.test(message)) {
    // Thrown at the reference's ';': the reference is what ends there.
    const end = Math.min(parser.position, text.length);
    const reference = text.slice(Math.max(text.lastIndexOf('&', end - 1), 0), end);
    return new Refusal('IF_XML_ENTITY', { params: { entity: reference.slice(0, 40) } });
  }
  const unbound = /unbound namespace prefix: "(.*)"\.$/.exec(message);
  if (unbound) return new Refusal('IF_XML_MALFORMED', { params: { where: `名前空間接頭辞「${unbound[1]!.slice(0, 20)}」が宣言されていません` } });
  if (/document must contain a root element/.test(message)) return new Refusal('IF_XML_MALFORMED', { params: { where: '文書要素がありません' } });
  return new Refusal('IF_XML_MALFORMED', { params: { where: `${parser.line}行目 ${parser.column + 1}文字目付近` } });
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
