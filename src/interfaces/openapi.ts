/**
 * The OpenAPI 3.1 description of the JSON binding, generated from the catalogue: one
 * `POST /api/v1/{interfaceId}` per interface, its request schema from the request fields and the
 * envelope of message.ts with the response fields as `data`. Every call needs a client certificate
 * (mutual TLS, SYSTEM.md §7).
 *
 * The schemas describe values in their canonical form (22 ASCII digits, "2016-04-01"); the hub
 * also accepts what people type (full-width digits, hyphens), see validate.ts.
 */
import { attachmentLimitOf, attachmentTypes, maxAttachmentBytes, maxAttachmentsTotalBytes } from './attachments.ts';
import { interfaces } from './catalogue/catalogue.ts';
import { registerCodeTable } from './catalogue/tables.ts';
import type { CodeTable, Field, InterfaceDefinition, InterfaceKind } from './catalogue/types.ts';
import { repertoireDescriptions } from '../domain/repertoire.ts';
import { designatedFor } from './verification/designated.ts';
import { exampleValues } from './examples.ts';

type Schema = Record<string, unknown>;

const numbersAreNumbers = 'A JSON number: the same value as a string ("2", " 1") is refused with IF_NUMBER_AS_STRING.';

const kindTags: Readonly<Record<InterfaceKind, string>> = {
  lookup: '共通情報検索: facility and usage look-ups, answered by the grid at once',
  application: '託送異動申込: wheeling change applications, forwarded to the grid',
  status: '申込受付状態確認: the processing stage of an application',
  feed: "異動申込一括取得: the caller's applications, page by page",
  relay: 'スイッチング廃止取次: switching termination relay, kept by the hub',
  participant: '事業者一覧: participants admitted to the hub',
  mailbox: 'お知らせ: the pull mailbox of notifications (peek, then acknowledge)',
};

export function openApiDocument(options: { readonly serverUrl?: string } = {}): Schema {
  const codeTables = new Map<string, CodeTable>();
  const schemas: Record<string, Schema> = {
    SupplyPointId: {
      type: 'string',
      title: '供給地点特定番号',
      description: '22 digits; the first two are the area code (01–10).',
      pattern: '^(0[1-9]|10)[0-9]{20}$',
    },
    ParticipantCode: {
      type: 'string',
      title: '事業者コード',
      description: 'Company code (4 letters or digits) and the last digit of the area code.',
      pattern: '^[A-Z0-9]{4}[0-9]$',
    },
    ReceptionMessage: {
      type: 'object',
      title: '受付メッセージ',
      properties: {
        code: { type: 'string', description: 'Stable code, e.g. IF_REQUIRED.' },
        text: { type: 'string', description: 'Japanese text.' },
        field: { type: 'string', description: 'Dotted path of the field concerned.' },
      },
      required: ['code', 'text'],
    },
    Envelope: {
      type: 'object',
      properties: {
        result: { type: 'string', enum: ['OK', 'NG'], title: '連携成否ステータス' },
        messages: { type: 'array', items: { $ref: '#/components/schemas/ReceptionMessage' }, title: '受付メッセージ' },
        remarks: { type: 'string', title: 'ご連絡事項' },
        data: { type: 'object' },
      },
      required: ['result', 'messages'],
    },
  };
  const paths: Record<string, Schema> = {};
  for (const def of interfaces) {
    schemas[`${def.id}Request`] = objectSchema(def.request, codeTables, def);
    schemas[`${def.id}ResponseData`] = objectSchema(def.response, codeTables);
    paths[`/api/v1/${def.id}`] = { post: operation(def) };
  }
  for (const table of codeTables.values()) schemas[table.name] = codeSchema(table);
  return {
    openapi: '3.1.0',
    info: {
      title: 'kirikae — スイッチング支援システム API',
      version: '1',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        'The JSON binding of every IF_ and IS_ interface. The same interfaces are offered as SOAP 1.1 at ' +
        '`POST /soap/{interfaceId}`, described by the WSDL. ' +
        refusalContract +
        '\n\n' +
        'Bodies are read strictly: UTF-8 only (a value with bytes that are not UTF-8 is refused, naming the field, with IF_ENCODING_INVALID; it is never stored altered); ' +
        'a key given twice in one object, at any depth, is refused with IF_JSON_DUPLICATE_KEY; numbers are JSON numbers (a string such as "2" is refused with IF_NUMBER_AS_STRING); ' +
        'text fields hold only the characters of their repertoire (x-kirikae-repertoire: windows31j or kana, see each field).',
    },
    servers: [{ url: options.serverUrl ?? '/' }],
    tags: Object.entries(kindTags).map(([name, description]) => ({ name, description })),
    security: [{ clientCertificate: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        clientCertificate: {
          type: 'mutualTLS',
          description: 'A client certificate issued by the hub operator: one per retailer for API use (SYSTEM.md §7).',
        },
      },
    },
  };
}

