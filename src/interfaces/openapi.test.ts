import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interfaces } from './catalogue/catalogue.ts';
import { openApiDocument } from './openapi.ts';

type Json = Record<string, any>;

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.push(v);
      else refsIn(v, found);
    }
  }
  return found;
}

describe('OpenAPI document', () => {
  const doc = JSON.parse(JSON.stringify(openApiDocument({ serverUrl: 'https://hub.example:8443' }))) as Json;

  it('is OpenAPI 3.1 JSON with a POST path per interface', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(Object.keys(doc.paths).length, interfaces.length);
    for (const def of interfaces) {
      const op = doc.paths[`/api/v1/${def.id}`]?.post;
      assert.equal(op?.operationId, def.id);
      assert.equal(op.requestBody.content['application/json'].schema.$ref, `#/components/schemas/${def.id}Request`);
    }
  });

  it('requires a client certificate (mutual TLS) for every call', () => {
    assert.deepEqual(doc.components.securitySchemes.clientCertificate.type, 'mutualTLS');
    assert.deepEqual(doc.security, [{ clientCertificate: [] }]);
  });

  it('derives request schemas from the fields: required, lengths, code tables, no other properties', () => {
    const schemas = doc.components.schemas;
    const switchIn = schemas.IF_10610Request;
    assert.deepEqual(switchIn.required, ['requestId', 'updateFlag', 'supplyPointId']);
    assert.equal(switchIn.additionalProperties, false);
    assert.equal(switchIn.properties.customerName.maxLength, 60);
    assert.equal(switchIn.properties.updateFlag.$ref, '#/components/schemas/UpdateFlag');
    assert.deepEqual(schemas.UpdateFlag.enum, ['1', '2', '3']);
    assert.match(switchIn.properties.applicationNumber.description, /updateFlag is 2 or 3/);
    const usage = schemas.IF_10310ResponseData;
    assert.equal(usage.properties.monthlyUsage.type, 'array');
    assert.equal(usage.properties.monthlyUsage.maxItems, 13);
    assert.equal(usage.properties.monthlyUsage.items.type, 'object');
  });

  it("answers in the envelope with the interface's data", () => {
    const ok = doc.paths['/api/v1/IF_10110'].post.responses['200'].content['application/json'].schema;
    assert.deepEqual(ok.allOf[0], { $ref: '#/components/schemas/Envelope' });
    assert.equal(ok.allOf[1].properties.data.$ref, '#/components/schemas/IF_10110ResponseData');
  });

  it('resolves every reference', () => {
    const schemas = doc.components.schemas;
    for (const ref of refsIn(doc)) {
      assert.match(ref, /^#\/components\/schemas\//);
      assert.ok(schemas[ref.slice('#/components/schemas/'.length)], ref);
    }
  });

  it('states the character repertoire of every text field and that numbers are JSON numbers, as validation does', () => {
    const switchIn = doc.components.schemas.IF_10610Request;
    assert.equal(switchIn.properties.customerName['x-kirikae-repertoire'], 'windows31j');
    assert.match(switchIn.properties.customerName.description, /Windows-31J.*IF_CHARACTER_NOT_ALLOWED/);
    assert.equal(switchIn.properties.customerNameKana['x-kirikae-repertoire'], 'kana');
    const participants = doc.components.schemas.IS_30110Request;
    assert.equal(participants.properties.page.type, 'integer');
    assert.match(participants.properties.page.description, /IF_NUMBER_AS_STRING/);
    assert.match(doc.info.description, /IF_JSON_DUPLICATE_KEY/);
  });
});
