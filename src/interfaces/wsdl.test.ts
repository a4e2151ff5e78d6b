import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { interfaces } from './catalogue/catalogue.ts';
import { wsdlDocument } from './wsdl.ts';

type Node = Record<string, any>;
const asList = (v: unknown): Node[] => (Array.isArray(v) ? v : v === undefined ? [] : [v as Node]);

describe('WSDL document', () => {
  const text = wsdlDocument('https://hub.example:8443/');
  const wsdl = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: () => false }).parse(text)['wsdl:definitions'] as Node;

  it('is well-formed XML', () => {
    assert.equal(XMLValidator.validate(text), true);
  });

  it('has one operation per interface in the port type and the SOAP binding', () => {
    const ids = interfaces.map((d) => d.id);
    const portOps = asList(wsdl['wsdl:portType']['wsdl:operation']);
    const bindingOps = asList(wsdl['wsdl:binding']['wsdl:operation']);
    assert.deepEqual(
      portOps.map((o) => o['@name']),
      ids,
    );
    assert.deepEqual(
      bindingOps.map((o) => o['@name']),
      ids,
    );
    assert.equal(bindingOps[0]!['soap:operation']['@soapAction'], 'urn:kirikae:v1:IF_10110');
    assert.equal(wsdl['wsdl:binding']['soap:binding']['@style'], 'document');
  });

  it('gives each interface its own endpoint under the base URL', () => {
    const ports = asList(wsdl['wsdl:service']['wsdl:port']);
    assert.equal(ports.length, interfaces.length);
    assert.equal(ports[0]!['soap:address']['@location'], 'https://hub.example:8443/soap/IF_10110');
  });

  it('declares the request and response element of every message in the embedded schema', () => {
    const schema = wsdl['wsdl:types']['xs:schema'];
    const elements = new Set(asList(schema['xs:element']).map((e) => e['@name']));
    for (const message of asList(wsdl['wsdl:message'])) {
      const element = String(message['wsdl:part']['@element']).replace(/^k:/, '');
      assert.ok(elements.has(element), element);
    }
    assert.equal(asList(wsdl['wsdl:message']).length, interfaces.length * 2 + 1);
  });

  it('declares the Refusal fault of every operation, and states the envelope and namespace rules', () => {
    for (const op of asList(wsdl['wsdl:portType']['wsdl:operation'])) assert.equal(op['wsdl:fault']['@message'], 'k:Refusal', op['@name']);
    for (const op of asList(wsdl['wsdl:binding']['wsdl:operation'])) assert.equal(op['wsdl:fault']['soap:fault']['@use'], 'literal', op['@name']);
    assert.match(String(wsdl['wsdl:documentation']), /VersionMismatch.*IF_SOAP_NAMESPACE/s);
  });

  it('states the character repertoire of every text element', () => {
    assert.match(
      text,
      /<xs:element name="customerName" minOccurs="0" maxOccurs="1"><xs:annotation><xs:documentation xml:lang="ja">需要者名（漢字） 使用できる文字: Windows-31J/,
    );
    assert.match(text, /<xs:element name="customerNameKana"[^>]*><xs:annotation><xs:documentation xml:lang="ja">需要者名（カナ）[^<]*NFKC/);
  });

  it('declares every code table and named type it refers to', () => {
    const schema = wsdl['wsdl:types']['xs:schema'];
    const named = new Set([...asList(schema['xs:simpleType']), ...asList(schema['xs:complexType'])].map((t) => t['@name']));
    const schemaText = text.slice(text.indexOf('<xs:schema'), text.indexOf('</xs:schema>'));
    const referred = [...schemaText.matchAll(/ type="k:([A-Za-z]+)"/g)].map((m) => m[1]!);
    for (const name of new Set(referred)) assert.ok(named.has(name), name);
    assert.ok(named.has('UpdateFlag') && named.has('MoveOutKind') && named.has('SupplyPointId'));
  });
});
