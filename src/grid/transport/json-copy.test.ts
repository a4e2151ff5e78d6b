import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../registry/random.ts';
import { jsonCopy } from './json-copy.ts';

/** ES2025, not in this project's lib yet. */
const rawJSON = (JSON as unknown as { rawJSON: (text: string) => unknown }).rawJSON;

const viaText = (value: unknown) => JSON.parse(JSON.stringify(value) as string) as unknown;

/** Every object reachable from `value` (own enumerable string keys, as JSON reads them). */
function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (value === null || typeof value !== 'object' || into.has(value)) return into;
  into.add(value);
  for (const key of Object.keys(value)) objectsOf((value as Record<string, unknown>)[key], into);
  return into;
}

class Point {
  x = 1;
  #hidden = 2;
  get hidden() {
    return this.#hidden;
  }
}

/** Values of every kind JSON.stringify treats in its own way, nested at random. */
function generated(random: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const leaves: (() => unknown)[] = [
    () => null,
    () => undefined,
    () => random() < 0.5,
    () => pick([0, -0, 1, -1.5, 0.1 + 0.2, 1e21, 5e-324, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]),
    () => pick(['', 'abc', '需要者名', 'line\nbreak "quoted" \\ back', '\ud800 lone', 'pair \ud83d\ude00', '\u0000\u001f', '__proto__']),
    () => new Date(Math.floor(random() * 2e12)),
    () => new Date(Number.NaN),
    () => () => 1,
    () => Symbol('s'),
    () => pick([new Number(3), new String('boxed'), new Boolean(false), new Number(Number.NaN)]),
    () => ({ toJSON: (key: string) => `toJSON of ${key}` }),
    () => ({ toJSON: () => undefined }),
    () => ({ toJSON: () => ({ nested: new Date(0), toJSON: 'not called again' }) }),
    () => new Point(),
    () => new Map([['a', 1]]),
    () => new Set([1]),
    () => new Uint8Array([1, 2]),
    () => Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false }),
    () => ({ [Symbol('key')]: 1, plain: 'yes' }),
    () => ({
      get computed() {
        return 'from a getter';
      },
    }),
    () => JSON.parse('{"__proto__": {"polluted": true}, "other": 1}') as unknown,
    () => rawJSON(pick(['1', '"raw"', '1e1000', 'null'])),
    () => new Error('not copied'),
  ];
  if (depth >= 4 || random() < 0.4) return pick(leaves)();
  const size = Math.floor(random() * 5);
  if (random() < 0.4) {
    const array: unknown[] = Array.from({ length: size }, () => generated(random, depth + 1));
    if (random() < 0.2) array.length += 2; // holes at the end
    if (random() < 0.2) delete array[0];
    return array;
  }
  const object: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) object[pick(['a', 'b', 'supplyPointId', '1', '0', 'data', 'x y'])] = generated(random, depth + 1);
  return object;
}

test('copies every generated value exactly as a JSON round trip would', () => {
  const random = mulberry32(18);
  for (let i = 0; i < 5_000; i++) {
    const value = generated(random);
    let expected: unknown;
    try {
      expected = viaText(value);
    } catch (error) {
      assert.throws(
        () => jsonCopy(value),
        (thrown: unknown) => (thrown as Error).constructor === (error as Error).constructor,
        `value ${i}`,
      );
      continue;
    }
    const copy = jsonCopy(value);
    assert.deepStrictEqual(copy, expected, `value ${i}`);
    // Also what deepStrictEqual does not look at: −0, an own __proto__ key, the prototypes.
    assert.equal(JSON.stringify(copy), JSON.stringify(expected), `value ${i}`);
    assert.ok(Object.is(copy, expected) || typeof copy !== 'number' || !Object.is(copy, -0), `value ${i}`);
  }
});

test('turns −0 into 0, NaN and infinities into null, and keeps a __proto__ key as an own property', () => {
  const copy = jsonCopy({ zero: -0, list: [-0, Number.NaN, Number.POSITIVE_INFINITY], ...JSON.parse('{"__proto__": {"polluted": true}}') });
  assert.ok(Object.is(copy.zero, 0));
  assert.ok(Object.is(copy.list[0], 0));
  assert.deepEqual(copy.list.slice(1), [null, null]);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  assert.deepEqual(Object.keys(copy), ['zero', 'list', '__proto__']);
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
});

test('shares no object with what it copies', () => {
  const random = mulberry32(7);
  for (let i = 0; i < 500; i++) {
    const value = { body: generated(random), data: [generated(random), { nested: generated(random) }] };
    const before = objectsOf(value);
    for (const object of objectsOf(jsonCopy(value))) assert.ok(!before.has(object), `value ${i}`);
  }
});

test('refuses what JSON refuses: a cycle and a BigInt (TypeError), nothing to write at the top (SyntaxError)', () => {
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = { back: cycle };
  assert.throws(() => jsonCopy(cycle), TypeError);
  assert.throws(() => jsonCopy({ amount: 1n }), TypeError);
  assert.throws(() => jsonCopy(undefined), SyntaxError);
  assert.throws(() => jsonCopy(() => 1), SyntaxError);
  // The same object twice, not inside itself, is no cycle.
  const shared = { x: 1 };
  assert.deepEqual(jsonCopy([shared, shared]), [{ x: 1 }, { x: 1 }]);
});
