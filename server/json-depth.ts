// A JSON body nested thousands of levels deep parses fine (JSON.parse does not recurse), but
// everything after it does: validators, JSONata, Temporal's payload converter. So bodies are
// measured once, right after parsing, without recursion, and refused above a depth no real
// contract needs.

/** Deepest nesting of objects and arrays a request body may have. */
export const MAX_JSON_DEPTH = 64;

const escapeSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** The JSON pointer of the first value nested deeper than `maxDepth`, or null when none is. */
export function tooDeepAt(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: '' }];
  while (stack.length) {
    const { value: current, depth, path } = stack.pop()!;
    if (typeof current !== 'object' || current === null || ArrayBuffer.isView(current)) continue;
    if (depth >= maxDepth) return path || '/';
    const entries = Array.isArray(current) ? current.map((v, i) => [String(i), v] as const) : Object.entries(current);
    for (const [key, child] of entries) stack.push({ value: child, depth: depth + 1, path: `${path}/${escapeSegment(key)}` });
  }
  return null;
}
