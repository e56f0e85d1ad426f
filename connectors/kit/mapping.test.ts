import { describe, expect, it } from 'vitest';
import { ConnectorError } from './errors';
import { compileMapping, MAPPING_PATH } from './mapping';

describe('compileMapping', () => {
  it('ends a mapping that loops with a final mapping_failed that says the budget ran out', async () => {
    const mapping = compileMapping('{ "amount": ( $f := function($n){ $f($n+1) }; $f(0) ) }');
    const started = performance.now();
    const error = await mapping.apply({ id: 1 }, 'PO-1').then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(ConnectorError);
    // Not retryable: a sync loop or a webhook must not try the same record for ever.
    expect(error).toMatchObject({ code: 'mapping_failed', retryable: false, details: { kind: 'budget', sourceKey: 'PO-1' } });
    expect((error as Error).message).toMatch(/for record PO-1: ran out of its budget/);
  });

  it('keeps where a syntax error is', () => {
    expect(() => compileMapping('{ "a": b.(')).toThrow(expect.objectContaining({ code: 'mapping_failed', details: expect.objectContaining({ kind: 'invalid', position: expect.any(Number) }) }));
    expect(MAPPING_PATH).toBe('/mapping');
  });
});
