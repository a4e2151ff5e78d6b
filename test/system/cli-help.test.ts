/**
 * `kirikae <group> --help` (issue 12 §4): a command group's help lists its sub-commands, as the
 * main help does; a group without a sub-command, or with an unknown one, lists them on stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kirikaeSync } from '../support/kirikae-process.ts';

const kirikae = (...args: string[]) => kirikaeSync({ KIRIKAE_QUIET: '1' }, ...args);

test('kirikae clock --help and kirikae pki --help list their sub-commands with their summaries', () => {
  const clock = kirikae('clock', '--help');
  assert.equal(clock.status, 0, clock.err);
  assert.match(clock.out, /^Usage: kirikae clock <command>/m);
  assert.match(clock.out, /^ {2}clock show +システム時刻を表示する/m);
  assert.match(clock.out, /^ {2}clock advance +サンドボックスの時計を進める/m);
  assert.doesNotMatch(clock.out, /pki|seed/);

  const pki = kirikae('pki', '-h');
  assert.equal(pki.status, 0, pki.err);
  for (const command of ['init', 'issue', 'list', 'register', 'suspend', 'resume']) assert.match(pki.out, new RegExp(`^ {2}pki ${command} `, 'm'));
  assert.match(kirikae('db', 'help').out, /^ {2}db migrate /m);
});

test('a group alone or with an unknown sub-command exits 2 and lists the group; an unknown word lists everything', () => {
  const bare = kirikae('pki');
  assert.equal(bare.status, 2);
  assert.match(bare.err, /^kirikae pki: name a command/);
  assert.match(bare.err, /^ {2}pki suspend /m);
  const unknown = kirikae('clock', 'rewind');
  assert.equal(unknown.status, 2);
  assert.match(unknown.err, /^kirikae: unknown command "clock rewind"/);
  assert.match(unknown.err, /^ {2}clock advance /m);
  assert.doesNotMatch(unknown.err, /pki issue/);
  const other = kirikae('clocks');
  assert.equal(other.status, 2);
  assert.match(other.err, /^ {2}pki issue /m);
});
