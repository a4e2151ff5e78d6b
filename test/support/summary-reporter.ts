/**
 * A node:test reporter that prints one last line, "N passed, N failed", for CI to read.
 * Counts leaf tests (suites are not counted); skipped and todo tests count as neither.
 */
interface TestEvent {
  type: string;
  data: { details?: { type?: string }; skip?: unknown; todo?: unknown };
}

export default async function* summary(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    const isSuite = event.data?.details?.type === 'suite';
    if (isSuite) continue;
    if (event.type === 'test:pass' && !event.data.skip && !event.data.todo) passed++;
    if (event.type === 'test:fail') failed++;
  }
  yield `${passed} passed, ${failed} failed\n`;
}
