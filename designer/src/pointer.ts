// JSON Pointer (RFC 6901) reads and immutable writes over a flow value: every card and
// field of the designer is addressed by the same path the validation reports.
export type Json = unknown;

export function segments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function getAt(value: Json, pointer: string): Json {
  let current = value;
  for (const key of segments(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, Json>)[key];
  }
  return current;
}

/** A copy of `value` with the value at `pointer` replaced; `undefined` removes it (and empty objects left behind). */
export function setAt<T>(value: T, pointer: string, next: Json): T {
  const keys = segments(pointer);
  const write = (node: Json, depth: number): Json => {
    const key = keys[depth]!;
    const last = depth === keys.length - 1;
    if (Array.isArray(node)) {
      const copy = [...node];
      const index = Number(key);
      if (last) {
        if (next === undefined) copy.splice(index, 1);
        else copy[index] = next;
      } else copy[index] = write(copy[index] ?? {}, depth + 1);
      return copy;
    }
    const copy: Record<string, Json> = { ...((node ?? {}) as Record<string, Json>) };
    if (last) {
      if (next === undefined) delete copy[key];
      else copy[key] = next;
    } else {
      const child = write(copy[key] ?? {}, depth + 1);
      if (child && typeof child === 'object' && !Array.isArray(child) && Object.keys(child).length === 0) delete copy[key];
      else copy[key] = child;
    }
    return copy;
  };
  return keys.length === 0 ? (next as T) : (write(value, 0) as T);
}

/** True when `pointer` is `prefix` or lies below it. */
export function isUnder(pointer: string, prefix: string): boolean {
  return prefix === '' || pointer === prefix || pointer.startsWith(prefix + '/');
}
