import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The README's section that documents the `kirikae` command, up to the next heading. */
function commandSection(): string {
  const start = readme.indexOf('### The `kirikae` command');
  assert.ok(start >= 0, 'the README documents the kirikae command');
  const end = readme.indexOf('\n#', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

test('the README names the sandbox clock screen next to `kirikae clock`, at the path the screen is served on', () => {
  const section = commandSection();
  assert.ok(section.includes('kirikae clock'), 'the command section names kirikae clock');
  assert.ok(section.includes('`/admin/clock`'), 'the command section names the clock screen /admin/clock');
  const screens = readFileSync(new URL('../../web/screens/clock.screens.ts', import.meta.url), 'utf8');
  assert.match(screens, /app\.get\('\/admin\/clock'/, 'the screen is served there');
});

test('the README states the refusal contract OpenAPI documents: HTTP 200 with result NG for field refusals', () => {
  for (const phrase of ['**HTTP 200**', '`IF_UNKNOWN_FIELD`', '400 `IF_JSON_MALFORMED`']) assert.ok(readme.includes(phrase), `the README says ${phrase}`);
});