/**
 * How refusals are answered (the SDK and the README say the same): as the real system's SOAP does,
 * a request that was read is answered, and its refusal is the answer's result NG, whatever the
 * reason; an HTTP error status means the request was not read as a call at all.
 */
export const refusalContract =
  'A request the hub could read is answered with HTTP 200: result OK, or result NG with reception messages that give ' +
  "each refusal's stable code (and the field it concerns); clients decide by `result`, not by the HTTP status. " +
  'HTTP 4xx/5xx (with result NG and one message in the envelope) means the call itself was not made: an unreadable body (400: not JSON, or a key given twice, IF_JSON_DUPLICATE_KEY), ' +
  'a certificate that may not use the API (403), an unknown interface (404), a body too large (413), too many requests (429).';

function operation(def: InterfaceDefinition): Schema {
  const envelope = (data: boolean): Schema => ({
    'application/json': {
      schema: data
        ? { allOf: [{ $ref: '#/components/schemas/Envelope' }, { properties: { data: { $ref: `#/components/schemas/${def.id}ResponseData` } } }] }
        : { $ref: '#/components/schemas/Envelope' },
    },
  });
  return {
    operationId: def.id,
    summary: `${def.name} (${def.englishName})`,
    ...(def.description ? { description: def.description } : {}),
    tags: [def.kind],
    'x-kirikae': {
      family: def.family,
      kind: def.kind,
      direction: def.direction,
      ...(def.applicationKinds ? { applicationKinds: def.applicationKinds } : {}),
    },
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: { $ref: `#/components/schemas/${def.id}Request` }, ...verificationExamples(def) },
        ...(def.attachments ? attachmentsContent(def) : {}),
      },
    },
    responses: {
      '200': {
        description:
          'Answered: result OK with data, or result NG with the reasons in messages. Every refusal of what the request says ' +
          'comes this way: its fields (IF_REQUIRED, IF_UNKNOWN_FIELD, SPID_LENGTH, CODE_UNKNOWN, … each naming its field), ' +
          'the policy (IF_AREA_NOT_REGISTERED, AUTH_FORBIDDEN), the hub (OUTBOX_…, RELAY_…) and the grid (GRID_…, APP_…).',
        content: envelope(true),
      },
      '400': {
        description:
          'IF_JSON_MALFORMED: the body cannot be read as JSON at all (malformed or empty); IF_JSON_DUPLICATE_KEY: it names a key twice. The envelope says so.',
        content: envelope(false),
      },
      '403': { description: 'The client certificate may not use the API (e.g. a terminal certificate): no call was made.', content: envelope(false) },
      '413': { description: 'HTTP_BODY_TOO_LARGE: the body exceeds the size limit.', content: envelope(false) },
      '429': { description: 'HTTP_RATE_LIMITED: too many requests in a short time; send again later.', content: envelope(false) },
    },
  };
}

function objectSchema(fields: readonly Field[], codeTables: Map<string, CodeTable>, def?: InterfaceDefinition): Schema {
  const notes = (def?.atLeastOneOf ?? []).map(
    (rule) => `At least one of ${rule.fields.join(', ')}${rule.when ? ` when ${rule.when.field} is ${rule.when.values.join(' or ')}` : ''}.`,
  );
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.id, fieldSchema(f, codeTables)])),
    ...(fields.some((f) => f.required) ? { required: fields.filter((f) => f.required).map((f) => f.id) } : {}),
    additionalProperties: false,
    ...(notes.length > 0 ? { description: notes.join(' ') } : {}),
  };
}

