// JSONata built-ins that are quadratic inside one evaluation step, where neither the step budget nor
// the clock check (flows/expression.ts) can interrupt them, replaced by equivalents that are not:
// - $distinct compares every item with every kept one: $distinct([1..99999]) is 5·10⁹ deep
//   comparisons, seconds of a blocked event loop. Here: a canonical JSON key per item, the same
//   deep equality (arrays in order, objects whatever their key order); what has no JSON form (a
//   function) is kept by identity.
// - $sort merges with `slice(1)` per element: $sort([1..20000]) takes over a second and
//   $sort([1..99999]) exhausts the heap and ends the process. Here: the engine's stable sort for
//   the one-argument form, and a merge sort over indexes with the caller's comparator otherwise
//   (each comparator call is evaluated, so counted, as before).
// `$x^(key)` (order-by) compares through evaluated steps and stays under the budget.
import type jsonata from 'jsonata';

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

type Comparator = ((a: unknown, b: unknown) => unknown) | { _jsonata_lambda?: boolean; apply?: (self: unknown, args: unknown[]) => unknown; implementation?: (...args: unknown[]) => unknown };

const SORT_TYPES = 'The single argument form of the sort function can only be applied to an array of strings or an array of numbers. Use the second argument to specify a comparison function';

/** $sort as JSONata defines it: ascending, stable; `comparator($l, $r)` true means $r comes first. */
export async function fastSort(this: unknown, input: unknown, comparator?: Comparator): Promise<unknown> {
  if (input === undefined) return undefined;
  const items = input as unknown[];
  if (items.length <= 1) return items;
  if (comparator === undefined) {
    if (!items.every((item) => typeof item === 'number') && !items.every((item) => typeof item === 'string')) throw new Error(SORT_TYPES);
    return [...items].sort((a, b) => ((a as number) > (b as number) ? 1 : (a as number) < (b as number) ? -1 : 0));
  }
  const swaps = async (a: unknown, b: unknown): Promise<boolean> => {
    if (typeof comparator === 'function') return Boolean(await comparator(a, b));
    if (comparator._jsonata_lambda && comparator.apply) return Boolean(await comparator.apply(this, [a, b]));
    if (comparator.implementation) return Boolean(await comparator.implementation.apply(this, [a, b]));
    throw new Error('the second argument of $sort must be a function');
  };
  // Bottom-up merge sort over index ranges: n·log n comparator calls, no copies per element.
  let from = [...items];
  let to = new Array<unknown>(from.length);
  for (let width = 1; width < from.length; width *= 2) {
    for (let start = 0; start < from.length; start += 2 * width) {
      const middle = Math.min(start + width, from.length);
      const end = Math.min(start + 2 * width, from.length);
      let left = start;
      let right = middle;
      let out = start;
      while (left < middle && right < end) to[out++] = (await swaps(from[left], from[right])) ? from[right++] : from[left++];
      while (left < middle) to[out++] = from[left++];
      while (right < end) to[out++] = from[right++];
    }
    [from, to] = [to, from];
  }
  return from;
}

/** Puts the bounded built-ins in place of JSONata's in one compiled expression. */
export function registerBoundedBuiltins(compiled: ReturnType<typeof jsonata>): void {
  compiled.registerFunction('distinct', linearDistinct, '<x:x>');
  compiled.registerFunction('sort', fastSort as (this: unknown, ...args: unknown[]) => unknown, '<af?:a>');
}
