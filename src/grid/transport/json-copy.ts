/**
 * What `JSON.parse(JSON.stringify(value))` gives, without the text in between: the in-process
 * transport's copy of a request and of its answer (in-process.ts), so that the in-process grid
 * behaves as a remote one (no Date, undefined, NaN or shared object crosses) at a fraction of the
 * round trip's cost (the round trip was ≈ 6 % of the hub thread's CPU a facility look-up).
 *
 * The same steps as JSON.stringify (ECMA-262 SerializeJSONProperty), then what JSON.parse makes of
 * their text: `toJSON(key)` called once, Number/String/Boolean objects unwrapped, a non-finite
 * number and a hole or function or symbol or undefined in an array become null, such properties
 * are left out of an object, −0 becomes 0, only own enumerable string keys in `Object.keys` order,
 * a `__proto__` key an own property (as JSON.parse defines it), a cycle or a BigInt a TypeError,
 * and nothing at the top that JSON has no text for (undefined, a function) a SyntaxError, as
 * JSON.parse throws on it. Every object and array of the copy is new. json-copy.test.ts checks the
 * equivalence on generated values and on each of these cases.
 */
export function jsonCopy<T>(value: T): T {
  const copied = property(value, '', []);
  if (copied === omitted) throw new SyntaxError(`"${String(value)}" is not valid JSON`);
  return copied as T;
}

/** `JSON.rawJSON` text (ES2025: not in this project's lib yet), which JSON.stringify writes as it is. */
const isRawJSON = (JSON as unknown as { isRawJSON: (value: unknown) => boolean }).isRawJSON;

/** A value JSON.stringify leaves out of an object (null in an array). */
const omitted: unique symbol = Symbol('omitted');

function property(input: unknown, key: string, stack: object[]): unknown {
  let value = input;
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value + 0 : null;
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      if (value === null) return null;
      if (value instanceof Number) return property(Number(value), key, stack);
      if (value instanceof String) return String(value);
      if (value instanceof Boolean) return value.valueOf();
      if (value instanceof BigInt) throw new TypeError('Do not know how to serialize a BigInt');
      if (isRawJSON(value)) return JSON.parse((value as { rawJSON: string }).rawJSON);
      return container(value, stack);
    default:
      return omitted; // undefined, function, symbol
  }
}

function container(value: object, stack: object[]): unknown {
  if (stack.includes(value)) throw new TypeError('Converting circular structure to JSON');
  stack.push(value);
  let out: unknown;
  if (Array.isArray(value)) {
    const array: unknown[] = [];
    for (let i = 0, length = value.length; i < length; i++) {
      const item = property(value[i], String(i), stack);
      array.push(item === omitted ? null : item);
    }
    out = array;
  } else {
    const object: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const field = (value as Record<string, unknown>)[key];
      // Most fields are text: copied as they are, without the general steps.
      const item = typeof field === 'string' && key !== '__proto__' ? field : property(field, key, stack);
      if (item === omitted) continue;
      if (key === '__proto__') Object.defineProperty(object, key, { value: item, enumerable: true, writable: true, configurable: true });
      else object[key] = item;
    }
    out = object;
  }
  stack.pop();
  return out;
}
