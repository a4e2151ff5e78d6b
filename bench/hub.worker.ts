/**
 * One hub in a thread of its own (its own event loop and database pool): as a hub process behind a
 * load balancer would be. Posts its URL once listening; closes when told 'stop'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { benchAuditWriter } from './support.ts';
import { buildHubServer } from '../src/hub/http/hub-server.ts';
import { testClock } from '../src/hub/identity/testing.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';

const job = workerData as { dbUrl: string; tls: { keyPem: string; certPem: string; caPems: string[] } };
process.env.KIRIKAE_QUIET = '1';
const db = await openPostgres(job.dbUrl);
const clock = testClock();
// The hub's audit journal, as `kirikae start` keeps it under KIRIKAE_HOME.
const { audit, stop: stopAudit } = await benchAuditWriter(db);
const hub = await buildHubServer({ db, clock, tls: job.tls, audit, requestsPerMinute: 100_000_000, requestBurst: 1_000_000 });
await hub.listen({ host: '127.0.0.1', port: 0 });
parentPort!.postMessage(`https://localhost:${(hub.server.address() as { port: number }).port}`);
parentPort!.once('message', async () => {
  await hub.close();
  await stopAudit();
  await db.close();
  parentPort!.postMessage('stopped');
});
