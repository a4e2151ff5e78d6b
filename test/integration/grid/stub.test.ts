/**
 * The grid stub alone (no hub): every designated refusal on every interface it applies to, with the
 * reference grid's code and the field it concerns; every other interface refused
 * VERIFY_NOT_APPLICABLE; redeliveries answered from the stored answer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestDb } from '../../support/backends.ts';
import { bodyFor } from '../../support/verification.ts';
import { Grid } from '../../../src/grid/grid.ts';
import { StubGrid } from '../../../src/grid/stub/stub-grid.ts';
import { countStubApplications } from '../../../src/grid/stub/stub.repository.ts';
import { gridRequest, testGridClock } from '../../../src/grid/testing.ts';
import { interfaces } from '../../../src/interfaces/catalogue/catalogue.ts';
import { codeOf, designatedEntries, designatedId, interfacesOf } from '../../../src/interfaces/verification/designated.ts';

forEachBackend('grid stub: designated refusals on every interface', (backend) => {
  let db: TestDb;
  before(async () => {
    db = await backend.open();
  });
  after(() => db.close());

  const ids = interfaces.map((i) => i.id);
  let serial = 0;

  test('each designated refusal answers NG with its code on every interface it applies to, and VERIFY_NOT_APPLICABLE on the others', async () => {
    const stub = new StubGrid(new Grid({ area: '06', db, clock: testGridClock() }));
    const gridIds = ids.filter((id) => /^IF_[KF]?10[1-9]10$/.test(id));
    for (const entry of designatedEntries.filter((e) => e.behaviour(1).type === 'ng')) {
      const point = designatedId('06', entry.number);
      const applies = new Set(interfacesOf(entry, ids));
      for (const interfaceId of gridIds) {
        const extra = entry.updateFlags && applies.has(interfaceId) ? { updateFlag: entry.updateFlags[0], applicationNumber: 'AP06-20261125000001' } : {};
        const answer = await stub.handle(gridRequest(interfaceId, bodyFor(interfaceId, point, `S-${++serial}`, extra), 'A0036'));
        const expected = applies.has(interfaceId) ? codeOf(entry)! : 'VERIFY_NOT_APPLICABLE';
        assert.equal(answer.result, 'NG', `${entry.number} on ${interfaceId}`);
        assert.deepEqual(
          answer.messages.map((m) => m.code),
          [expected],
          `${entry.number} on ${interfaceId}`,
        );
        assert.doesNotMatch(answer.messages[0]!.text, /\{\w+\}/, `${entry.number} on ${interfaceId}: every value of the text filled in`);
      }
    }
  });

  test("a redelivery of a filing gets the stored answer and files nothing more; another area's ID goes to the reference grid", async () => {
    const stub = new StubGrid(new Grid({ area: '06', db, clock: testGridClock() }));
    const point = designatedId('06', '0401');
    const request = gridRequest('IF_10510', bodyFor('IF_10510', point, 'R-1'), 'A0036');
    const first = await stub.handle(request);
    const again = await stub.handle(request);
    assert.deepEqual(again, first);
    assert.equal(await countStubApplications(db, 'grid_06', point), 1);
    const elsewhere = await stub.handle(gridRequest('IF_10110', { supplyPointId: designatedId('03', '0102') }, 'A0036'));
    assert.deepEqual(
      elsewhere.messages.map((m) => m.code),
      ['GRID_SPID_WRONG_AREA'],
    );
  });
});
