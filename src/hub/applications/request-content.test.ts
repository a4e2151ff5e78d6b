import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestContentDigest, updateFlagOf } from './outbox.ts';

const registration = {
  requestId: 'r1',
  updateFlag: '1',
  supplyPointId: '0300001234567890123456',
  customerNameKana: 'ヤマダ ハナコ',
  address: { city: '千代田区', prefecture: '東京都' },
};

test('the request content is the same whatever the key order, and whether absent fields are left out or undefined', () => {
  const reordered = {
    address: { prefecture: '東京都', city: '千代田区' },
    customerNameKana: 'ヤマダ ハナコ',
    supplyPointId: '0300001234567890123456',
    updateFlag: '1',
    requestId: 'r1',
    phoneNumber: undefined,
  };
  assert.equal(requestContentDigest('IF_10610', reordered), requestContentDigest('IF_10610', registration));
});

test('a registration’s application number is the hub’s, no part of its content; a correction’s is', () => {
  assert.equal(requestContentDigest('IF_10610', { ...registration, applicationNumber: 'AP03-20261125000001' }), requestContentDigest('IF_10610', registration));
  const correction = { ...registration, updateFlag: '2', applicationNumber: 'AP03-20261125000001' };
  assert.notEqual(requestContentDigest('IF_10610', correction), requestContentDigest('IF_10610', { ...correction, applicationNumber: 'AP03-20261125000002' }));
});

test('another value, another nested value, or another interface is other content', () => {
  const digest = requestContentDigest('IF_10610', registration);
  assert.notEqual(requestContentDigest('IF_10610', { ...registration, supplyPointId: '0300001234567890123457' }), digest);
  assert.notEqual(requestContentDigest('IF_10610', { ...registration, address: { ...registration.address, city: '港区' } }), digest);
  assert.notEqual(requestContentDigest('IF_K10610', registration), digest);
  assert.notEqual(requestContentDigest('IF_10610', { ...registration, phoneNumber: '03-1111-2222' }), digest);
});

test('an interface without an update flag (the usage password application) only registers', () => {
  assert.equal(updateFlagOf({ requestId: 'pw-1' }), '1');
  assert.equal(updateFlagOf({ updateFlag: '3' }), '3');
});
