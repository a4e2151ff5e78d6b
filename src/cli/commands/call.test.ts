import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceById } from '../../interfaces/catalogue/catalogue.ts';
import { fieldsFromArgs } from './call.ts';

test('kirikae call sends a number field given on the command line as a JSON number, other fields as text', () => {
  assert.deepEqual(fieldsFromArgs(interfaceById('IS_30110')!, undefined, ['page=2', 'pageSize=５', 'text=007']), { page: 2, pageSize: 5, text: '007' });
  assert.deepEqual(fieldsFromArgs(interfaceById('IF_10110')!, '0300001234567890123456', []), { supplyPointId: '0300001234567890123456' });
  assert.deepEqual(fieldsFromArgs(interfaceById('IS_30110')!, undefined, ['page=two']), { page: 'two' }, 'left as typed, for the hub to refuse');
  assert.equal(fieldsFromArgs(interfaceById('IS_30110')!, undefined, ['page']), 'page');
});