function fieldSchema(field: Field, codeTables: Map<string, CodeTable>): Schema {
  const one = { title: field.name, ...describe(field), ...valueSchema(field, codeTables) };
  if (!field.repeated) return one;
  return { type: 'array', title: field.name, items: one, minItems: field.repeated.min, maxItems: field.repeated.max };
}

function describe(field: Field): Schema {
  const parts = [
    field.description,
    field.requiredWhen ? `Required when ${field.requiredWhen.field} is ${field.requiredWhen.values.join(' or ')}.` : undefined,
    field.type === 'string' ? repertoireDescriptions[field.repertoire].en : undefined,
    field.type === 'integer' || field.type === 'decimal' ? numbersAreNumbers : undefined,
  ];
  const text = parts.filter(Boolean).join(' ');
  return text ? { description: text } : {};
}

function valueSchema(field: Field, codeTables: Map<string, CodeTable>): Schema {
  switch (field.type) {
    case 'string':
      return { type: 'string', maxLength: field.maxLength, 'x-kirikae-repertoire': field.repertoire };
    case 'digits':
      return { type: 'string', pattern: '^[0-9]+$', maxLength: field.maxLength, ...(field.minLength ? { minLength: field.minLength } : {}) };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'dateTime':
      return { type: 'string', format: 'date-time' };
    case 'integer':
      return { type: 'integer', ...range(field) };
    case 'decimal':
      return { type: 'number', ...range(field), 'x-fraction-digits': field.scale };
    case 'code': {
      registerCodeTable(codeTables, field.table);
      return { $ref: `#/components/schemas/${field.table.name}` };
    }
    case 'supplyPointId':
      return { $ref: '#/components/schemas/SupplyPointId' };
    case 'participantCode':
      return { $ref: '#/components/schemas/ParticipantCode' };
    case 'group':
      return objectSchema(field.fields, codeTables);
  }
}

function range(field: { min?: number; max?: number }): Schema {
  return { ...(field.min !== undefined ? { minimum: field.min } : {}), ...(field.max !== undefined ? { maximum: field.max } : {}) };
}

function codeSchema(table: CodeTable): Schema {
  const codes = Object.keys(table.codes).sort();
  return {
    type: 'string',
    enum: codes,
    description: codes.map((c) => `${c}: ${table.codes[c]}`).join(', '),
    'x-enum-descriptions': codes.map((c) => table.codes[c]),
  };
}

/**
 * The verification environment's designated supply point IDs as named examples of the request: what
 * the grid stub answers to each (interfaces/verification/designated.ts).
 */
function verificationExamples(def: InterfaceDefinition): Schema {
  const designated = designatedFor(def.id);
  if (designated.length === 0) return {};
  const base = exampleValues(def.request);
  return {
    examples: Object.fromEntries(
      designated.map(({ id, entry }) => [
        `verification-${entry.number}`,
        {
          summary: `検証環境: ${entry.description}`,
          value: { ...base, supplyPointId: id, ...(entry.updateFlags ? { updateFlag: entry.updateFlags[0] } : {}) },
        },
      ]),
    ),
  };
}

/** The multipart form of a request with document attachments (attachments.ts). */
function attachmentsContent(def: InterfaceDefinition) {
  const max = attachmentLimitOf(def);
  return {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['request'],
        properties: {
          request: { $ref: `#/components/schemas/${def.id}Request` },
          attachment: {
            type: 'array',
            maxItems: max,
            items: { type: 'string', contentMediaType: 'application/octet-stream' },
            description:
              `Documents (identity, consent): at most ${max} files, each at most ${maxAttachmentBytes / 1024 / 1024} MiB and ` +
              `${maxAttachmentsTotalBytes / 1024 / 1024} MiB in all; PDF, JPEG, PNG or TIFF. Refused with ATTACHMENT_TOO_MANY, ` +
              'ATTACHMENT_TOO_LARGE, ATTACHMENT_TYPE, ATTACHMENT_EMPTY or ATTACHMENT_NAME (field attachments).',
          },
        },
      },
      encoding: { request: { contentType: 'application/json' }, attachment: { contentType: Object.keys(attachmentTypes).join(', ') } },
    },
  };
}
