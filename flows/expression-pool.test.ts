// The expression pool's own limits: an evaluation over its time is cut off and its worker
// process replaced, one over its heap is refused (and ends only its worker), an oversized
// value is refused, a full queue says so at once, and the expression's own failures come
// back as the same ExpressionError.
import { afterEach, describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError } from './expression';
import { isBusy } from '../sandbox';
import { createExpressionPool, ExpressionBusyError, type ExpressionPool, type ExpressionPoolOptions } from './expression-pool';

let pools: ExpressionPool[] = [];
const pool = (options: ExpressionPoolOptions = {}) => {
  const created = createExpressionPool({ workers: 1, ...options });
  pools.push(created);
  return created;
};
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

/** What the evaluation failed with, as "kind path: problem"; anything else is returned as it is. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => (error instanceof ExpressionError ? `${error.kind} ${error.path}: ${error.problem}` : error),
  );

const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
/** 2·10⁸ property writes in one `$merge` call: seconds of work no evaluation hook sees. */
const MERGE_BLOWUP = '( $o := wide; $count($keys($merge([1..20000].$o))) )';
/** Two texts of 530 million characters in one array: far over a 256 MB heap in one allocation. */
const HUGE_ALLOCATION = '( $s := $pad("", 999999, "x"); $a := $map([1..530], function($i){ $s }); $count([$join($a), $join($a)]) )';
/** A JSON text of 520 references to a 999,999-character text: the heap runs out while it grows. */
const STRINGIFY_BLOWUP = '( $s := $pad("", 999999, "x"); $length($string($map([1..520], function($i){ $s }))) )';

describe('expression pool', () => {
  it('answers what the expression gives, the same as in place, JSONata sequences and Chinese text included', async () => {
    const data = { amount: 5000, items: [{ name: '螺丝', price: 2 }, { name: '螺母', price: 3 }], supplier: { name: '深圳市华强电子有限公司' } };
    const expressions = ['amount * 2', 'items.name', 'items[price > 2]', '$sum(items.price)', 'supplier.name & "（供应商）"', 'nothing', '{"a": amount, "b": [1..3]}'];
    const p = pool();
    for (const source of expressions) {
      expect(await p.evaluate(source, '/x', data), source).toEqual(await compileExpression(source, '/x').evaluate(data));
    }
    // A function cannot cross threads: what JSON keeps of it.
    expect(await p.evaluate('{"f": function($x){ $x }, "n": 1}', '/x', data)).toEqual({ n: 1 });
  });

  it('gives back the expression\'s own failures with their path, kind and position', async () => {
    const p = pool();
    expect(await failure(p.evaluate('amount +', '/approval/amount', {}))).toMatch(/^invalid \/approval\/amount: /);
    const syntax = await p.evaluate('amount + )', '/approval/amount', {}).catch((e: ExpressionError) => e);
    expect(syntax).toBeInstanceOf(ExpressionError);
    expect(syntax).toMatchObject({ kind: 'invalid', path: '/approval/amount', position: 10 });
    expect(await failure(p.evaluate('$number("x")', '/title', {}))).toMatch(/^failed \/title: /);
    expect(await failure(p.evaluate('( $f := function($n){ $f($n+1) }; $f(0) )', '/title', {}))).toMatch(/^budget \/title: ran out of its budget: it took more than/);
  });

  it('cuts off an evaluation over its time, and evaluates the next one in a new worker', async () => {
    const p = pool({ limits: { timeoutMs: 800 } });
    const started = performance.now();
    expect(await failure(p.evaluate(MERGE_BLOWUP, '/approval/amount', { wide }))).toBe('budget /approval/amount: ran out of its budget: it was stopped after 800 ms');
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await p.evaluate('amount', '/approval/amount', { amount: 7 })).toBe(7);
  });

  it('refuses an evaluation whose worker runs out of heap, and evaluates the next one in a new worker', async () => {
    // A time limit long enough that the heap, not the clock, ends it.
    const p = pool({ limits: { timeoutMs: 30_000, maxHeapMb: 64 } });
    expect(await failure(p.evaluate(STRINGIFY_BLOWUP, '/title', {}))).toBe('budget /title: ran out of its budget: it needed more than 64 MB of memory');
    expect(await p.evaluate('"ok"', '/title', {})).toBe('ok');
  }, 40_000);

  it('refuses an evaluation that aborts V8 on one allocation far over its heap (fatal in a worker thread: the whole process died), and goes on', async () => {
    const p = pool();
    expect(await failure(p.evaluate(HUGE_ALLOCATION, '/title', {}))).toBe(`budget /title: ran out of its budget: it needed more than ${p.limits.maxHeapMb} MB of memory`);
    expect(await p.evaluate('"ok"', '/title', {})).toBe('ok');
  });

  it('refuses a value too large to send back', async () => {
    const p = pool({ limits: { maxResultBytes: 100_000 } });
    expect(await failure(p.evaluate('$map([1..99999], $string)', '/mapping', {}))).toMatch(/^budget \/mapping: ran out of its budget: it produced a value of \d+ bytes, more than 100000$/);
    expect(await p.evaluate('[1..3]', '/mapping', {})).toEqual([1, 2, 3]);
  });

  it('refuses at once when too many evaluations wait, and the others still get their answers', async () => {
    const p = pool({ limits: { maxQueue: 2, timeoutMs: 800 } });
    await p.evaluate('0', '/warm', {});
    const running = p.evaluate(MERGE_BLOWUP, '/a', { wide });
    // Let the first reach its (started) worker, so the next two wait in the queue.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const waiting = [p.evaluate('1', '/b', {}), p.evaluate('2', '/c', {})];
    // Busy is no verdict on the expression (not an ExpressionError, so a workflow retries it): the server answers 503.
    const busy = await failure(p.evaluate('3', '/d', {}));
    expect(busy).toBeInstanceOf(ExpressionBusyError);
    expect(isBusy(busy)).toBe(true);
    expect((busy as Error).message).toMatch(/^\/d: could not be evaluated now: 2 evaluations are waiting already/);
    expect(await failure(running)).toMatch(/was stopped after 800 ms/);
    expect(await Promise.all(waiting)).toEqual([1, 2]);
  });

  it('keeps several evaluations apart: each gets its own answer, whichever worker runs it', async () => {
    const p = pool({ workers: 2 });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => p.evaluate('n * n', `/n/${i}`, { n: i })));
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => i * i));
  });
});
