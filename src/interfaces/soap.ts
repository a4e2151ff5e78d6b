/**
 * The SOAP 1.1 binding (document/literal), as the real system exchanges messages (SYSTEM.md §4).
 *
 * Request, for interface IF_10110 (`POST /soap/IF_10110`):
 *
 *   <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
 *     <k:IF_10110Request xmlns:k="urn:kirikae:v1"><k:supplyPointId>0300…</k:supplyPointId></k:IF_10110Request>
 *   </soap:Body></soap:Envelope>
 *
 * One child element per field, named by its identifier; a repeated field is repeated elements, a
 * group an element with child elements. The response is `<k:IF_10110Response>` with `<k:result>`,
 * `<k:messages>` (`<k:message><k:code/><k:text/><k:field/></k:message>`…), `<k:remarks>` and
 * `<k:data>` holding the response fields the same way. wsdl.ts describes exactly this.
 *
 * Refusals of the request's fields are an ordinary response with result NG and the messages, as
 * in JSON. A SOAP Fault is for what is not a usable request at all: a document that is not XML,
 * is hostile, too large, not a SOAP 1.1 envelope (a SOAP 1.2 one gets faultcode VersionMismatch),
 * has its request or any element in it outside `urn:kirikae:v1`, or is not this interface's
 * request (`fault: true` in the parse result), and for the refusals of the transport (respond.ts).
 */
import type { MessageCode } from '../domain/messages.ts';
import { Refusal } from '../domain/refusal.ts';
import type { Field, InterfaceDefinition } from './catalogue/types.ts';
import type { InterfaceResponse, ReceptionMessage } from './message.ts';
import { pick } from './present.ts';
import { UndecodableText } from './undecodable.ts';
import { numberFromText, validateRequest, validateResponseData, type FieldValues, type Validation } from './validate.ts';
import { elementOf, escapeXml, parseXmlTree, type XmlElement, type XmlNode, type XmlValue } from './xml.ts';

export const kirikaeNamespace = 'urn:kirikae:v1';
export const soapEnvelopeNamespace = 'http://schemas.xmlsoap.org/soap/envelope/';
/** A SOAP 1.2 envelope: answered with a SOAP 1.1 VersionMismatch fault (SOAP 1.2 Part 1, appendix A). */
export const soap12EnvelopeNamespace = 'http://www.w3.org/2003/05/soap-envelope';

/** The SOAPAction of an interface, as the WSDL declares it. */
export const soapActionOf = (def: InterfaceDefinition) => `${kirikaeNamespace}:${def.id}`;

/**
 * SOAP 1.1 §4.4.1: VersionMismatch for an Envelope in another namespace than SOAP 1.1's (a SOAP 1.2
 * envelope, or none); Client for any other document that is not a usable request; Server for ours.
 */
export type SoapFaultCode = 'soap:VersionMismatch' | 'soap:Client' | 'soap:Server';

export type SoapRequestParse =
  | { readonly ok: true; readonly value: FieldValues }
  /** fault: the document itself is unusable (answer with soapFault and faultcode); else answer soapResponse NG. */
  | { readonly ok: false; readonly messages: ReceptionMessage[]; readonly fault: false }
  | { readonly ok: false; readonly messages: ReceptionMessage[]; readonly fault: true; readonly faultcode: SoapFaultCode };

type SoapBody =
  | { readonly ok: true; readonly element: string; readonly node: XmlNode; readonly content: XmlValue }
  | { readonly ok: false; readonly messages: ReceptionMessage[]; readonly faultcode: SoapFaultCode };

function refused(code: MessageCode, params: Record<string, string | number> = {}, faultcode: SoapFaultCode = 'soap:Client') {
  return { ok: false as const, messages: [new Refusal(code, { params }).toDetail()], faultcode };
}

const noNamespace = 'なし';

/**
 * The first element of the SOAP Body: its local name and content, for dispatch or parsing. The
 * Envelope must be SOAP 1.1's (else VersionMismatch), its Header and Body in the same namespace.
 */
