// Internal: a user's `random()` made safe to index with. A custom source of
// randomness (seeded, for tests) may return 1, more than 1, a negative
// number or NaN; used as is, `Math.floor(random() * n)` would index past
// the end of an array. A `random` that throws is the user's bug and reaches
// the user's call: the caller lets it propagate.

/** `random()` clamped into `[0, 1)`; `NaN` counts as 0. */
export function unitRandom(random: () => number): number {
  const x = random();
  if (x >= 0 && x < 1) return x;
  return x >= 1 ? 1 - Number.EPSILON : 0;
}

/** An index in `[0, n)` drawn with `random()`, never out of range. */
export function randomIndex(random: () => number, n: number): number {
  const i = Math.floor(random() * n);
  if (i >= 0 && i < n) return i;
  return i >= n ? n - 1 : 0;
}
