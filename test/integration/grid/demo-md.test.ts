/**
 * What DEMO.md tells a new integrator about the registry must be true and enough (issue 12 §4):
 * each point's current retailer and customer names as the registry has them, field names as the
 * catalogue has them, and example requests that the catalogue validates and the grid accepts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { demoRegistryMarkdown } from '../../../src/demo/demo.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { findFacility } from '../../../src/grid/registry/facility.repository.ts';
import { allGridMigrations, gridSchema } from '../../../src/grid/schema.ts';
import { demoSeed, seedRegistry } from '../../../src/grid/seed/seed.ts';
import { gridRequest, testGridClock } from '../../../src/grid/testing.ts';
import { interfaceById } from '../../../src/interfaces/catalogue/catalogue.ts';
import type { Field } from '../../../src/interfaces/catalogue/types.ts';
import { validateRequest } from '../../../src/interfaces/validate.ts';
import { migrate } from '../../../src/platform/db/migrate.ts';
import type { AreaCode } from '../../../src/domain/area.ts';

/** Every field ID of an interface, nested ones included. */
function fieldIds(interfaceId: string): Set<string> {
  const def = interfaceById(interfaceId);
  const ids = new Set<string>();
  const walk = (fields: readonly Field[]) => {
    for (const f of fields) {
      ids.add(f.id);
      if (f.type === 'group') walk(f.fields);
    }
  };
  if (def) {
    walk(def.request);
    walk(def.response);
  }
  return ids;
}

/** The example requests of the text: interface, sending company and body. */
function examplesOf(markdown: string) {
  return [...markdown.matchAll(/`POST \/api\/v1\/(I[FS]_[A-Z]?\d{5})` as (\w{4}) [^\n]*\n\n```json\n([\s\S]*?)```/g)].map((m) => ({
    interfaceId: m[1]!,
    companyCode: m[2]!,
    body: JSON.parse(m[3]!) as Record<string, string>,
  }));
}

forEachBackend('DEMO.md drawn from the registry', (backend) => {
  let db: TestDb;
  let markdown: string;
  const clock = testGridClock();

  before(async () => {
    db = await backend.open();
    await migrate(db, allGridMigrations);
    await seedRegistry(db, demoSeed);
    markdown = await demoRegistryMarkdown(db, clock);
  });
  after(() => db.close());

  test('lists the current retailer and the customer names in kana and kanji of every point, as the registry has them', async () => {
    const rows = [...markdown.matchAll(/^\| [^|]+ \| ((\d{2})\d{20}) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|/gm)];
    assert.ok(rows.length >= 40, `${rows.length} points listed`);
    for (const [, id, area, retailer, kana, kanji] of rows) {
      const facility = (await findFacility(db, gridSchema(area as AreaCode), id!))!;
      assert.equal(retailer!.trim().split(' ')[0], facility.retailerCode ?? '–', `${id}: current retailer`);
      if (facility.retailerCode) assert.match(retailer!, /デモ/, `${id}: with the retailer's name`);
      assert.equal(kana!.trim(), facility.customer?.nameKana ?? '–', `${id}: kana`);
      assert.equal(kanji!.trim(), facility.customer?.nameKanji ?? '–', `${id}: kanji`);
    }
  });

  test('names only fields the interfaces it mentions have', () => {
    for (const paragraph of markdown.split(/\n\n+/)) {
      const ids = [...new Set(paragraph.match(/I[FS]_[A-Z]?\d{5}/g) ?? [])];
      if (ids.length === 0) continue;
      const known = new Set(ids.flatMap((id) => [...fieldIds(id)]));
      const named = [...paragraph.matchAll(/`([a-z][A-Za-z]+)`/g)].map((m) => m[1]!);
      for (const name of named) assert.ok(known.has(name), `\`${name}\` is no field of ${ids.join(', ')}: ${paragraph}`);
    }
    assert.match(markdown, /`halfHourlyDate`/);
  });

  test('every example request validates against the catalogue, and the grid accepts the applications as shown', async () => {
    const examples = examplesOf(markdown);
    assert.deepEqual(
      examples.map((e) => e.interfaceId),
      ['IF_10110', 'IF_10210', 'IF_10220', 'IF_10310', 'IF_10610', 'IF_10620', 'IF_10410'],
    );
    for (const e of examples) {
      const checked = validateRequest(interfaceById(e.interfaceId)!, e.body);
      assert.ok(checked.ok, `${e.interfaceId}: ${JSON.stringify(!checked.ok && checked.messages)}`);
    }
    assert.ok('halfHourlyDate' in examples.find((e) => e.interfaceId === 'IF_10310')!.body);
    const grid = new Grid({ area: '03', db, clock });
    for (const e of examples.filter((x) => x.interfaceId === 'IF_10610' || x.interfaceId === 'IF_10410')) {
      assert.ok(e.body.customerName, `${e.interfaceId} shows the kanji name`);
      const answer = await grid.handle(gridRequest(e.interfaceId, e.body, `${e.companyCode}3`));
      assert.equal(answer.result, 'OK', `${e.interfaceId} as ${e.companyCode}: ${JSON.stringify(answer.messages)}`);
    }
    const usage = examples.find((e) => e.interfaceId === 'IF_10210')!;
    const applied = await grid.handle(gridRequest('IF_10210', usage.body, `${usage.companyCode}3`));
    assert.equal(applied.result, 'OK', JSON.stringify(applied.messages));
  });
});
