import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPasswordPolicy, generateInitialPassword, hashPassword, needsRehash, passwordHashParams, verifyPassword } from './password.ts';

const cheap = { ln: 10, r: 8, p: 1 };

test('a hash verifies its own password and no other', async () => {
  const hash = await hashPassword('Correct-Horse-9', cheap);
  assert.equal(await verifyPassword('Correct-Horse-9', hash), true);
  assert.equal(await verifyPassword('Correct-Horse-8', hash), false);
});

test('the stored hash carries its parameters and a fresh salt each time', async () => {
  const a = await hashPassword('Correct-Horse-9', cheap);
  const b = await hashPassword('Correct-Horse-9', cheap);
  assert.match(a, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.notEqual(a, b);
});

test('a hash made with weaker parameters still verifies and asks to be re-hashed', async () => {
  const weak = await hashPassword('Correct-Horse-9', cheap);
  assert.equal(await verifyPassword('Correct-Horse-9', weak), true);
  // Against the production parameters, named: the test process may run with cheaper defaults
  // (hub/identity/testing.ts lowers them for every test in its process).
  assert.equal(needsRehash(weak, passwordHashParams), true);
  assert.equal(needsRehash(weak, cheap), false);
  assert.equal(needsRehash(`$scrypt$ln=${passwordHashParams.ln},r=8,p=${passwordHashParams.p}$AAAA$AAAA`, passwordHashParams), false);
});

test('a stored string that is not one of our hashes never verifies', async () => {
  assert.equal(await verifyPassword('anything', 'plain-text-password'), false);
  assert.equal(await verifyPassword('anything', '$scrypt$ln=99,r=8,p=1$AAAA$AAAA'), false);
});

test('the policy refuses short, long, non-ASCII and spaced passwords', () => {
  const ctx = { userId: '1003.user' };
  assert.throws(() => checkPasswordPolicy('Ab1-short', ctx), { code: 'AUTH_PASSWORD_LENGTH' });
  assert.throws(() => checkPasswordPolicy(`Ab1-${'x'.repeat(61)}`, ctx), { code: 'AUTH_PASSWORD_LENGTH' });
  assert.throws(() => checkPasswordPolicy('Ａｂ１－ｆｕｌｌｗｉｄｔｈ', ctx), { code: 'AUTH_PASSWORD_CHARSET' });
  assert.throws(() => checkPasswordPolicy('Correct Horse 9', ctx), { code: 'AUTH_PASSWORD_CHARSET' });
  assert.doesNotThrow(() => checkPasswordPolicy(`Ab1-${'x'.repeat(60)}`, ctx));
});

test('the policy asks for three of upper case, lower case, digits and symbols', () => {
  const ctx = { userId: '1003.user' };
  assert.throws(() => checkPasswordPolicy('correcthorse', ctx), { code: 'AUTH_PASSWORD_CLASSES' });
  assert.throws(() => checkPasswordPolicy('correcthorse9', ctx), { code: 'AUTH_PASSWORD_CLASSES' });
  assert.doesNotThrow(() => checkPasswordPolicy('correcthorse9!', ctx));
  assert.doesNotThrow(() => checkPasswordPolicy('CorrectHorse9', ctx));
  assert.doesNotThrow(() => checkPasswordPolicy('Correct-Horse', ctx));
});

test('the policy refuses a password containing the user ID in any case, or equal to the current one', () => {
  assert.throws(() => checkPasswordPolicy('X-1003.USER-9', { userId: '1003.user' }), { code: 'AUTH_PASSWORD_CONTAINS_USER_ID' });
  assert.throws(() => checkPasswordPolicy('Correct-Horse-9', { userId: '1003.user', current: 'Correct-Horse-9' }), {
    code: 'AUTH_PASSWORD_REUSED',
  });
});

test('initial passwords are 16 random characters that meet the policy', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const password = generateInitialPassword('1003.user');
    assert.equal(password.length, 16);
    assert.doesNotThrow(() => checkPasswordPolicy(password, { userId: '1003.user' }));
    assert.match(password, /[A-Z]/);
    assert.match(password, /[a-z]/);
    assert.match(password, /[0-9]/);
    assert.doesNotMatch(password, /[0O1lI]/);
    seen.add(password);
  }
  assert.equal(seen.size, 200);
});
