/**
 * A node:test reporter for scripts/test.ts: writes one JSON line with the counts of leaf tests
 * (suites are not counted; skipped and todo tests count as neither), the names of the failed ones,
 * and how long each test file took (for balancing the next run's test processes; a suite of
 * forEachBackend by its title).
 */
interface TestEvent {
  type: string;
  data: {
    name?: string;
    file?: string;
    nesting?: number;
    details?: { type?: string; duration_ms?: number };
    skip?: unknown;
    todo?: unknown;
  };
}

export default async function* runReport(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let passed = 0;
  let failed = 0;
  const failures: string[] = [];
  const files: Record<string, number> = {};
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.nesting === 0 && data.file) {
      // A suite declared by forEachBackend is located in backends.ts: it is named by its title then
      // ("<title> [pglite]"), which the runner finds in the test files.
      const key = data.file.endsWith('test/support/backends.ts') ? `title:${(data.name ?? '').replace(/ \[(pglite|postgres)\]$/, '')}` : data.file;
      files[key] = (files[key] ?? 0) + (data.details?.duration_ms ?? 0);
    }
    if (data.details?.type === 'suite') continue;
    if (event.type === 'test:pass' && !data.skip && !data.todo) passed++;
    if (event.type === 'test:fail') {
      failed++;
      failures.push(`${data.name ?? '?'} (${data.file ?? '?'})`);
    }
  }
  yield `${JSON.stringify({ passed, failed, failures, files })}\n`;
}
