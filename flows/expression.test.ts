import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileExpression, evaluate, EXPRESSION_LIMITS, ExpressionError } from './expression';

const TAIL_LOOP = '=( $f := function($n){ $f($n+1) }; $f(0) )';
const DEEP_RECURSION = '=( $f := function($n){ $n = 0 ? 0 : 1 + $f($n-1) }; $f(100000) )';

async function failure(run: Promise<unknown>): Promise<ExpressionError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExpressionError);
  return error as ExpressionError;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

afterEach(() => vi.restoreAllMocks());

describe('evaluate', () => {
  it('gives a literal back as it is and evaluates an expression', async () => {
    expect(await evaluate('procurement', {}, '/archive/folder')).toBe('procurement');
    expect(await evaluate('="procurement/" & supplier.name', { supplier: { name: 'ACME' } }, '/archive/folder')).toBe('procurement/ACME');
  });

  it('ends a tail-recursive loop well under a second, naming the path and the budget', async () => {
    const { ms, result } = await timed(() => failure(evaluate(TAIL_LOOP, {}, '/approval/amount')));
    expect(result).toMatchObject({ path: '/approval/amount', kind: 'budget' });
    expect(result.message).toMatch(/^\/approval\/amount: .*ran out of its budget.*evaluation steps/);
    expect(ms).toBeLessThan(1000);
  });

  it('ends a recursion that never returns at the depth limit', async () => {
    const { ms, result } = await timed(() => failure(evaluate(DEEP_RECURSION, {}, '/documents/0/when')));
    expect(result).toMatchObject({ path: '/documents/0/when', kind: 'budget' });
    expect(result.message).toContain(`nested deeper than ${EXPRESSION_LIMITS.depth} levels`);
    expect(ms).toBeLessThan(1000);
  });

  it('counts steps, so a loop ends where the clock stands still (workflow code)', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    const error = await failure(evaluate(TAIL_LOOP, {}, '/archive/folder'));
    expect(error.message).toContain(`more than ${EXPRESSION_LIMITS.steps} evaluation steps`);
  });

  it('bounds a loop hidden in $eval', async () => {
    const error = await failure(evaluate(`=$eval(${JSON.stringify(TAIL_LOOP.slice(1))})`, {}, '/title'));
    expect(error).toMatchObject({ path: '/title', kind: 'budget' });
  });

  it('bounds what a built-in does in one step: huge ranges and texts', async () => {
    const { ms, result } = await timed(() => failure(evaluate('=$count($map([1..10000000], $string))', {}, '/title')));
    expect(result.message).toContain(`more than ${EXPRESSION_LIMITS.items}`);
    expect(ms).toBeLessThan(1000);
    expect((await failure(evaluate('=$length($pad("", 100000000))', {}, '/title'))).message).toContain(`more than ${EXPRESSION_LIMITS.chars}`);
  });

  it('passes heavy but legitimate expressions', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ quantity: (i % 7) + 1, price: i * 1.5 }));
    const expected = items.reduce((sum, item) => sum + item.quantity * item.price, 0);
    expect(await evaluate('=$sum(items.(quantity*price))', { items }, '/approval/amount')).toBe(expected);
    const values = Array.from({ length: 10_000 }, (_, i) => i);
    const mapped = (await evaluate('=$map(values, function($v, $i){ {"double": $v * 2, "label": "#" & $string($i)} })', { values }, '/documents/0/data')) as unknown[];
    expect(mapped).toHaveLength(10_000);
    expect(mapped[9_999]).toEqual({ double: 19_998, label: '#9999' });
  });

  it('reports an evaluation error and a syntax error with the path', async () => {
    expect(await failure(evaluate('=$number("lots")', {}, '/approval/amount'))).toMatchObject({ path: '/approval/amount', kind: 'failed' });
    const invalid = await failure(evaluate('=( $f := function($n){ $f($n+1) }; $f(0', {}, '/approval/amount'));
    expect(invalid).toMatchObject({ path: '/approval/amount', kind: 'invalid', position: expect.any(Number) });
  });
});

describe('compileExpression', () => {
  it('gives each evaluation of one compiled expression its own budget', async () => {
    const values = Array.from({ length: 10_000 }, (_, i) => i);
    const expression = compileExpression('$sum($map(values, function($v){ $v * 2 }))', '/mapping');
    // Eight at once take more steps together than one budget allows: each must count only its own.
    const results = await Promise.all(Array.from({ length: 8 }, () => expression.evaluate({ values })));
    expect(results).toEqual(Array(8).fill(99_990_000));
    await expect(compileExpression(TAIL_LOOP.slice(1), '/mapping').evaluate({})).rejects.toMatchObject({ path: '/mapping', kind: 'budget' });
  });

  it('refuses an expression that does not parse, naming the path', () => {
    expect(() => compileExpression('{ "a": b.(', '/mapping')).toThrow(ExpressionError);
    try {
      compileExpression('{ "a": b.(', '/mapping');
    } catch (error) {
      expect(error).toMatchObject({ path: '/mapping', kind: 'invalid' });
    }
  });
});
