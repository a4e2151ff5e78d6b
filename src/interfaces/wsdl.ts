/**
 * The WSDL 1.1 description (document/literal, SOAP 1.1) of the SOAP binding, with its XSD types
 * embedded, generated from the catalogue: one operation per interface, whose input is the element
 * `k:{id}Request` and output `k:{id}Response`, exactly as soap.ts reads and writes them.
 *
 * Each interface has its own endpoint (`POST /soap/{interfaceId}`), so the service has one port
 * per interface, all of the one binding: a client uses port `{id}Port` for operation `{id}`.
 *
 * The types give values in canonical form (22 ASCII digits, xs:date); the hub also accepts what
 * people type (full-width digits, hyphens), see validate.ts. Each text element's annotation states
 * its character repertoire; each operation declares the Refusal fault.
 */
import { attachmentLimitOf } from './attachments.ts';
import { interfaces } from './catalogue/catalogue.ts';
import { registerCodeTable } from './catalogue/tables.ts';
import type { CodeTable, Field, InterfaceDefinition } from './catalogue/types.ts';
import { kirikaeNamespace, soapActionOf, soapEnvelopeNamespace } from './soap.ts';
import { escapeXml } from './xml.ts';
import { repertoireDescriptions } from '../domain/repertoire.ts';
import { designatedSummary } from './verification/designated.ts';

const ns = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap: 'http://schemas.xmlsoap.org/wsdl/soap/',
  xs: 'http://www.w3.org/2001/XMLSchema',
  http: 'http://schemas.xmlsoap.org/soap/http',
};

