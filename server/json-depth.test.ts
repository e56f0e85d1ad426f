import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, tooDeepAt } from './json-depth';

const nested = (depth: number): unknown => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

describe('tooDeepAt', () => {
  it('passes bodies up to the limit, and scalars, and bytes', () => {
    expect(tooDeepAt(nested(MAX_JSON_DEPTH - 1))).toBeNull();
    expect(tooDeepAt({ list: [1, 2, { x: null }], s: 'text' })).toBeNull();
    expect(tooDeepAt(42)).toBeNull();
    expect(tooDeepAt(Buffer.alloc(1_000_000))).toBeNull();
  });

  it('names the path of the first value past the limit, without recursing (100,000 levels)', () => {
    const at = tooDeepAt(nested(100_000));
    expect(at).toBe('/a'.repeat(MAX_JSON_DEPTH));
    expect(tooDeepAt({ ok: 1, 'x/y': [nested(10)] }, 5)).toBe('/x~1y/0/a/a/a');
  });
});
