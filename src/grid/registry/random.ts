/**
 * Small deterministic randomness for synthetic data and computed usage: the same inputs give the same
 * numbers on every machine and in every run. Not for anything secret.
 *
 * mulberry32 (Tommy Ettinger's 32-bit generator): one 32-bit state, a few integer operations per
 * draw, and statistically good enough for shapes and names. Seeds are mixed with `mix32` (the
 * murmur3 finaliser) so neighbouring seeds (point 1, point 2) give unrelated streams.
 */

export type Random = () => number;

/** A generator of floats in [0, 1). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Scrambles a 32-bit integer so that nearby inputs give unrelated outputs. */
export function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, then mixed: a 32-bit key for a text. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** An integer in [min, max]. */
export function intBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One item of a non-empty list, uniformly. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/**
 * Draws from a list with weights. `table` is built once (cumulative weights) because draws happen
 * millions of times while loading.
 */
export interface WeightedTable<T> {
  readonly items: readonly T[];
  readonly cumulative: Float64Array;
}

export function weighted<T>(entries: readonly (readonly [T, number])[]): WeightedTable<T> {
  const cumulative = new Float64Array(entries.length);
  let sum = 0;
  entries.forEach(([, w], i) => {
    sum += w;
    cumulative[i] = sum;
  });
  for (let i = 0; i < cumulative.length; i++) cumulative[i] = (cumulative[i] as number) / sum;
  return { items: entries.map(([item]) => item), cumulative };
}

export function draw<T>(random: Random, table: WeightedTable<T>): T {
  const u = random();
  const { cumulative, items } = table;
  for (let i = 0; i < cumulative.length; i++) if (u < (cumulative[i] as number)) return items[i] as T;
  return items[items.length - 1] as T;
}

/** A roughly normal draw (mean 0, sd 1) from the sum of three uniforms: cheap, bounded at ±3. */
export function roughNormal(random: Random): number {
  return (random() + random() + random() - 1.5) * 2;
}