/** The WSDL document; `baseUrl` is the hub's origin ("https://hub.example:8443"). */
export function wsdlDocument(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  const codeTables = new Map<string, CodeTable>();
  const elements = interfaces.map((def) => requestElement(def, codeTables) + responseElement(def, codeTables)).join('');
  const schema =
    `<xs:schema targetNamespace="${kirikaeNamespace}" elementFormDefault="qualified">` +
    commonTypes() +
    [...codeTables.values()].map(codeType).join('') +
    elements +
    '</xs:schema>';
  // The Fault of a document that is not a usable request (soap.ts): its detail holds k:refusal with the code.
  const refusalMessage = '<wsdl:message name="Refusal"><wsdl:part name="refusal" element="k:refusal"/></wsdl:message>';
  const messages =
    refusalMessage +
    interfaces
      .map(
        (def) =>
          `<wsdl:message name="${def.id}Request"><wsdl:part name="parameters" element="k:${def.id}Request"/></wsdl:message>` +
          `<wsdl:message name="${def.id}Response"><wsdl:part name="parameters" element="k:${def.id}Response"/></wsdl:message>`,
      )
      .join('');
  const portOperations = interfaces
    .map(
      (def) =>
        `<wsdl:operation name="${def.id}">${documentation([`${def.name} (${def.englishName})`, attachmentsSummary(def), designatedSummary(def.id)].filter(Boolean).join('\n'))}` +
        `<wsdl:input message="k:${def.id}Request"/><wsdl:output message="k:${def.id}Response"/><wsdl:fault name="Refusal" message="k:Refusal"/></wsdl:operation>`,
    )
    .join('');
  const bindingOperations = interfaces
    .map(
      (def) =>
        `<wsdl:operation name="${def.id}"><soap:operation soapAction="${soapActionOf(def)}" style="document"/>` +
        '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>' +
        '<wsdl:fault name="Refusal"><soap:fault name="Refusal" use="literal"/></wsdl:fault></wsdl:operation>',
    )
    .join('');
  const ports = interfaces
    .map(
      (def) =>
        `<wsdl:port name="${def.id}Port" binding="k:KirikaeSoapBinding">${documentation(`${def.id} only`)}` +
        `<soap:address location="${escapeXml(`${base}/soap/${def.id}`)}"/></wsdl:port>`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<wsdl:definitions name="kirikae" targetNamespace="${kirikaeNamespace}" xmlns:wsdl="${ns.wsdl}" xmlns:soap="${ns.soap}" ` +
    `xmlns:xs="${ns.xs}" xmlns:k="${kirikaeNamespace}">` +
    documentation(
      'kirikae — スイッチング支援システム (Switching Support System) interfaces, SOAP 1.1 document/literal; client certificate required. ' +
        `The Envelope, Header and Body are in ${soapEnvelopeNamespace}: a SOAP 1.2 envelope (or one in no namespace) is answered with a SOAP 1.1 Fault, faultcode VersionMismatch (IF_SOAP_VERSION_MISMATCH). ` +
        `The request element and every element inside it are in ${kirikaeNamespace} (elementFormDefault="qualified"): an element in no namespace or another is a Fault (IF_SOAP_NAMESPACE). ` +
        'A document that is not a usable request is answered with a Fault (HTTP 500, SOAP 1.1 §6.2) whose detail holds k:refusal with the code; refusals of the fields are a response with result NG. ' +
        'Documents are UTF-8: a value with bytes that are not UTF-8 is refused, naming the field (IF_ENCODING_INVALID).',
    ) +
    `<wsdl:types>${schema}</wsdl:types>` +
    messages +
    `<wsdl:portType name="KirikaePortType">${portOperations}</wsdl:portType>` +
    `<wsdl:binding name="KirikaeSoapBinding" type="k:KirikaePortType"><soap:binding style="document" transport="${ns.http}"/>${bindingOperations}</wsdl:binding>` +
    `<wsdl:service name="KirikaeService">${ports}</wsdl:service>` +
    '</wsdl:definitions>'
  );
}

/** Where the request may carry documents (attachments.ts): said on the operation, as SOAP with attachments has no WSDL 1.1 part here. */
function attachmentsSummary(def: InterfaceDefinition): string {
  const max = attachmentLimitOf(def);
  return max > 0
    ? `Attachments: up to ${max} documents (PDF, JPEG, PNG, TIFF; 5 MiB each, 10 MiB in all) as SOAP with attachments or MTOM (multipart/related, the envelope as root part, each other part one file named by its Content-Disposition filename).`
    : '';
}

function documentation(text: string): string {
  return `<wsdl:documentation>${escapeXml(text)}</wsdl:documentation>`;
}

function annotation(text: string): string {
  return `<xs:annotation><xs:documentation xml:lang="ja">${escapeXml(text)}</xs:documentation></xs:annotation>`;
}

/** The envelope's parts, the same for every interface, and the refusal of a Fault's detail. */
function commonTypes(): string {
  return (
    '<xs:simpleType name="Result"><xs:restriction base="xs:string"><xs:enumeration value="OK"/><xs:enumeration value="NG"/></xs:restriction></xs:simpleType>' +
    '<xs:complexType name="Message"><xs:sequence><xs:element name="code" type="xs:string"/><xs:element name="text" type="xs:string"/>' +
    '<xs:element name="field" type="xs:string" minOccurs="0"/></xs:sequence></xs:complexType>' +
    '<xs:complexType name="Messages"><xs:sequence><xs:element name="message" type="k:Message" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType>' +
    '<xs:element name="refusal"><xs:complexType><xs:sequence><xs:element name="code" type="xs:string"/></xs:sequence></xs:complexType></xs:element>' +
    `<xs:simpleType name="SupplyPointId">${annotation('供給地点特定番号')}<xs:restriction base="xs:string"><xs:pattern value="(0[1-9]|10)[0-9]{20}"/></xs:restriction></xs:simpleType>` +
    `<xs:simpleType name="ParticipantCode">${annotation('事業者コード')}<xs:restriction base="xs:string"><xs:pattern value="[A-Z0-9]{4}[0-9]"/></xs:restriction></xs:simpleType>`
  );
}

function codeType(table: CodeTable): string {
  const values = Object.keys(table.codes)
    .sort()
    .map((c) => `<xs:enumeration value="${escapeXml(c)}">${annotation(table.codes[c] ?? '')}</xs:enumeration>`)
    .join('');
  return `<xs:simpleType name="${table.name}"><xs:restriction base="xs:string">${values}</xs:restriction></xs:simpleType>`;
}

function requestElement(def: InterfaceDefinition, codeTables: Map<string, CodeTable>): string {
  return `<xs:element name="${def.id}Request">${annotation(def.name)}<xs:complexType>${sequence(def.request, codeTables)}</xs:complexType></xs:element>`;
}

function responseElement(def: InterfaceDefinition, codeTables: Map<string, CodeTable>): string {
  return (
    `<xs:element name="${def.id}Response">${annotation(def.name)}<xs:complexType><xs:sequence>` +
    '<xs:element name="result" type="k:Result"/><xs:element name="messages" type="k:Messages"/>' +
    '<xs:element name="remarks" type="xs:string" minOccurs="0"/>' +
    `<xs:element name="data" minOccurs="0"><xs:complexType>${sequence(def.response, codeTables)}</xs:complexType></xs:element>` +
    '</xs:sequence></xs:complexType></xs:element>'
  );
}

function sequence(fields: readonly Field[], codeTables: Map<string, CodeTable>): string {
  return `<xs:sequence>${fields.map((f) => element(f, codeTables)).join('')}</xs:sequence>`;
}

function element(field: Field, codeTables: Map<string, CodeTable>): string {
  const min = field.required ? Math.max(1, field.repeated?.min ?? 1) : 0;
  const max = field.repeated ? field.repeated.max : 1;
  const occurs = `minOccurs="${min}" maxOccurs="${max}"`;
  const doc = annotation(
    field.name +
      (field.requiredWhen ? `（${field.requiredWhen.field} が ${field.requiredWhen.values.join('/')} のとき必須）` : '') +
      (field.type === 'string' ? ` ${repertoireDescriptions[field.repertoire].ja}` : ''),
  );
  const named = namedType(field, codeTables);
  if (named) return `<xs:element name="${field.id}" type="${named}" ${occurs}>${doc}</xs:element>`;
  const inner =
    field.type === 'group' ? `<xs:complexType>${sequence(field.fields, codeTables)}</xs:complexType>` : `<xs:simpleType>${restriction(field)}</xs:simpleType>`;
  return `<xs:element name="${field.id}" ${occurs}>${doc}${inner}</xs:element>`;
}

function namedType(field: Field, codeTables: Map<string, CodeTable>): string | undefined {
  switch (field.type) {
    case 'date':
      return 'xs:date';
    case 'dateTime':
      return 'xs:dateTime';
    case 'supplyPointId':
      return 'k:SupplyPointId';
    case 'participantCode':
      return 'k:ParticipantCode';
    case 'code':
      registerCodeTable(codeTables, field.table);
      return `k:${field.table.name}`;
    case 'integer':
      return field.min === undefined && field.max === undefined ? 'xs:integer' : undefined;
    default:
      return undefined;
  }
}

function restriction(field: Field): string {
  const facets = (base: string, inner: string) => `<xs:restriction base="${base}">${inner}</xs:restriction>`;
  const bounds = (f: { min?: number; max?: number }) =>
    (f.min !== undefined ? `<xs:minInclusive value="${f.min}"/>` : '') + (f.max !== undefined ? `<xs:maxInclusive value="${f.max}"/>` : '');
  switch (field.type) {
    case 'string':
      return facets('xs:string', `<xs:maxLength value="${field.maxLength}"/>`);
    case 'digits':
      return facets(
        'xs:string',
        `<xs:pattern value="[0-9]+"/>${field.minLength ? `<xs:minLength value="${field.minLength}"/>` : ''}<xs:maxLength value="${field.maxLength}"/>`,
      );
    case 'integer':
      return facets('xs:integer', bounds(field));
    case 'decimal':
      return facets('xs:decimal', `<xs:fractionDigits value="${field.scale}"/>${bounds(field)}`);
    default:
      throw new Error(`no inline type for ${field.type}`);
  }
}
