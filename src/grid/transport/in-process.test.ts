import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AreaCode } from '../../domain/area.ts';
import { GridUnavailableError, isGridUnavailable } from '../../interfaces/grid-unavailable.ts';
import type { InterfaceRequest, InterfaceResponse } from '../../interfaces/message.ts';
import type { GridEndpoint } from '../grid.ts';
import { gridRequest } from '../testing.ts';
import { InProcessGridTransport } from './in-process.ts';

function endpoint(area: AreaCode, handle: (request: InterfaceRequest) => Promise<InterfaceResponse>): GridEndpoint {
  return { area, handle };
}

const echo = (area: AreaCode) =>
  endpoint(area, async (request) => ({ result: 'OK', messages: [], data: { area, interfaceId: request.interfaceId, body: request.body, at: new Date(0) } }));

test('delivers a request to the grid of its area and returns its answer as JSON would carry it', async () => {
  const transport = new InProcessGridTransport([echo('03'), echo('06')]);
  const response = await transport.send('06', gridRequest('IF_10110', { supplyPointId: '06…', skipped: undefined }));
  assert.deepEqual(response, {
    result: 'OK',
    messages: [],
    data: { area: '06', interfaceId: 'IF_10110', body: { supplyPointId: '06…' }, at: '1970-01-01T00:00:00.000Z' },
  });
  assert.deepEqual(transport.areas, ['03', '06']);
});

test('an NG answer is an answer, not an error', async () => {
  const transport = new InProcessGridTransport([endpoint('03', async () => ({ result: 'NG', messages: [{ code: 'SPID_NOT_FOUND', text: '…' }] }))]);
  assert.equal((await transport.send('03', gridRequest('IF_10110', {}))).result, 'NG');
});

test('an area without a grid in this process is unavailable, not configured', async () => {
  const transport = new InProcessGridTransport([echo('03')]);
  await assert.rejects(transport.send('10', gridRequest('IF_10110', {})), (error: unknown) => {
    assert.ok(isGridUnavailable(error));
    assert.equal(error.area, '10');
    assert.equal(error.reason, 'notConfigured');
    return true;
  });
});

test('a grid that does not answer in time is unavailable at the timeout', async () => {
  let release!: () => void;
  const slow = endpoint('03', () => new Promise((resolve) => (release = () => resolve({ result: 'OK', messages: [] }))));
  const transport = new InProcessGridTransport([slow], { timeoutMs: 5_000 });
  const started = performance.now();
  await assert.rejects(transport.send('03', gridRequest('IF_10110', {}), { timeoutMs: 150 }), (error: unknown) => {
    assert.ok(error instanceof GridUnavailableError);
    assert.equal(error.reason, 'timeout');
    return true;
  });
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 140 && elapsed < 1_000, `${elapsed} ms`);
  release();
});

test('a grid that fails with an error (not a refusal) is unavailable, with the error as its cause', async () => {
  const broken = endpoint('03', async () => {
    throw new Error('relation does not exist');
  });
  const transport = new InProcessGridTransport([broken]);
  await assert.rejects(transport.send('03', gridRequest('IF_10110', {})), (error: unknown) => {
    assert.ok(error instanceof GridUnavailableError);
    assert.equal(error.reason, 'error');
    assert.match(String((error.cause as Error).message), /relation/);
    return true;
  });
});
