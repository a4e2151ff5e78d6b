import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { UndecodableText } from './undecodable.ts';
import { escapeXml, parseXml, parseXmlTree, xmlLimits, type XmlElement, type XmlNode, type XmlParse } from './xml.ts';

function refusedWith(result: XmlParse): string {
  assert.equal(result.ok, false, 'expected a refusal');
  return result.ok ? '' : result.messages.map((m) => m.code).join(',');
}

/** Parses and says how long it took: hostile documents must be refused at once, not after expanding. */
function timed(input: string | Uint8Array): { result: XmlParse; ms: number } {
  const start = performance.now();
  const result = parseXml(input);
  return { result, ms: performance.now() - start };
}

const billionLaughs =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
  ']><lolz>&lol9;</lolz>';

describe('parseXml', () => {
  it('reads elements by local name, keeping values as strings', () => {
    const result = parseXml('<?xml version="1.0" encoding="UTF-8"?><k:a xmlns:k="urn:x" k:attr="1"><k:b> 007 </k:b><k:c/><k:d>1</k:d><k:d>2</k:d></k:a>');
    assert.deepEqual(result, { ok: true, value: { a: { b: '007', c: '', d: ['1', '2'] } } });
  });

  it('decodes the predefined entities and numeric character references, and leaves CDATA as written', () => {
    const result = parseXml('<a><b>A &amp; B &lt;C&gt; &quot;&apos;</b><c>&#x3042;&#12354;</c><d><![CDATA[&amp; <x>]]></d></a>');
    assert.deepEqual(result, { ok: true, value: { a: { b: 'A & B <C> "\'', c: 'ああ', d: '&amp; <x>' } } });
  });

  it('refuses the billion laughs at once, without expanding anything', () => {
    const { result, ms } = timed(billionLaughs);
    assert.equal(refusedWith(result), 'IF_XML_DTD_FORBIDDEN');
    assert.ok(ms < 200, `took ${ms} ms`);
  });

  it('refuses an external entity (XXE) without reading the file', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>';
    const { result, ms } = timed(xxe);
    assert.equal(refusedWith(result), 'IF_XML_DTD_FORBIDDEN');
    assert.doesNotMatch(JSON.stringify(result), /root:/);
    assert.ok(ms < 200, `took ${ms} ms`);
  });

  it('refuses a DOCTYPE in any case and anywhere, even without entities', () => {
    assert.equal(refusedWith(parseXml('<!doctype html><a/>')), 'IF_XML_DTD_FORBIDDEN');
    assert.equal(refusedWith(parseXml('<a><!ENTITY x "y"></a>')), 'IF_XML_DTD_FORBIDDEN');
  });

  it('refuses a 10 MB document before parsing it', () => {
    const big = `<a>${'x'.repeat(10 * 1024 * 1024)}</a>`;
    const { result, ms } = timed(big);
    assert.equal(refusedWith(result), 'IF_XML_TOO_LARGE');
    assert.ok(ms < 200, `took ${ms} ms`);
    assert.equal(refusedWith(parseXml(Buffer.from(big))), 'IF_XML_TOO_LARGE');
  });

  it('counts the limit in bytes: multi-byte text just under it in characters is too large', () => {
    const text = `<a>${'あ'.repeat(xmlLimits.maxBytes / 2)}</a>`;
    assert.ok(text.length < xmlLimits.maxBytes);
    assert.equal(refusedWith(parseXml(text)), 'IF_XML_TOO_LARGE');
  });

  it('refuses 10,000-deep nesting quickly', () => {
    const deep = '<a>'.repeat(10_000) + '</a>'.repeat(10_000);
    const { result, ms } = timed(deep);
    assert.equal(refusedWith(result), 'IF_XML_TOO_DEEP');
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  it('counts depth by real elements only: not self-closed ones, comments, CDATA or quoted ">"', () => {
    const open = (n: number) => Array.from({ length: n }, (_, i) => `<e${i} x="a>b" y='/>'>`).join('');
    const close = (n: number) => Array.from({ length: n }, (_, i) => `</e${n - 1 - i}>`).join('');
    const noise = '<s/><!-- <a><b><c> --><![CDATA[<a><b>]]><?pi <a>?>'.repeat(40);
    const deepest = open(xmlLimits.maxDepth) + noise + close(xmlLimits.maxDepth);
    assert.equal(parseXml(deepest).ok, true);
    const tooDeep = open(xmlLimits.maxDepth + 1) + close(xmlLimits.maxDepth + 1);
    assert.equal(refusedWith(parseXml(tooDeep)), 'IF_XML_TOO_DEEP');
  });

  it('refuses malformed XML with where it went wrong', () => {
    const result = parseXml('<a>\n<b></a>');
    assert.equal(refusedWith(result), 'IF_XML_MALFORMED');
    assert.match(result.ok ? '' : result.messages[0]!.text, /2行目/);
    assert.equal(refusedWith(parseXml('not xml')), 'IF_XML_MALFORMED');
    assert.equal(refusedWith(parseXml('')), 'IF_XML_MALFORMED');
    assert.equal(refusedWith(parseXml('<a>x & y</a>')), 'IF_XML_MALFORMED');
  });

  it('refuses what is not well-formed with namespaces: two roots, text or a second element outside the root, a repeated attribute, an unclosed comment, a bad declaration, a prefix bound to nothing', () => {
    for (const doc of [
      '<a/><b/>',
      '<a/>text',
      'text<a/>',
      '<a x="1" x="2"/>',
      '<a><!-- no end </a>',
      '<?xml version="2.0"?><a/>',
      '<a xmlns:p=""><p:b/></a>',
      '<a></A>',
      '<a b=1/>',
      '<1a/>',
    ]) {
      assert.equal(refusedWith(parseXml(doc)), 'IF_XML_MALFORMED', doc);
    }
  });

  it('reads text around comments and processing instructions as one trimmed value, CDATA as written', () => {
    const result = parseXml('<a><b> x <!-- c --> y <?pi z?></b><c><![CDATA[ kept ]]></c></a>');
    assert.deepEqual(result, { ok: true, value: { a: { b: 'xy', c: ' kept ' } } });
  });

  it('refuses undeclared entities and references to characters XML cannot carry', () => {
    assert.equal(refusedWith(parseXml('<a>&nbsp;</a>')), 'IF_XML_ENTITY');
    assert.equal(refusedWith(parseXml('<a>&#0;</a>')), 'IF_XML_ENTITY');
    assert.equal(refusedWith(parseXml('<a>&#xD800;</a>')), 'IF_XML_ENTITY');
  });

  it('refuses an element name that would pollute prototypes', () => {
    assert.equal(refusedWith(parseXml('<a><__proto__><polluted>1</polluted></__proto__></a>')), 'IF_XML_MALFORMED');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses encodings other than UTF-8, declared or found', () => {
    const sjis = parseXml('<?xml version="1.0" encoding="Shift_JIS"?><a/>');
    assert.equal(refusedWith(sjis), 'IF_XML_ENCODING');
    assert.match(sjis.ok ? '' : sjis.messages[0]!.text, /Shift_JIS/);
    // "<あ/>" in Shift_JIS: 0x82 0xA0 is not UTF-8, in markup
    assert.equal(refusedWith(parseXml(new Uint8Array([0x3c, 0x82, 0xa0, 0x2f, 0x3e]))), 'IF_XML_ENCODING');
    assert.deepEqual(parseXml(new TextEncoder().encode('\ufeff<a>あ</a>')), { ok: true, value: { a: 'あ' } });
  });
});

describe('parseXml: namespaces and bytes that are not UTF-8', () => {
  it("resolves each element's namespace: prefixed, default, redeclared, and none", () => {
    const tree = parseXmlTree('<s:E xmlns:s="urn:s"><B xmlns="urn:d"><c/><s:d/><x:e xmlns:x="urn:x"/><f xmlns=""/></B></s:E>');
    assert.ok(tree.ok);
    const names = (n: XmlNode): string[] => [`${n.name}@${n.namespace}`, ...n.children.flatMap(names)];
    assert.deepEqual(names(tree.root), ['E@urn:s', 'B@urn:d', 'c@urn:d', 'd@urn:s', 'e@urn:x', 'f@']);
  });

  it('refuses an element whose prefix was never declared', () => {
    const result = parseXml('<a><evil:b>1</evil:b></a>');
    assert.equal(refusedWith(result), 'IF_XML_MALFORMED');
    assert.match(result.ok ? '' : result.messages[0]!.text, /名前空間接頭辞「evil」が宣言されていません/);
  });

  it('reads a value whose bytes are not UTF-8 as UndecodableText, never as U+FFFD', () => {
    const bytes = Buffer.concat([Buffer.from('<a><name>山'), Buffer.from([0xff, 0xfe]), Buffer.from('田</name><ok>花子</ok></a>')]);
    const result = parseXml(bytes);
    assert.ok(result.ok);
    const a = result.value.a as XmlElement;
    assert.ok(a.name instanceof UndecodableText);
    assert.equal(a.ok, '花子');
    assert.doesNotMatch(JSON.stringify(result.value), /\ufffd/);
  });
});

describe('escapeXml', () => {
  it('escapes markup and replaces characters XML cannot carry, so output is always well-formed', () => {
    const text = 'A&B <c> "d" \'e\' \u0000\u0007 \ud800 ok';
    const escaped = escapeXml(text);
    assert.equal(escaped, 'A&amp;B &lt;c&gt; &quot;d&quot; &apos;e&apos; \ufffd\ufffd \ufffd ok');
    assert.equal(XMLValidator.validate(`<a x="${escaped}">${escaped}</a>`), true);
    assert.equal(escapeXml('𠮷野家'), '𠮷野家');
  });
});
