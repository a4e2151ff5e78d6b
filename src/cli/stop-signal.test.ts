import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

test('a SIGTERM once the stop signal is taken resolves it instead of killing the process, and leaves no listener behind', async () => {
  // A process of its own: the test runner has SIGTERM listeners of its own.
  const script = `
    import { stopSignal } from ${JSON.stringify(new URL('./stop-signal.ts', import.meta.url).href)};
    const stopped = stopSignal();
    const serving = setInterval(() => {}, 1000); // as a server keeps the process alive
    process.stdout.write('ready\\n');
    const signal = await stopped;
    clearInterval(serving);
    process.stdout.write(signal + ' ' + process.listenerCount('SIGTERM') + ' ' + process.listenerCount('SIGINT') + '\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    if (out === 'ready\n') child.kill('SIGTERM'); // at once, as a supervisor waiting for "ready" may
  });
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  assert.deepEqual([code, signal], [0, null], 'ended by itself, not killed');
  assert.equal(out, 'ready\nSIGTERM 0 0\n');
});
