import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceById } from './catalogue/catalogue.ts';
import { soapRequest } from './soap.ts';
import { parseXmlTree } from './xml.ts';
import { parsePlainXml } from './xml-plain.ts';

/** A seeded generator of numbers in [0, 1) (mulberry32), so that a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The general path's tree (validator, parser, namespaces), or its refusal. */
const general = (text: string) => parseXmlTree(text, { plain: false });

/** A plain document: prefixes declared at random depths, text with spaces around, self-closed elements. */
function plainDocument(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const space = () => pick(['', '', ' ', '\n  ', '\t']);
  const textSpace = () => pick(['', '', ' ', '\n  ', '\t', ' \u3000']);
  const texts = ['0300001234567890123456', '山田 花子', ' padded ', 'a b', '1.50', '', '  ', 'ヤマダ', 'x-y_z.1', '\u00a0nbsp\u00a0'];
  const element = (depth: number, declared: string[]): string => {
    const declaring = random() < 0.3 ? pick(['k', 'soap', 'p1', 'x.y']) : undefined;
    const prefixes = declaring ? [...declared, declaring] : declared;
    const prefix = random() < 0.7 && prefixes.length > 0 ? `${pick(prefixes)}:` : '';
    const name = `${prefix}${pick(['Envelope', 'Body', 'supplyPointId', 'a', 'group_1', 'item-2', 'v.3', 'xmlish'])}`;
    let attributes = '';
    if (declaring)
      attributes += ` xmlns:${declaring}${space()}=${space()}"${pick(['urn:kirikae:v1', ' urn:padded ', 'http://schemas.xmlsoap.org/soap/envelope/'])}"`;
    if (random() < 0.2) attributes += ` xmlns='${pick(['urn:default', ''])}'`;
    if (random() < 0.2) attributes += ` other${space()}=${space()}"${pick(['1', 'two words', ''])}"`;
    if (random() < 0.15) return `<${name}${attributes}${space()}/>`;
    let content = '';
    const children = depth >= 4 ? 0 : Math.floor(random() * 4);
    for (let i = 0; i < children; i++) content += (random() < 0.3 ? pick(texts) : textSpace()) + element(depth + 1, prefixes);
    if (children === 0 || random() < 0.3) content += pick(texts);
    return `<${name}${attributes}${space()}>${content}</${name}${space()}>`;
  };
  const head = pick(['', '<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0'?>\n", '<?xml version="1.0" standalone="yes"?>']);
  return `${head}${space()}${element(0, [])}${space()}`;
}

/** One change of the kind that makes a document not plain, or not XML at all. */
function mutated(random: () => number, text: string): string {
  const at = Math.floor(random() * (text.length + 1));
  const inserts = [
    '<',
    '>',
    '&',
    '&amp;',
    '&#x41;',
    '/',
    '=',
    '"',
    "'",
    ' ',
    '\r',
    '\u0001',
    ':',
    '<!-- c -->',
    '<![CDATA[x]]>',
    '<?pi x?>',
    'é',
    '\ud83d',
    '</a>',
    '<b>',
    'xmlns:q="u" ',
    '#',
  ];
  switch (Math.floor(random() * 4)) {
    case 0:
      return text.slice(0, at) + inserts[Math.floor(random() * inserts.length)] + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
    case 2: {
      const from = Math.floor(random() * text.length);
      return text.slice(0, at) + text.slice(from, from + 1 + Math.floor(random() * 8)) + text.slice(at);
    }
    default:
      return text.slice(0, at) + text.slice(at).replace(/[a-z]/, (c) => c.toUpperCase());
  }
}

test('reads every generated plain document itself, into the tree the general path reads', () => {
  const random = seeded(2026);
  for (let i = 0; i < 3_000; i++) {
    const text = plainDocument(random);
    const expected = general(text);
    const plain = parsePlainXml(text);
    if (!expected.ok) {
      // Only an undeclared prefix (declared on a sibling, not an ancestor) makes a generated document wrong.
      assert.equal(plain, undefined, text);
      continue;
    }
    assert.ok(plain, `not read as plain: ${text}`);
    assert.deepStrictEqual(plain, expected.root, text);
  }
});

test('a mutated document is read as the general path reads it or refuses it, whether plain or not', () => {
  const random = seeded(18);
  let plain = 0;
  let other = 0;
  for (let i = 0; i < 10_000; i++) {
    let text = plainDocument(random);
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) text = mutated(random, text);
    const read = parseXmlTree(text);
    assert.deepStrictEqual(read, general(text), text);
    if (read.ok && parsePlainXml(text) !== undefined) plain++;
    else other++;
  }
  assert.ok(plain > 1_000 && other > 1_000, `${plain} read as plain, ${other} not`);
});

test("a catalogue interface's SOAP request is read as plain; comments, CDATA and references go the general way", () => {
  const request = soapRequest(interfaceById('IF_10110')!, { supplyPointId: '0300001234567890123456' });
  assert.ok(parsePlainXml(request));
  assert.deepStrictEqual(parseXmlTree(request), general(request));
  for (const text of [
    '<a><!-- c -->x</a>',
    '<a><![CDATA[<x>]]></a>',
    '<a>&amp;</a>',
    '<a>&#x41;</a>',
    '<a><?pi x?></a>',
    '<a>x\r\ny</a>',
    '<a b="1" b="2"/>',
    '<a>1 > 0</a>',
    '<k:a/>',
    '<a/><b/>',
    '<a>',
    '<__proto__/>',
    '<名前/>',
  ]) {
    assert.equal(parsePlainXml(text), undefined, text);
    assert.deepStrictEqual(parseXmlTree(text), general(text), text);
  }
});
