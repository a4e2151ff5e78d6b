/**
 * Real mutual-TLS handshakes on localhost: the proof that what `issue.ts` makes is what a node
 * HTTPS server configured as the hub's will be (`requestCert`, `rejectUnauthorized`, `ca`) accepts
 * and refuses, and that `describeCert` finds the caller from the peer certificate's raw bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type ConnectionOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createCa } from '../../../src/platform/pki/ca.ts';
import { issueClientCert, issueServerCert } from '../../../src/platform/pki/issue.ts';
import { describeCert, type CertDescription } from '../../../src/platform/pki/identity.ts';
import { toPkcs12 } from '../../../src/platform/pki/pkcs12.ts';

const DAY_MS = 86_400_000;
const ca = createCa({ commonName: 'kirikae test CA' });
const foreignCa = createCa({ commonName: 'someone else CA' });
const server = issueServerCert({ ca, hostnames: ['localhost', '127.0.0.1'] });
const retailerApi = issueClientCert({ ca, participantCode: '10013', usage: 'api' });

interface Outcome {
  /** Who the server found on the other end, when it accepted the connection. */
  identity?: CertDescription;
  /** What the client read from the server: "welcome" once accepted. */
  received: string;
  /** Why the server found the client certificate wanting; seen only by a server told not to reject. */
  authorizationError?: string;
  clientError?: NodeJS.ErrnoException;
}

/**
 * One connection from a client with `client` options to a hub-like server trusting `ca`. A server
 * that rejects an unverified client certificate closes the connection without saying why (in
 * TLS 1.3 the client has already finished its side), so `observe` runs the same server without
 * rejecting, to read the verification error and prove a refusal happened for the right reason.
 */
async function handshake(client: ConnectionOptions, mode: 'reject' | 'observe' = 'reject'): Promise<Outcome> {
  const outcome: Outcome = { received: '' };
  const tlsServer = createServer(
    {
      cert: server.certPem,
      key: server.keyPem,
      ca: [ca.certPem],
      requestCert: true,
      rejectUnauthorized: mode === 'reject',
    },
    (socket) => {
      if (socket.authorizationError) outcome.authorizationError = String(socket.authorizationError);
      else outcome.identity = describeCert(socket.getPeerCertificate().raw);
      socket.end('welcome');
    },
  );
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const { port } = tlsServer.address() as AddressInfo;
  try {
    await new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: [ca.certPem], ...client });
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (outcome.received += chunk));
      socket.on('error', (error) => (outcome.clientError = error));
      socket.on('close', () => resolve());
      socket.setTimeout(10_000, () => socket.destroy(new Error('handshake timed out')));
    });
  } finally {
    await new Promise((resolve) => tlsServer.close(resolve));
  }
  return outcome;
}

test('accepts a client certificate from the hub CA and finds the participant and usage it binds', async () => {
  const outcome = await handshake({ cert: retailerApi.certPem, key: retailerApi.keyPem });
  assert.equal(outcome.clientError, undefined);
  assert.equal(outcome.received, 'welcome');
  assert.equal(outcome.identity?.participantCode, '10013');
  assert.equal(outcome.identity?.usage, 'api');
  assert.equal(outcome.identity?.fingerprint256, retailerApi.fingerprint256);
  assert.equal(outcome.identity?.serialNumber, retailerApi.serialNumber);
});

test('accepts a terminal certificate and tells it apart from the API certificate of the same retailer', async () => {
  const terminal = issueClientCert({ ca, participantCode: '10013', usage: 'terminal', terminalName: '本社 営業部 端末3' });
  const outcome = await handshake({ cert: terminal.certPem, key: terminal.keyPem });
  assert.equal(outcome.identity?.participantCode, '10013');
  assert.equal(outcome.identity?.usage, 'terminal');
  assert.equal(outcome.identity?.subject.CN, '本社 営業部 端末3');
});

test('accepts a client that presents its certificate from the PKCS#12 bundle it was given', async () => {
  const pfx = toPkcs12({ ...retailerApi, caPem: ca.certPem, password: 'p12-pass', friendlyName: '10013 api' });
  const outcome = await handshake({ pfx, passphrase: 'p12-pass' });
  assert.equal(outcome.identity?.participantCode, '10013');
});

test('refuses a client certificate signed by a foreign CA', async () => {
  const forged = issueClientCert({ ca: foreignCa, participantCode: '10013', usage: 'api' });
  const outcome = await handshake({ cert: forged.certPem, key: forged.keyPem });
  assert.equal(outcome.identity, undefined);
  assert.equal(outcome.received, '');
  const observed = await handshake({ cert: forged.certPem, key: forged.keyPem }, 'observe');
  assert.equal(observed.authorizationError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
});

test('refuses a client certificate that has expired', async () => {
  const threeYearsAgo = new Date(Date.now() - 3 * 365 * DAY_MS);
  const expired = issueClientCert({ ca, participantCode: '10013', usage: 'api', now: threeYearsAgo });
  assert.ok(describeCert(expired.certPem).notAfter.getTime() < Date.now());
  const outcome = await handshake({ cert: expired.certPem, key: expired.keyPem });
  assert.equal(outcome.identity, undefined);
  assert.equal(outcome.received, '');
  const observed = await handshake({ cert: expired.certPem, key: expired.keyPem }, 'observe');
  assert.equal(observed.authorizationError, 'CERT_HAS_EXPIRED');
});

test('refuses a connection that presents no client certificate', async () => {
  const outcome = await handshake({});
  assert.equal(outcome.identity, undefined);
  assert.equal(outcome.received, '');
  assert.equal(outcome.clientError?.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
});

test('refuses a server certificate presented as a client certificate, as it lacks clientAuth', async () => {
  const outcome = await handshake({ cert: server.certPem, key: server.keyPem });
  assert.equal(outcome.identity, undefined);
  assert.equal(outcome.received, '');
  const observed = await handshake({ cert: server.certPem, key: server.keyPem }, 'observe');
  assert.equal(observed.authorizationError, 'INVALID_PURPOSE');
});

test('the client verifies the server certificate for localhost and for 127.0.0.1 against the hub CA', async () => {
  const byName = await handshake({ cert: retailerApi.certPem, key: retailerApi.keyPem, servername: 'localhost' });
  assert.equal(byName.received, 'welcome');
  const byIp = await handshake({ cert: retailerApi.certPem, key: retailerApi.keyPem, servername: undefined });
  assert.equal(byIp.clientError, undefined);
  assert.equal(byIp.received, 'welcome');
});

test('the client refuses the server when it trusts another CA or expects another host name', async () => {
  const untrusted = await handshake({ ca: [foreignCa.certPem], cert: retailerApi.certPem, key: retailerApi.keyPem });
  assert.match(String(untrusted.clientError?.code), /UNABLE_TO_VERIFY|SELF_SIGNED/);
  const wrongHost = await handshake({ servername: 'hub.example.jp', cert: retailerApi.certPem, key: retailerApi.keyPem });
  assert.equal(wrongHost.clientError?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
});