export function readSoapBody(xml: string | Uint8Array): SoapBody {
  const parsed = parseXmlTree(xml);
  if (!parsed.ok) return { ...parsed, faultcode: 'soap:Client' };
  const envelope = parsed.root;
  if (envelope.name !== 'Envelope') return notEnvelope();
  if (envelope.namespace !== soapEnvelopeNamespace) {
    return refused('IF_SOAP_VERSION_MISMATCH', { namespace: (envelope.namespace || noNamespace).slice(0, 100) }, 'soap:VersionMismatch');
  }
  for (const part of envelope.children) {
    if ((part.name === 'Header' || part.name === 'Body') && part.namespace !== soapEnvelopeNamespace)
      return wrongNamespace(part.name, part, soapEnvelopeNamespace);
  }
  const bodies = envelope.children.filter((c) => c.name === 'Body');
  const body = bodies[0];
  if (bodies.length !== 1 || !body || body.text !== '') return notEnvelope();
  const [payload, ...others] = body.children;
  if (payload === undefined || others.length > 0) return notEnvelope();
  return { ok: true, element: payload.name, node: payload, content: elementOf(payload) };
}

function notEnvelope() {
  return refused('IF_SOAP_NOT_ENVELOPE');
}

function wrongNamespace(element: string, node: XmlNode, expected: string) {
  return refused('IF_SOAP_NAMESPACE', { element: element.slice(0, 100), expected, namespace: (node.namespace || noNamespace).slice(0, 100) });
}

/** The first element at or below the payload that is not in our namespace, with its dotted path. */
function foreignElement(node: XmlNode, path: string): { path: string; node: XmlNode } | undefined {
  if (node.namespace !== kirikaeNamespace) return { path, node };
  for (const child of node.children) {
    const found = foreignElement(child, `${path}.${child.name}`);
    if (found) return found;
  }
  return undefined;
}

function isElement(value: XmlValue | undefined): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof UndecodableText);
}

/**
 * A SOAP request for this interface, validated: the same value validateRequest gives for JSON.
 * The request element and every element inside it are in `urn:kirikae:v1` (the WSDL's
 * elementFormDefault="qualified"); an element in no namespace or another is a fault.
 */
export function parseSoapRequest(def: InterfaceDefinition, xml: string | Uint8Array): SoapRequestParse {
  const body = readSoapBody(xml);
  if (!body.ok) return { ...body, fault: true };
  const expected = `${def.id}Request`;
  if (body.element !== expected) {
    return { ...refused('IF_SOAP_WRONG_OPERATION', { element: body.element.slice(0, 60), expected }), fault: true };
  }
  const foreign = foreignElement(body.node, body.element);
  if (foreign) return { ...wrongNamespace(foreign.path, foreign.node, kirikaeNamespace), fault: true };
  const result = validateRequest(def, fromXml(def.request, body.content === '' ? {} : body.content));
  return result.ok ? result : { ...result, fault: false };
}

/**
 * Parsed XML as the validator takes it: repeated fields become arrays even when they occur once,
 * groups are converted inside, numerals of number fields become numbers (XML carries only text).
 * Unknown elements pass through, so the validator names them; an element that occurs twice for a
 * single field stays an array, which the validator refuses.
 */
function fromXml(fields: readonly Field[], node: XmlValue): unknown {
  if (!isElement(node)) return node;
  const byId = new Map(fields.map((f) => [f.id, f]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const field = byId.get(key);
    if (!field) {
      out[key] = value;
      continue;
    }
    const convert = (v: XmlValue): unknown =>
      field.type === 'group' && v !== '' ? fromXml(field.fields, v) : typeof v === 'string' ? numberFromText(field, v) : v;
    if (field.repeated && value === '')
      out[key] = []; // one empty element: none
    else if (Array.isArray(value)) out[key] = value.map(convert);
    else out[key] = field.repeated ? [convert(value)] : convert(value);
  }
  return out;
}

const envelopeStart = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${soapEnvelopeNamespace}"><soap:Body>`;
const envelopeEnd = '</soap:Body></soap:Envelope>';

/** Child elements for the defined fields of `values`, in definition order; anything else is left out. */
export function fieldsToXml(fields: readonly Field[], values: Readonly<Record<string, unknown>>): string {
  let xml = '';
  for (const field of fields) {
    const value = Object.hasOwn(values, field.id) ? values[field.id] : undefined;
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null) continue;
      const inner = field.type === 'group' ? fieldsToXml(field.fields, item as Record<string, unknown>) : escapeXml(String(item));
      xml += `<k:${field.id}>${inner}</k:${field.id}>`;
    }
  }
  return xml;
}

