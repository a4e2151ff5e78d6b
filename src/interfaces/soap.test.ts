import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { interfaceById, interfaces } from './catalogue/catalogue.ts';
import { exampleValues } from './examples.ts';
import type { InterfaceResponse } from './message.ts';
import { parseSoapRequest, parseSoapResponse, readSoapBody, soapFault, soapRequest, soapResponse } from './soap.ts';

const facility = interfaceById('IF_10110')!;
const usage = interfaceById('IF_10310')!;
const passwordApplication = interfaceById('IF_10210')!;

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

describe('SOAP binding', () => {
  it('reads a request as a retailer\'s system writes it, normalising like JSON', () => {
    const xml = envelope(
      '<k:IF_10110Request xmlns:k="urn:kirikae:v1">\n  <k:supplyPointId>０３００-００１２-３４５６-７８９０-１２３４-５６</k:supplyPointId>\n</k:IF_10110Request>',
    );
    assert.deepEqual(parseSoapRequest(facility, xml), { ok: true, value: { supplyPointId: '0300001234567890123456' } });
  });

  it('round-trips the example request of every interface', () => {
    for (const def of interfaces) {
      const values = exampleValues(def.request);
      const xml = soapRequest(def, values);
      assert.equal(XMLValidator.validate(xml), true, def.id);
      assert.deepEqual(parseSoapRequest(def, xml), { ok: true, value: values }, def.id);
    }
  });

  it('round-trips the example response of every interface, messages and remarks included', () => {
    for (const def of interfaces) {
      const response: InterfaceResponse = {
        result: 'OK',
        messages: [{ code: 'GRID_NOTICE', text: '注意 <&> "事項"', field: 'supplyPointId' }, { code: 'X', text: 'y' }],
        remarks: '午前中に伺います。\n立会いをお願いします。',
        data: exampleValues(def.response),
      };
      const xml = soapResponse(def, response);
      assert.equal(XMLValidator.validate(xml), true, def.id);
      assert.deepEqual(parseSoapResponse(def, xml), { ok: true, value: response }, def.id);
    }
  });

  it('writes a response with result, messages, remarks and data in that order', () => {
    const xml = soapResponse(usage, {
      result: 'OK',
      messages: [],
      data: { supplyPointId: '0300001234567890123456', halfHourly: [{ slot: 1, kWh: 0.2 }], internal: 'secret' },
    });
    assert.match(
      xml,
      /<k:IF_10310Response xmlns:k="urn:kirikae:v1"><k:result>OK<\/k:result><k:messages><\/k:messages><k:data><k:supplyPointId>0300001234567890123456<\/k:supplyPointId><k:halfHourly><k:slot>1<\/k:slot><k:kWh>0.2<\/k:kWh><\/k:halfHourly><\/k:data><\/k:IF_10310Response>/,
    );
    assert.doesNotMatch(xml, /secret/, 'fields the interface does not define are left out');
  });

  it('makes a repeated field that occurs once a list, and a group from nested elements', () => {
    const xml = soapResponse(usage, { result: 'OK', messages: [], data: { supplyPointId: '0300001234567890123456', monthlyUsage: [{ month: '2016-03', from: '2016-02-05', to: '2016-03-06', kWh: 300 }] } });
    const parsed = parseSoapResponse(usage, xml);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.data, { supplyPointId: '0300001234567890123456', monthlyUsage: [{ month: '2016-03', from: '2016-02-05', to: '2016-03-06', kWh: 300 }] });
  });

  it('reads one empty element of a repeated field as none', () => {
    const xml = envelope(
      '<k:IF_10310Response xmlns:k="urn:kirikae:v1"><k:result>OK</k:result><k:messages/><k:data>' +
        '<k:supplyPointId>0300001234567890123456</k:supplyPointId><k:monthlyUsage/></k:data></k:IF_10310Response>',
    );
    assert.deepEqual(parseSoapResponse(usage, xml), { ok: true, value: { result: 'OK', messages: [], data: { supplyPointId: '0300001234567890123456' } } });
  });

  it('answers field refusals as an NG response, not a fault, with dotted paths', () => {
    const xml = envelope(
      '<k:IF_10210Request xmlns:k="urn:kirikae:v1"><k:requestId>r1</k:requestId><k:supplyPointId>0300001234567890123456</k:supplyPointId>' +
        '<k:customerNameKana>ヤマダ</k:customerNameKana><k:address><k:prefecture>東京都</k:prefecture><k:city/></k:address>' +
        '<k:consentDate>2016-04-01</k:consentDate><k:consentDate>2016-04-02</k:consentDate><k:nickname>x</k:nickname></k:IF_10210Request>',
    );
    const result = parseSoapRequest(passwordApplication, xml);
    assert.ok(!result.ok);
    assert.equal(result.fault, false);
    assert.deepEqual(
      result.messages.map((m) => [m.field, m.code]),
      [
        ['nickname', 'IF_UNKNOWN_FIELD'],
        ['address.city', 'IF_REQUIRED'],
        ['address.street', 'IF_REQUIRED'],
        ['consentDate', 'IF_TYPE'],
      ],
    );
  });

  it('treats an empty request element as a request without fields', () => {
    const result = parseSoapRequest(facility, envelope('<k:IF_10110Request xmlns:k="urn:kirikae:v1"/>'));
    assert.ok(!result.ok);
    assert.deepEqual(result.messages.map((m) => m.code), ['IF_REQUIRED']);
  });

  it('refuses as a fault a document that is not this interface\'s request', () => {
    const other = parseSoapRequest(facility, envelope('<k:IF_10310Request xmlns:k="urn:kirikae:v1"/>'));
    assert.ok(!other.ok);
    assert.equal(other.fault, true);
    assert.equal(other.messages[0]?.code, 'IF_SOAP_WRONG_OPERATION');
    for (const xml of ['<a/>', '<Envelope><Header/></Envelope>', envelope(''), envelope('<a/><b/>'), envelope('<a/><a/>')]) {
      const result = parseSoapRequest(facility, xml);
      assert.ok(!result.ok && result.fault, xml);
      assert.equal(result.messages[0]?.code, 'IF_SOAP_NOT_ENVELOPE', xml);
    }
  });

  it('refuses hostile XML as a fault before looking for the interface', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + envelope('<k:IF_10110Request xmlns:k="urn:kirikae:v1"><k:supplyPointId>&xxe;</k:supplyPointId></k:IF_10110Request>');
    const result = parseSoapRequest(facility, xxe);
    assert.ok(!result.ok && result.fault);
    assert.equal(result.messages[0]?.code, 'IF_XML_DTD_FORBIDDEN');
  });

  it('tells the body element for dispatching on one endpoint', () => {
    const body = readSoapBody(soapRequest(facility, { supplyPointId: '0300001234567890123456' }));
    assert.ok(body.ok);
    assert.equal(body.element, 'IF_10110Request');
  });

  it('writes a fault with the Japanese text and the stable code, and reads it back as NG', () => {
    const xml = soapFault('IF_XML_TOO_LARGE', 'XML文書の大きさが上限（256 KiB）を超えています。<&>');
    assert.equal(XMLValidator.validate(xml), true);
    assert.match(xml, /<faultcode>soap:Client<\/faultcode><faultstring xml:lang="ja">XML文書の大きさが上限（256 KiB）を超えています。&lt;&amp;&gt;<\/faultstring>/);
    assert.match(xml, /<detail><k:refusal xmlns:k="urn:kirikae:v1"><k:code>IF_XML_TOO_LARGE<\/k:code><\/k:refusal><\/detail>/);
    assert.match(soapFault('HTTP_INTERNAL', 'x', 'soap:Server'), /<faultcode>soap:Server<\/faultcode>/);
    assert.deepEqual(parseSoapResponse(facility, xml), {
      ok: true,
      value: { result: 'NG', messages: [{ code: 'IF_XML_TOO_LARGE', text: 'XML文書の大きさが上限（256 KiB）を超えています。<&>' }] },
    });
  });
});
