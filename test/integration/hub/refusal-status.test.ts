/**
 * The HTTP status of a refusal is what OpenAPI says it is (issue 12 §4): every refusal of what a
 * request says — its fields, the policy, the grid — is HTTP 200 with result NG, as the real system's
 * SOAP answers and as the SDK reads it; an HTTP error status only when the body cannot be read at
 * all. The document, the behaviour and the SDK agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../../support/backends.ts';
import { startTestHub } from '../../support/hub-server.ts';

forEachBackend('refusals and their HTTP status', (backend) => {
  test('field refusals are HTTP 200 with result NG in JSON and SOAP, as OpenAPI documents; only an unreadable body is 400', async () => {
    await using db = await backend.open();
    const hub = await startTestHub(db);
    try {
      const api = hub.as('aApi');
      const doc = (await api.get('/api/v1/openapi.json')).json();
      const responses = doc.paths['/api/v1/IF_10110'].post.responses;

      const fieldCases: [Record<string, unknown>, string][] = [
        [{ supplyPointId: '03' }, 'SPID_LENGTH'],
        [{ supplyPointId: '0300001234567890123456', colour: 'red' }, 'IF_UNKNOWN_FIELD'],
        [{}, 'IF_REQUIRED'],
        [{ supplyPointId: '03000012345678901234ab' }, 'SPID_NOT_DIGITS'],
      ];
      for (const [body, code] of fieldCases) {
        const response = await api.post('/api/v1/IF_10110', { json: body });
        assert.equal(response.status, 200, `${code}: ${response.body}`);
        const envelope = response.json();
        assert.equal(envelope.result, 'NG');
        assert.ok(
          envelope.messages.some((m: { code: string }) => m.code === code),
          `${code}: ${response.body}`,
        );
        // The document promises this status for this refusal, and no other status claims it.
        assert.ok(responses[String(response.status)], `OpenAPI documents HTTP ${response.status}`);
        assert.match(responses['200'].description, /result NG/);
        for (const [status, documented] of Object.entries(responses) as [string, { description: string }][]) {
          if (status !== '200') assert.doesNotMatch(documented.description, /field/i, `HTTP ${status} is not about fields`);
        }
        // The SDK gives the same answer as an answer, not an error.
        const sdk = hub.sdk('aApi');
        const viaSdk = await sdk.call('IF_10110', body);
        sdk.close();
        assert.deepEqual(viaSdk, envelope);
      }
      for (const code of ['SPID_LENGTH', 'IF_UNKNOWN_FIELD', 'IF_REQUIRED']) assert.match(responses['200'].description, new RegExp(code));

      // SOAP: the same refusal is a response with result NG, not a fault.
      const soap = hub.sdk('aApi', 'soap');
      const bySoap = await soap.call('IF_10110', { supplyPointId: '03' });
      soap.close();
      assert.deepEqual(
        bySoap.messages.map((m) => m.code),
        ['SPID_LENGTH'],
      );

      // A body that cannot be read as JSON: HTTP 400, as documented, with the envelope saying so.
      for (const [body, contentType] of [
        ['{"supplyPointId": ', 'application/json'],
        ['', 'application/json'],
      ] as const) {
        const unreadable = await api.post('/api/v1/IF_10110', { body, headers: { 'content-type': contentType } });
        assert.equal(unreadable.status, 400, unreadable.body);
        assert.deepEqual(
          unreadable.json().messages.map((m: { code: string }) => m.code),
          ['IF_JSON_MALFORMED'],
        );
        assert.match(responses['400'].description, /IF_JSON_MALFORMED/);
      }
      assert.match(doc.info.description, /HTTP 200/);
    } finally {
      await hub.close();
    }
  });
});