/** A request document (for clients: the SDK and tests). */
export function soapRequest(def: InterfaceDefinition, values: Readonly<Record<string, unknown>>): string {
  return `${envelopeStart}<k:${def.id}Request xmlns:k="${kirikaeNamespace}">${fieldsToXml(def.request, values)}</k:${def.id}Request>${envelopeEnd}`;
}

/** The response document for an envelope: result, messages, remarks and the defined data fields. */
export function soapResponse(def: InterfaceDefinition, envelope: InterfaceResponse): string {
  const messages = envelope.messages
    .map(
      (m) =>
        `<k:message><k:code>${escapeXml(m.code)}</k:code><k:text>${escapeXml(m.text)}</k:text>` +
        (m.field === undefined ? '' : `<k:field>${escapeXml(m.field)}</k:field>`) +
        '</k:message>',
    )
    .join('');
  return (
    `${envelopeStart}<k:${def.id}Response xmlns:k="${kirikaeNamespace}">` +
    `<k:result>${envelope.result}</k:result><k:messages>${messages}</k:messages>` +
    (envelope.remarks === undefined ? '' : `<k:remarks>${escapeXml(envelope.remarks)}</k:remarks>`) +
    (envelope.data === undefined ? '' : `<k:data>${fieldsToXml(def.response, pick(def.response, envelope.data))}</k:data>`) +
    `</k:${def.id}Response>${envelopeEnd}`
  );
}

/**
 * A SOAP 1.1 Fault: faultstring is the Japanese text, detail holds the stable code. Client faults
 * are the caller's to fix; server faults are ours.
 */
export function soapFault(code: string, text: string, faultcode: SoapFaultCode = 'soap:Client'): string {
  return (
    `${envelopeStart}<soap:Fault>` +
    `<faultcode>${faultcode}</faultcode><faultstring xml:lang="ja">${escapeXml(text)}</faultstring>` +
    `<detail><k:refusal xmlns:k="${kirikaeNamespace}"><k:code>${escapeXml(code)}</k:code></k:refusal></detail>` +
    `</soap:Fault>${envelopeEnd}`
  );
}

/**
 * A response document read back into the envelope (for clients). A Fault becomes result NG with
 * its code and text; data is validated and typed against the definition (numbers become numbers).
 */
export function parseSoapResponse(def: InterfaceDefinition, xml: string | Uint8Array): Validation<InterfaceResponse> {
  const body = readSoapBody(xml);
  if (!body.ok) return { ok: false, messages: body.messages };
  const content = body.content;
  if (body.element === 'Fault' && isElement(content)) {
    const detail = content.detail;
    const refusal = isElement(detail) ? detail.refusal : undefined;
    const code = isElement(refusal) ? text(refusal.code) : '';
    return { ok: true, value: { result: 'NG', messages: [{ code: code || 'HTTP_INTERNAL', text: text(content.faultstring) }] } };
  }
  if (body.element !== `${def.id}Response` || !isElement(content)) {
    return {
      ok: false,
      messages: [new Refusal('IF_SOAP_WRONG_OPERATION', { params: { element: body.element.slice(0, 60), expected: `${def.id}Response` } }).toDetail()],
    };
  }
  const result = text(content.result);
  const messagesNode = content.messages;
  const items = isElement(messagesNode) ? messagesNode.message : undefined;
  const messages: ReceptionMessage[] = (Array.isArray(items) ? items : items === undefined ? [] : [items]).filter(isElement).map((m) => {
    const field = text(m.field);
    return field === '' ? { code: text(m.code), text: text(m.text) } : { code: text(m.code), text: text(m.text), field };
  });
  const envelope: { result: 'OK' | 'NG'; messages: ReceptionMessage[]; remarks?: string; data?: FieldValues } = {
    result: result === 'OK' ? 'OK' : 'NG',
    messages,
  };
  if (content.remarks !== undefined) envelope.remarks = text(content.remarks);
  if (content.data !== undefined) {
    const data = validateResponseData(def, fromXml(def.response, content.data === '' ? {} : content.data));
    if (!data.ok) return data;
    envelope.data = data.value;
  }
  return { ok: true, value: envelope };
}

function text(value: XmlValue | undefined): string {
  return typeof value === 'string' ? value : '';
}
