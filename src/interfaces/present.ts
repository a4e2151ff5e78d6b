/**
 * What leaves the hub in a response, the same for JSON and SOAP: only the interface's defined
 * response fields, in definition order, without null or undefined values, decimals rounded to
 * their declared digits (a computed 0.1 + 0.2 goes out as 0.3, as the XSD's fractionDigits says).
 * Personal data leaves only as listed items (SYSTEM.md §7), whatever else a grid or a command put
 * in the object.
 */
import type { Field } from './catalogue/types.ts';
import type { FieldValues } from './validate.ts';

export function pick(fields: readonly Field[], values: Readonly<Record<string, unknown>>): FieldValues {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = Object.hasOwn(values, field.id) ? values[field.id] : undefined;
    if (value === undefined || value === null) continue;
    out[field.id] = Array.isArray(value) ? value.filter((v) => v !== undefined && v !== null).map((v) => one(field, v)) : one(field, value);
  }
  return out as FieldValues;
}

function one(field: Field, value: unknown): unknown {
  if (field.type === 'group' && typeof value === 'object' && value !== null) return pick(field.fields, value as Record<string, unknown>);
  if (field.type === 'decimal' && typeof value === 'number' && Number.isFinite(value)) return Number(value.toFixed(field.scale));
  return value;
}
