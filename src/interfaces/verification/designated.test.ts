import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaces } from '../catalogue/catalogue.ts';
import { messages } from '../../domain/messages.ts';
import { appliesTo, designatedEntries, designatedId, designationOf, interfacesOf, stubInterfaceOf } from './designated.ts';
import { scenarios } from './scenarios.ts';

test('a designated ID is the area, 9999, the behaviour and a 12-digit parameter: 22 digits, read back as written', () => {
  const id = designatedId('03', '9001', 5);
  assert.equal(id, '0399999001000000000005');
  assert.equal(id.length, 22);
  const designation = designationOf(id)!;
  assert.equal(designation.entry.number, '9001');
  assert.deepEqual(designation.behaviour, { type: 'delay', seconds: 5 });
});

test('ordinary IDs, unknown behaviours, unknown areas and malformed input designate nothing', () => {
  assert.equal(designationOf('0313010000000000000110'), undefined);
  assert.equal(designationOf('0399998888000000000000'), undefined);
  assert.equal(designationOf('1199990101000000000000'), undefined);
  assert.equal(designationOf('039999010100000000000'), undefined);
  assert.equal(designationOf(undefined), undefined);
});

test('a parameter above its maximum is capped (a delay never exceeds 120 s); failing deliveries at least once', () => {
  assert.deepEqual(designationOf(designatedId('03', '9001', 999_999))!.behaviour, { type: 'delay', seconds: 120 });
  assert.deepEqual(designationOf(designatedId('03', '9003', 0))!.behaviour, { type: 'failAfterAccept', times: 1 });
});

test('every designated refusal and notice code is in the refusal catalogue, and numbers are unique', () => {
  const numbers = designatedEntries.map((e) => e.number);
  assert.equal(new Set(numbers).size, numbers.length);
  for (const e of designatedEntries) {
    const b = e.behaviour(1);
    if (b.type === 'ng' || b.type === 'refuseLater') assert.ok(b.code in messages, b.code);
  }
});

test('each entry applies to at least one interface of the catalogue; family and update flag limits hold', () => {
  const ids = interfaces.map((i) => i.id);
  for (const e of designatedEntries) assert.ok(interfacesOf(e, ids).length > 0, e.number);
  const fitOnly = designatedEntries.find((e) => e.number === '0104')!;
  assert.deepEqual(interfacesOf(fitOnly, ids), ['IF_F10110']);
  const correction = designatedEntries.find((e) => e.number === '0146')!;
  assert.equal(appliesTo(correction, 'IF_10610', '1'), false);
  assert.equal(appliesTo(correction, 'IF_10610', '2'), true);
  assert.equal(appliesTo(correction, 'IF_10620'), true, 'status inquiries follow their application');
});

test('every one of the 41 IF_ interfaces maps to a stub kind or is a feed', () => {
  const gridIds = interfaces.filter((i) => i.id.startsWith('IF_')).map((i) => i.id);
  assert.equal(gridIds.length, 41);
  for (const id of gridIds) assert.ok(stubInterfaceOf(id) !== undefined || /11110$/.test(id), id);
});

test('the scenario catalogue covers every IF_ and IS_ interface of the catalogue, each scenario with unique ID', () => {
  const covered = new Set(scenarios.flatMap((s) => s.steps.map((step) => step.interfaceId)));
  for (const def of interfaces) assert.ok(covered.has(def.id), `${def.id} has no scenario`);
  const ids = scenarios.map((s) => s.id);
  assert.equal(new Set(ids).size, ids.length);
});

test('every interface has a happy path (an OK step) and an abnormal one (an NG step, or a refusal at 09) in the scenarios', () => {
  for (const def of interfaces) {
    const steps = scenarios.flatMap((s) => s.steps.filter((step) => step.interfaceId === def.id));
    assert.ok(
      steps.some((step) => step.expect.result === 'OK' && step.expect.stage !== '09'),
      `${def.id} has no happy path`,
    );
    assert.ok(
      steps.some((step) => step.expect.result === 'NG' || step.expect.stage === '09'),
      `${def.id} has no abnormal path`,
    );
  }
});

test('every scenario step names an existing interface and an existing designated behaviour', () => {
  const ids = new Set(interfaces.map((i) => i.id));
  const numbers = new Set(designatedEntries.map((e) => e.number));
  for (const s of scenarios) {
    for (const step of s.steps) {
      assert.ok(ids.has(step.interfaceId), `${s.id} ${step.interfaceId}`);
      if (step.point && step.point !== 'ordinary' && step.point !== 'none') {
        assert.ok(numbers.has(step.point), `${s.id} ${step.point}`);
        const entry = designatedEntries.find((e) => e.number === step.point)!;
        assert.ok(appliesTo(entry, step.interfaceId, entry.updateFlags?.[0]), `${s.id}: ${step.point} on ${step.interfaceId}`);
      }
      if (step.expect.code) assert.ok(step.expect.code in messages, step.expect.code);
    }
  }
});

test('OpenAPI carries each designated ID of an interface as a named, valid request example; the WSDL documents them', async () => {
  const { openApiDocument } = await import('../openapi.ts');
  const { wsdlDocument } = await import('../wsdl.ts');
  const { validateRequest } = await import('../validate.ts');
  const { interfaceById } = await import('../catalogue/catalogue.ts');
  const doc = openApiDocument({ serverUrl: 'https://hub.example' }) as any;
  const examples = doc.paths['/api/v1/IF_10610'].post.requestBody.content['application/json'].examples;
  assert.equal(examples['verification-0139'].value.supplyPointId, '0399990139000000000000');
  assert.match(examples['verification-0139'].summary, /現小売電気事業者コード不一致/);
  assert.equal(examples['verification-0146'].value.updateFlag, '2');
  assert.equal(examples['verification-0102'], undefined, 'a look-up behaviour is no example of a switch-in');
  for (const example of Object.values(examples) as { value: unknown }[]) assert.ok(validateRequest(interfaceById('IF_10610')!, example.value).ok);
  const wsdl = wsdlDocument('https://hub.example');
  assert.match(wsdl, /<wsdl:operation name="IF_10110"><wsdl:documentation>[^<]*0399990102000000000000 高圧の地点として設備情報取得を NG/);
});

test("the README's table of designated IDs is the code's: every Tokyo ID with its behaviour and code", async () => {
  const { readFileSync } = await import('node:fs');
  const { codeOf } = await import('./designated.ts');
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  for (const e of designatedEntries) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${designatedId('03', e.number, e.parameter?.example ?? 0)}\``));
    assert.ok(row, `README lacks ${e.number}`);
    assert.ok(row.includes(e.description), `README's ${e.number} says what the code says`);
    const code = codeOf(e);
    if (code) assert.ok(row.includes(`\`${code}\``), `README's ${e.number} names ${code}`);
  }
});
