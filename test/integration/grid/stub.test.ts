/**
 * The grid stub alone (no hub): every designated refusal on every interface it applies to, with the
 * reference grid's code and the field it concerns; every other interface refused
 * VERIFY_NOT_APPLICABLE; redeliveries answered from the stored answer; the stub's applications in
 * the application feed and its events read by the hub (GRID_EVENTS) as the reference grid's.
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

/**
 * Asks again until `done` holds (or 60 s passed): the feed and the events only show changes below
 * their horizon (grid/applications/feed-horizon.ts), which a writer of the feed's tables still
 * running holds back until it ends.
 */
async function settled<T>(ask: () => Promise<T>, done: (answer: T) => boolean): Promise<T> {
  const until = Date.now() + 60_000;
  for (;;) {
    const answer = await ask();
    if (done(answer) || Date.now() > until) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
        const answer = await stub.handle(gridRequest(interfaceId, bodyFor(interfaceId, point, `S-${++serial}`, extra), '10036'));
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
    const request = gridRequest('IF_10510', bodyFor('IF_10510', point, 'R-1'), '10036');
    const first = await stub.handle(request);
    const again = await stub.handle(request);
    assert.deepEqual(again, first);
    assert.equal(await countStubApplications(db, 'grid_06', point), 1);
    const elsewhere = await stub.handle(gridRequest('IF_10110', { supplyPointId: designatedId('03', '0102') }, '10036'));
    assert.deepEqual(
      elsewhere.messages.map((m) => m.code),
      ['GRID_SPID_WRONG_AREA'],
    );
  });

  test("the stub's applications and the reference grid's share one feed and one event stream, each change once, in order", async () => {
    const clock = testGridClock();
    const stub = new StubGrid(new Grid({ area: '06', db, clock }));
    const hub = (body: Record<string, unknown>) => stub.handle(gridRequest('GRID_EVENTS', body, 'H000'));
    const start = await hub({});
    const cursor = (start.data as { nextCursor: string }).nextCursor;
    const feedStart = ((await stub.handle(gridRequest('IF_K11110', { pageSize: '500' }, '10096'))).data as { nextCursor: string }).nextCursor;

    const meter = await stub.handle(gridRequest('IF_K10610', bodyFor('IF_K10610', designatedId('06', '0402'), 'E-1'), '10096'));
    const number = (meter.data as { applicationNumber: string }).applicationNumber;
    const cancelled = await stub.handle(gridRequest('IF_K10510', bodyFor('IF_K10510', designatedId('06', '0401'), 'E-2'), '10096'));
    const cancelledNumber = (cancelled.data as { applicationNumber: string }).applicationNumber;
    const cancel = await stub.handle(
      gridRequest('IF_K10510', bodyFor('IF_K10510', designatedId('06', '0401'), 'E-3', { updateFlag: '3', applicationNumber: cancelledNumber }), '10096'),
    );
    assert.equal(cancel.result, 'OK');
    for (let i = 0; i < 3; i++) await stub.handle(gridRequest('IF_K10620', { applicationNumber: number }, '10096'));

    // The start cursor stands behind every writer of the feed's tables still running, so the
    // earlier tests' changes may follow it too: this test's two applications are looked at.
    const ours = (applicationNumber: string) => applicationNumber === number || applicationNumber === cancelledNumber;
    type Events = { events: { applicationNumber: string; event: string; kind: string; stage: string }[] };
    const events = await settled(
      async () => {
        const page = (await hub({ since: cursor })).data as Events;
        return { events: page.events.filter((e) => ours(e.applicationNumber)) };
      },
      (e) => e.events.length >= 3,
    );
    assert.deepEqual(
      events.events.map((e) => [e.applicationNumber, e.kind, e.event, e.stage]),
      [
        [cancelledNumber, 'moveOut', 'cancelled', '09'],
        [number, 'switchIn', 'matchingComplete', '05'],
        [number, 'switchIn', 'completed', '08'],
      ],
    );
    const refusedToOthers = await stub.handle(gridRequest('GRID_EVENTS', {}, '10096'));
    assert.deepEqual(
      refusedToOthers.messages.map((m) => m.code),
      ['MAIL_GRID_EVENTS_HUB_ONLY'],
    );

    type Feed = { items: { applicationNumber: string; stage: string }[] };
    const feed = await settled(
      async () => {
        const page = (await stub.handle(gridRequest('IF_K11110', { since: feedStart, pageSize: '500' }, '10096'))).data as Feed;
        return { items: page.items.filter((i) => ours(i.applicationNumber)) };
      },
      (f) => f.items.length >= 2,
    );
    assert.deepEqual(
      feed.items.map((i) => [i.applicationNumber, i.stage]),
      [
        [cancelledNumber, '09'],
        [number, '08'],
      ],
      'each application once, at its last change, in the order of the changes',
    );
    const others = (await stub.handle(gridRequest('IF_K11110', { pageSize: '500' }, '20016'))).data as { items: unknown[] };
    assert.deepEqual(others.items, [], "another participant's feed does not show them");
  });
});

forEachBackend('grid stub: a batch of filings from the hub', (backend) => {
  test('designated filings in a batch are answered by the script as if alone (a timeout left undecided), the others by the reference grid', async () => {
    await using db = await backend.open();
    const stub = new StubGrid(new Grid({ area: '06', db, clock: testGridClock() }));
    const ngEntry = designatedEntries.find(
      (e) => e.behaviour(1).type === 'ng' && codeOf(e) !== 'SPID_NOT_FOUND' && interfacesOf(e, ['IF_10410']).includes('IF_10410') && !e.updateFlags,
    )!;
    const timeoutEntry = designatedEntries.find((e) => e.behaviour(1).type === 'timeout' && interfacesOf(e, ['IF_10410']).includes('IF_10410'))!;
    assert.ok(ngEntry && timeoutEntry, 'the catalogue has an NG and a timeout designation for IF_10410');
    const unknownPoint = '0699999999999999999999';
    const filings = [
      gridRequest('IF_10410', bodyFor('IF_10410', designatedId('06', ngEntry.number), 'B-1'), '10036'),
      gridRequest('IF_10410', bodyFor('IF_10410', unknownPoint, 'B-2'), '10036'),
      gridRequest('IF_10410', bodyFor('IF_10410', designatedId('06', timeoutEntry.number), 'B-3'), '10036'),
    ];
    const batch = await stub.handle(gridRequest('GRID_APPLICATION_BATCH', { filings }, 'H000'));
    assert.equal(batch.result, 'OK', JSON.stringify(batch));
    const answers = (batch.data as { answers: ({ result: string; messages: { code: string }[] } | null)[] }).answers;
    assert.equal(answers.length, 3);
    assert.deepEqual(
      answers[0]!.messages.map((m) => m.code),
      [codeOf(ngEntry)],
      'the script answered the designated filing',
    );
    assert.deepEqual(
      answers[1]!.messages.map((m) => m.code),
      ['SPID_NOT_FOUND'],
      'the reference grid answered the ordinary filing (a point it does not have)',
    );
    assert.equal(answers[2], null, 'a timeout designation leaves its filing undecided, for the hub to deliver again');

    const notHub = await stub.handle(gridRequest('GRID_APPLICATION_BATCH', { filings }, '10036'));
    assert.deepEqual(
      notHub.messages.map((m) => m.code),
      ['GRID_BATCH_HUB_ONLY'],
    );
  });
});
