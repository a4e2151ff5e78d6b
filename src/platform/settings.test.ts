import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { ConfigError, readSetting, readSettings, settingRows, settingsMarkdownTable, unknownVariables } from './settings.ts';

const root = new URL('../../', import.meta.url).pathname;

test('with nothing set, every setting has its default: the embedded sandbox under ./var', () => {
  const config = loadConfig({});
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.mode, 'sandbox');
  assert.equal(config.port, 8443);
  assert.equal(config.opsPort, 8081);
  assert.equal(config.settings.opsHost, '127.0.0.1');
  assert.equal(config.settings.rateLimitPerMinute, undefined, 'the mode’s default (rate-limit.ts)');
  assert.equal(config.settings.gridTimeoutMs, 10_000);
  assert.equal(config.settings.gridUrls.size, 0);
  assert.equal(config.settings.logFormat, undefined);
  assert.ok(config.home.endsWith('/var'));
});

test('parses each variable to its type: ports, URLs per area, enumerations, a blank value as unset', () => {
  const settings = readSettings({
    PORT: '9443',
    DATABASE_URL: 'postgres://kirikae@db:5432/kirikae',
    KIRIKAE_MODE: 'production',
    KIRIKAE_GRID_03_URL: 'https://grid03.example:9443',
    KIRIKAE_GRID_06_DATABASE_URL: 'postgresql://grid06@db06/grid',
    KIRIKAE_LOG_FORMAT: 'json',
    KIRIKAE_RATE_LIMIT_BURST: ' 50 ',
    KIRIKAE_SMTP_URL: '',
  });
  assert.equal(settings.port, 9443);
  assert.equal(settings.mode, 'production');
  assert.equal(settings.gridUrls.get('03')?.host, 'grid03.example:9443');
  assert.equal(settings.gridDatabaseUrls.get('06'), 'postgresql://grid06@db06/grid');
  assert.equal(settings.logFormat, 'json');
  assert.equal(settings.rateLimitBurst, 50);
  assert.equal(settings.smtpUrl, undefined);
  assert.equal(readSetting({ KIRIKAE_GRID_TIMEOUT_MS: '2500' }, 'gridTimeoutMs'), 2500);
});

test('refuses to start with every wrong variable named at once, each saying what it must be; a password is never repeated', () => {
  let error: unknown;
  try {
    readSettings({
      PORT: '99999',
      KIRIKAE_MODE: 'staging',
      KIRIKAE_GRID_03_URL: 'http://grid03.example',
      DATABASE_URL: 'mysql://kirikae:hunter2@db/kirikae',
      KIRIKAE_RATE_LIMIT_PER_MINUTE: '-1',
      KIRIKAE_LOG_LEVEL: 'verbose',
    });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ConfigError);
  assert.deepEqual(error.problems, [
    'DATABASE_URL must be a postgres:// URL, not "mysql://kirikae:***@db/kirikae"',
    'KIRIKAE_MODE must be one of sandbox, verification, production, not "staging"',
    'PORT must be a port number from 0 to 65,535, not "99999"',
    'KIRIKAE_LOG_LEVEL must be one of debug, info, warn, error, not "verbose"',
    'KIRIKAE_GRID_03_URL must be an https:// URL (mutual TLS), not "http://grid03.example"',
    'KIRIKAE_RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 1,000,000,000, not "-1"',
  ]);
  assert.doesNotMatch(error.message, /hunter2/);
});

test('kirikae config rows show the values in force with passwords hidden; KIRIKAE_ variables that are no setting are named', () => {
  const rows = settingRows({ DATABASE_URL: 'postgres://kirikae:hunter2@db/kirikae', KIRIKAE_GRID_03_URL: 'https://g3', KIRIKAE_GRID_10_URL: 'https://g10' });
  assert.equal(rows.find((r) => r.env === 'DATABASE_URL')?.value, 'postgres://kirikae:***@db/kirikae');
  assert.equal(rows.find((r) => r.env === 'KIRIKAE_GRID_<AREA>_URL')?.value, '03=https://g3, 10=https://g10');
  assert.equal(rows.find((r) => r.env === 'PORT')?.value, undefined);
  assert.deepEqual(
    unknownVariables({
      KIRIKAE_RATE_LIMIT_PERMINUTE: '1',
      KIRIKAE_GRID_11_URL: 'x',
      KIRIKAE_TEST_DATABASE_URL: 'x',
      KIRIKAE_BENCH_POINTS: '1',
      KIRIKAE_MODE: 'sandbox',
      PATH: '/bin',
    }),
    ['KIRIKAE_GRID_11_URL', 'KIRIKAE_RATE_LIMIT_PERMINUTE'],
  );
});

test('the README’s Configuration table is the schema’s', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.ok(readme.includes(settingsMarkdownTable()), `README.md must contain, as it is:\n${settingsMarkdownTable()}`);
});

test('no module but the settings reads an environment variable by name', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !['settings.ts', 'log.ts'].includes(entry.name)) {
        const text = readFileSync(path, 'utf8');
        if (/\benv\.[A-Z][A-Z0-9_]+|\benv\[['`"]/.test(text)) offenders.push(path.slice(root.length));
      }
    }
  };
  walk(join(root, 'src'));
  assert.deepEqual(offenders, [], 'read it through platform/settings.ts');
});
