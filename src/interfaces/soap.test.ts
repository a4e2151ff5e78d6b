import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { interfaceById, interfaces } from './catalogue/catalogue.ts';
import { exampleValues } from './examples.ts';
import type { InterfaceResponse } from './message.ts';
import { parseSoapRequest, parseSoapResponse, readSoapBody, soapEnvelopeNamespace, soapFault, soapRequest, soapResponse } from './soap.ts';

const facility = interfaceById('IF_10110')!;
const usage = interfaceById('IF_10310')!;
const passwordApplication = interfaceById('IF_10210')!;

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

describe('SOAP binding', () => {
  it("reads a request as a retailer's system writes it, normalising like JSON", () => {
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
        messages: [
          { code: 'GRID_NOTICE', text: '注意 <&> "事項"', field: 'supplyPointId' },
          { code: 'X', text: 'y' },
        ],
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
    const xml = soapResponse(usage, {
      result: 'OK',
      messages: [],
      data: { supplyPointId: '0300001234567890123456', monthlyUsage: [{ month: '2016-03', from: '2016-02-05', to: '2016-03-06', kWh: 300 }] },
    });
    const parsed = parseSoapResponse(usage, xml);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.data, {
      supplyPointId: '0300001234567890123456',
      monthlyUsage: [{ month: '2016-03', from: '2016-02-05', to: '2016-03-06', kWh: 300 }],
    });
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
    assert.deepEqual(
      result.messages.map((m) => m.code),
      ['IF_REQUIRED'],
    );
  });

  it("refuses as a fault a document that is not this interface's request", () => {
    const other = parseSoapRequest(facility, envelope('<k:IF_10310Request xmlns:k="urn:kirikae:v1"/>'));
    assert.ok(!other.ok);
    assert.equal(other.fault, true);
    assert.equal(other.messages[0]?.code, 'IF_SOAP_WRONG_OPERATION');
    for (const xml of [
      '<a/>',
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/></soap:Envelope>',
      envelope(''),
      envelope('<a/><b/>'),
      envelope('<a/><a/>'),
    ]) {
      const result = parseSoapRequest(facility, xml);
      assert.ok(!result.ok && result.fault, xml);
      assert.equal(result.messages[0]?.code, 'IF_SOAP_NOT_ENVELOPE', xml);
    }
  });

  it('refuses hostile XML as a fault before looking for the interface', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      envelope('<k:IF_10110Request xmlns:k="urn:kirikae:v1"><k:supplyPointId>&xxe;</k:supplyPointId></k:IF_10110Request>');
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
    assert.match(
      xml,
      /<faultcode>soap:Client<\/faultcode><faultstring xml:lang="ja">XML文書の大きさが上限（256 KiB）を超えています。&lt;&amp;&gt;<\/faultstring>/,
    );
    assert.match(xml, /<detail><k:refusal xmlns:k="urn:kirikae:v1"><k:code>IF_XML_TOO_LARGE<\/k:code><\/k:refusal><\/detail>/);
    assert.match(soapFault('HTTP_INTERNAL', 'x', 'soap:Server'), /<faultcode>soap:Server<\/faultcode>/);
    assert.deepEqual(parseSoapResponse(facility, xml), {
      ok: true,
      value: { result: 'NG', messages: [{ code: 'IF_XML_TOO_LARGE', text: 'XML文書の大きさが上限（256 KiB）を超えています。<&>' }] },
    });
  });

  describe('a lax envelope is refused as a fault with a code', () => {
    const request = '<k:IF_10110Request xmlns:k="urn:kirikae:v1"><k:supplyPointId>0300001234567890123456</k:supplyPointId></k:IF_10110Request>';
    const faultOf = (xml: string) => {
      const result = parseSoapRequest(facility, xml);
      assert.ok(!result.ok && result.fault, `expected a fault: ${JSON.stringify(result)}`);
      return { code: result.messages[0]?.code, faultcode: result.faultcode, text: result.messages[0]?.text ?? '' };
    };

    it('answers a SOAP 1.2 envelope with VersionMismatch (SOAP 1.1 §4.4.1, SOAP 1.2 appendix A)', () => {
      const soap12 = `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>${request}</env:Body></env:Envelope>`;
      const fault = faultOf(soap12);
      assert.deepEqual([fault.code, fault.faultcode], ['IF_SOAP_VERSION_MISMATCH', 'soap:VersionMismatch']);
      assert.match(fault.text, /http:\/\/www\.w3\.org\/2003\/05\/soap-envelope/);
      const xml = soapFault(fault.code!, fault.text, fault.faultcode);
      assert.match(xml, /<faultcode>soap:VersionMismatch<\/faultcode>/);
      assert.match(
        xml,
        /^<\?xml version="1.0" encoding="UTF-8"\?><soap:Envelope xmlns:soap="http:\/\/schemas.xmlsoap.org\/soap\/envelope\/">/,
        'a SOAP 1.1 fault',
      );
    });

    it('refuses an envelope in no namespace, or in another, as not SOAP 1.1', () => {
      for (const xml of [`<Envelope><Body>${request}</Body></Envelope>`, `<e:Envelope xmlns:e="urn:evil"><e:Body>${request}</e:Body></e:Envelope>`]) {
        const fault = faultOf(xml);
        assert.deepEqual([fault.code, fault.faultcode], ['IF_SOAP_VERSION_MISMATCH', 'soap:VersionMismatch'], xml);
      }
    });

    it('refuses a Body or Header outside the SOAP 1.1 namespace', () => {
      const fault = faultOf(`<soap:Envelope xmlns:soap="${soapEnvelopeNamespace}"><Body>${request}</Body></soap:Envelope>`);
      assert.deepEqual([fault.code, fault.faultcode], ['IF_SOAP_NAMESPACE', 'soap:Client']);
      assert.equal(
        faultOf(`<soap:Envelope xmlns:soap="${soapEnvelopeNamespace}"><h:Header xmlns:h="urn:evil"/><soap:Body>${request}</soap:Body></soap:Envelope>`).code,
        'IF_SOAP_NAMESPACE',
      );
    });

    it('refuses the request element in no namespace or a foreign one', () => {
      for (const payload of [
        '<IF_10110Request><supplyPointId>0300001234567890123456</supplyPointId></IF_10110Request>',
        '<e:IF_10110Request xmlns:e="urn:evil"><e:supplyPointId>0300001234567890123456</e:supplyPointId></e:IF_10110Request>',
      ]) {
        const fault = faultOf(envelope(payload));
        assert.deepEqual([fault.code, fault.faultcode], ['IF_SOAP_NAMESPACE', 'soap:Client'], payload);
        assert.match(fault.text, /IF_10110Request.*urn:kirikae:v1/);
      }
    });

    it('refuses a field element outside our namespace, naming its path (the WSDL\'s elementFormDefault="qualified")', () => {
      const fault = faultOf(
        envelope('<k:IF_10110Request xmlns:k="urn:kirikae:v1"><supplyPointId xmlns="urn:evil">0300001234567890123456</supplyPointId></k:IF_10110Request>'),
      );
      assert.equal(fault.code, 'IF_SOAP_NAMESPACE');
      assert.match(fault.text, /「IF_10110Request\.supplyPointId」.*urn:evil/);
    });

    it('takes a request in the default namespace, as many toolkits write it', () => {
      const xml = envelope('<IF_10110Request xmlns="urn:kirikae:v1"><supplyPointId>0300001234567890123456</supplyPointId></IF_10110Request>');
      assert.deepEqual(parseSoapRequest(facility, xml), { ok: true, value: { supplyPointId: '0300001234567890123456' } });
    });
  });

  it("refuses a value whose bytes are not UTF-8 as that field's (an NG response, not a fault), never storing U+FFFD", () => {
    const def = interfaceById('IF_10610')!;
    const values = {
      requestId: 'r1',
      updateFlag: '1',
      supplyPointId: '0300001234567890123456',
      customerNameKana: 'ヤマダ',
      customerName: '山XX田',
      currentRetailerCode: '10013',
    };
    const text = soapRequest(def, values);
    const at = Buffer.from(text.slice(0, text.indexOf('XX')));
    const bytes = Buffer.concat([at, Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(text.indexOf('XX') + 2))]);
    const result = parseSoapRequest(def, bytes);
    assert.ok(!result.ok);
    assert.equal(result.fault, false);
    assert.deepEqual(
      result.messages.map((m) => [m.field, m.code]),
      [['customerName', 'IF_ENCODING_INVALID']],
    );
  });

  it('reads numerals of number fields as numbers (XML carries text; the catalogue types it)', () => {
    const participants = interfaceById('IS_30110')!;
    const xml = envelope('<k:IS_30110Request xmlns:k="urn:kirikae:v1"><k:page> 2 </k:page><k:pageSize>５</k:pageSize></k:IS_30110Request>');
    assert.deepEqual(parseSoapRequest(participants, xml), { ok: true, value: { page: 2, pageSize: 5 } });
  });
});
