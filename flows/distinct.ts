// JSONata's own $distinct compares every item with every kept one (deepEquals in a double loop):
// $distinct([1..99999]) is 5·10⁹ comparisons in one evaluation step, seconds of a blocked event
// loop that no step budget or clock check can interrupt. This one keeps JSONata's meaning
// (deep equality: arrays in order, objects whatever their key order) in linear time, by a
// canonical JSON key per item; what has no JSON form (a function) is kept by identity.

type Sequence = unknown[] & { sequence?: boolean };

/** A canonical JSON text of `value`, or null where it has none (a function, a lambda, too deep) and identity decides. */
function canonical(value: unknown, depth = 0): string | null {
  if (depth > 100) return null;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : null;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const item of value) {
      const key = canonical(item, depth + 1);
      if (key === null) return null;
      parts.push(key);
    }
    return `[${parts.join(',')}]`;
  }
  // JSONata's functions are objects too (lambdas carry their environment): no JSON form.
  if (typeof value === 'object' && !('_jsonata_lambda' in value) && !('_jsonata_function' in value)) {
    const parts: string[] = [];
    for (const name of Object.keys(value as object).sort()) {
      const key = canonical((value as Record<string, unknown>)[name], depth + 1);
      if (key === null) return null;
      parts.push(`${JSON.stringify(name)}:${key}`);
    }
    return `{${parts.join(',')}}`;
  }
  return null;
}

/** $distinct as JSONata defines it (undefined stays undefined, a non-array or one item is returned as is). */
export function linearDistinct(input: unknown): unknown {
  if (!Array.isArray(input) || input.length <= 1) return input;
  const result: Sequence = [];
  // JSONata flattens a one-item sequence to its item; a sequence in must stay a sequence out.
  if ((input as Sequence).sequence) result.sequence = true;
  const seen = new Set<string>();
  const kept = new Set<unknown>();
  for (const item of input) {
    const key = canonical(item);
    if (key === null) {
      if (!kept.has(item)) kept.add(item), result.push(item);
    } else if (!seen.has(key)) {
      seen.add(key);
      result.push(item);
    }
  }
  return result;
}
