import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Metrics, oncePerScrape } from './metrics.ts';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const documented = new Set([...readme.matchAll(/^\| `(kirikae_[a-z_]+)(?:\*)?` \|/gm)].map((m) => m[1]!));

test('every metric the process registers is in the README’s list', async () => {
  const metrics = new Metrics({ processMetrics: false });
  const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
  assert.ok(names.length >= 4);
  for (const name of names) assert.ok(documented.has(name), `${name} is documented in README.md "Metrics"`);
});

test('the sample Grafana dashboard queries only documented metrics, and is valid JSON with a Prometheus data source input', () => {
  const dashboard = JSON.parse(readFileSync(new URL('ops/grafana-dashboard.json', root), 'utf8')) as {
    __inputs: { pluginId: string }[];
    panels: { targets: { expr: string }[] }[];
  };
  assert.equal(dashboard.__inputs[0]?.pluginId, 'prometheus');
  const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\bkirikae_[a-z0-9_]+/g)].map((m) => m[0]))));
  assert.ok(used.size >= 10);
  for (const name of used) {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(documented.has(base) || base.startsWith('kirikae_process_'), `${name} is documented`);
  }
});

test('gauges sharing one read ask for it once per scrape, and afresh at the next scrape', async () => {
  const metrics = new Metrics({ processMetrics: false });
  let reads = 0;
  const read = oncePerScrape(async () => {
    reads += 1;
    return { pending: 3, oldest: 40 };
  });
  metrics.gaugeFromScrape('test_pending', 'pending', [], async () => [{ labels: {}, value: (await read()).pending }]);
  metrics.gaugeFromScrape('test_oldest', 'oldest', [], async () => [{ labels: {}, value: (await read()).oldest }]);
  const first = await metrics.registry.metrics();
  assert.match(first, /^test_pending 3$/m);
  assert.match(first, /^test_oldest 40$/m);
  assert.equal(reads, 1);
  await metrics.registry.metrics();
  assert.equal(reads, 2);
});
