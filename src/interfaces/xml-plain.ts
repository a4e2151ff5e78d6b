/**
 * The element tree of a plain document in one pass, for parseXmlTree (xml.ts) to take before its
 * general path (fast-xml-parser's validator, then its parser, then the namespaces resolved): the
 * two passes of fast-xml-parser were about a fifth of the hub's CPU for a SOAP look-up.
 *
 * Plain is what the SOAP requests of retailers' systems are: an optional XML declaration, then
 * elements with ASCII names (one prefix at most), attributes in double or single quotes, and text
 * without markup characters. Anything else — a comment, CDATA, a processing instruction, an entity
 * or character reference, `>` or a control character or a surrogate in text, a carriage return, a
 * name outside ASCII, an attribute given twice, an undeclared prefix, text outside the root, a
 * malformed tag — and `parsePlainXml` answers undefined: the general path reads the document, and
 * it alone refuses, with its messages. What this function accepts, the general path accepts too
 * and reads into the same tree (xml-plain.test.ts checks both on generated and mutated documents):
 * text trimmed piece by piece between tags and joined, attribute values trimmed, `xmlns`
 * declarations scoped to their element and its descendants.
 */

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

/** The xml prefix is bound by definition (as in xml.ts). */
const xmlScope: ReadonlyMap<string, string> = new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]);

const declaration =
  /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.0\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[Uu][Tt][Ff]-?8\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/;

interface Open {
  readonly tag: string;
  readonly name: string;
  readonly prefix: string;
  readonly scope: ReadonlyMap<string, string>;
  readonly children: XmlNode[];
  text: string;
}

/** The document's root element, namespaces resolved; undefined if the document is not plain. */
export function parsePlainXml(text: string): XmlNode | undefined {
  let i = 0;
  const head = declaration.exec(text);
  if (head) i = head[0].length;
  const length = text.length;
  const stack: Open[] = [];
  let root: XmlNode | undefined;
  while (i < length) {
    const lt = text.indexOf('<', i);
    const end = lt === -1 ? length : lt;
    if (end > i) {
      const open = stack.at(-1);
      if (open === undefined) {
        // Outside the root: XML's white space only (trim() would also take U+3000 and others).
        if (skipSpace(text, i) !== end) return undefined;
      } else {
        const piece = plainText(text, i, end);
        if (piece === undefined) return undefined;
        open.text += piece;
      }
    }
    if (lt === -1) break;
    i = lt + 1;
    if (text.charCodeAt(i) === 0x2f /* / */) {
      // An end tag: `</name S?>`, naming the element open.
      const open = stack.pop();
      if (open === undefined) return undefined;
      const nameEnd = i + 1 + open.tag.length;
      if (text.slice(i + 1, nameEnd) !== open.tag) return undefined;
      i = skipSpace(text, nameEnd);
      if (text.charCodeAt(i) !== 0x3e /* > */) return undefined;
      i++;
      const node = closed(open);
      if (node === undefined) return undefined;
      if (!attach(stack, node)) {
        if (root !== undefined) return undefined;
        root = node;
      }
      continue;
    }
    // A start tag: `<name (S attr S? = S? "value")* S? (/>|>)`.
    if (root !== undefined && stack.length === 0) return undefined; // a second root
    const tagEnd = nameEnd(text, i);
    if (tagEnd === i) return undefined;
    const tag = text.slice(i, tagEnd);
    i = tagEnd;
    let scope: ReadonlyMap<string, string> = stack.at(-1)?.scope ?? xmlScope;
    const inherited = scope;
    const seen: string[] = [];
    for (;;) {
      const afterSpace = skipSpace(text, i);
      const c = text.charCodeAt(afterSpace);
      if (c === 0x3e /* > */ || c === 0x2f /* / */) {
        i = afterSpace;
        break;
      }
      if (afterSpace === i) return undefined; // an attribute must follow white space
      const attrEnd = nameEnd(text, afterSpace);
      if (attrEnd === afterSpace) return undefined;
      const attr = text.slice(afterSpace, attrEnd);
      if (seen.includes(attr)) return undefined;
      seen.push(attr);
      i = skipSpace(text, attrEnd);
      if (text.charCodeAt(i) !== 0x3d /* = */) return undefined;
      i = skipSpace(text, i + 1);
      const quote = text.charCodeAt(i);
      if (quote !== 0x22 && quote !== 0x27) return undefined;
      const close = text.indexOf(quote === 0x22 ? '"' : "'", i + 1);
      if (close === -1) return undefined;
      const value = plainText(text, i + 1, close);
      if (value === undefined) return undefined;
      i = close + 1;
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) {
        if (scope === inherited) scope = new Map(inherited);
        (scope as Map<string, string>).set(attr === 'xmlns' ? '' : attr.slice(6), value);
      }
    }
    const colon = tag.indexOf(':');
    const open: Open = {
      tag,
      name: colon === -1 ? tag : tag.slice(colon + 1),
      prefix: colon === -1 ? '' : tag.slice(0, colon),
      scope,
      children: [],
      text: '',
    };
    if (text.charCodeAt(i) === 0x2f /* / */) {
      if (text.charCodeAt(i + 1) !== 0x3e /* > */) return undefined;
      i += 2;
      const node = closed(open);
      if (node === undefined) return undefined;
      if (!attach(stack, node)) {
        if (root !== undefined) return undefined;
        root = node;
      }
      continue;
    }
    i++; // >
    stack.push(open);
  }
  return stack.length === 0 ? root : undefined;
}

/** The element's node once it is closed; undefined if its prefix is not declared or its name is refused. */
function closed(open: Open): XmlNode | undefined {
  if (open.name === '__proto__') return undefined;
  const namespace = open.scope.get(open.prefix);
  if (namespace === undefined && open.prefix !== '') return undefined;
  return { name: open.name, namespace: namespace ?? '', children: open.children, text: open.text };
}

/** Adds the node to the element it is in; false at the top. */
function attach(stack: Open[], node: XmlNode): boolean {
  const parent = stack.at(-1);
  if (parent === undefined) return false;
  parent.children.push(node);
  return true;
}

/**
 * Text from `start` to `end`, trimmed, if it holds no markup character (`&`, `<`, `>`), no
 * control character but tab and line feed, and no surrogate; else undefined.
 */
function plainText(text: string, start: number, end: number): string | undefined {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a : c === 0x26 || c === 0x3c || c === 0x3e || (c >= 0xd800 && c <= 0xdfff) || c >= 0xfffe) return undefined;
  }
  return text.slice(start, end).trim();
}

/** Past spaces, tabs and line feeds. */
function skipSpace(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09 || c === 0x0a; c = text.charCodeAt(++i));
  return i;
}

/**
 * The end of an ASCII name from `from` (`from` itself if there is none): a letter or `_`, then
 * letters, digits, `_`, `-` and `.`, with at most one `:` between two such parts.
 */
function nameEnd(text: string, from: number): number {
  let i = from;
  let colons = 0;
  for (;;) {
    if (!isNameStart(text.charCodeAt(i))) return from;
    i++;
    while (isNameChar(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 0x3a /* : */ || colons === 1) return i;
    colons++;
    i++;
  }
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}
