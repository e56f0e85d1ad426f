// Flow and mapping expressions are code written by designers and connector admins: every
// evaluation runs under a step budget, a depth limit and (where a clock runs) a time budget.
// Through the REST API of a running hub: a runaway expression is refused with a 4xx naming
// its JSON path, quickly, while the server keeps answering; in a workflow it fails the
// contract with the reason, and the worker goes on with other contracts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { approvalFlow, exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';

const TAIL_LOOP = '( $f := function($n){ $f($n+1) }; $f(0) )';
const DEEP_RECURSION = '( $f := function($n){ $n = 0 ? 0 : 1 + $f($n-1) }; $f(1000000) )';
/** A quick answer: a runaway takes about 0.1 s of budget; the rest is slack for a loaded machine. */
const QUICK_MS = 3000;

let hub: TestHub;
let manager: { token: string };
let finance: { token: string };

const smallOrder = { poNumber: 'PO-1', amount: 5000, supplier: { name: '深圳市华强电子有限公司' } };

/** The approval-only flow under a key of its own, with `change` applied. */
function flowWith(key: string, change: (flow: FlowDefinition) => void): FlowDefinition {
  const flow: FlowDefinition = { ...structuredClone(approvalFlow()), key };
  change(flow);
  return flow;
}

async function saveDraft(flow: FlowDefinition) {
  const created = await hub.call('POST', '/api/flows', flow);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

/** The 4xx answer to a runaway: its details name `path` and say the budget ran out. */
function expectBudgetRefusal(response: { status: number; body: any }, path: string) {
  expect(response.status, JSON.stringify(response.body)).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  const detail = response.body.error.details.find((d: { path: string }) => d.path === path);
  expect(detail, JSON.stringify(response.body)).toBeDefined();
  expect(detail.message).toMatch(/ran out of its budget/);
}

beforeAll(async () => {
  hub = await startTestHub();
  manager = await hub.user('王经理', ['dept-manager']);
  finance = await hub.user('赵总监', ['finance-director']);
}, 120_000);
afterAll(async () => {
  await hub?.close();
});

describe('simulate', () => {
  it('refuses a tail-recursive loop in the amount with a 4xx naming /approval/amount, while /healthz answers', async () => {
    await saveDraft(flowWith('loop-amount', (flow) => (flow.approval.amount = `=${TAIL_LOOP}`)));
    // Several runaways at once, and a health check sent while they run.
    const simulations = Array.from({ length: 3 }, () => timed(() => hub.call('POST', '/api/flows/loop-amount/simulate', { data: smallOrder })));
    const health = timed(() => hub.call('GET', '/healthz', undefined, null));
    for (const { ms, result } of await Promise.all(simulations)) {
      expectBudgetRefusal(result, '/approval/amount');
      expect(ms).toBeLessThan(QUICK_MS);
    }
    const { ms, result } = await health;
    expect(result).toMatchObject({ status: 200, body: { ok: true } });
    expect(ms).toBeLessThan(QUICK_MS);
  });

  it('refuses a recursion that never returns, in a document `when`, naming /documents/0/when', async () => {
    await saveDraft(
      flowWith('deep-when', (flow) => {
        flow.documents = [{ id: 'contract', template: 'purchase-contract', when: `=${DEEP_RECURSION} > 0` }];
      }),
    );
    const { ms, result } = await timed(() => hub.call('POST', '/api/flows/deep-when/simulate', { data: smallOrder }));
    expectBudgetRefusal(result, '/documents/0/when');
    expect(result.body.error.details[0].message).toMatch(/nested deeper than/);
    expect(ms).toBeLessThan(QUICK_MS);
    expect((await hub.call('GET', '/healthz', undefined, null)).status).toBe(200);
  });

  it('a catastrophically backtracking regex on long input answers quickly (regexes run in linear time) while /healthz answers', async () => {
    // /(a+)+$/ against "aaa…a!" takes a backtracking engine 2^n steps, all inside one JSONata step that no budget interrupts.
    await saveDraft(flowWith('regex-amount', (flow) => {
      flow.approval.amount = '=$contains(supplier.name, /(a+)+$/) ? 1 : $contains(supplier.name, /^(\\w+\\s?)*$/) ? 2 : amount';
      flow.data = { type: 'object' };
    }));
    const evil = { ...smallOrder, supplier: { name: 'a'.repeat(5_000) + '!' } };
    const simulations = Array.from({ length: 2 }, () => timed(() => hub.call('POST', '/api/flows/regex-amount/simulate', { data: evil })));
    const health = timed(() => hub.call('GET', '/healthz', undefined, null));
    for (const { ms, result } of await Promise.all(simulations)) {
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      expect(result.body.amount).toBe(5000);
      expect(ms).toBeLessThan(QUICK_MS);
    }
    expect((await health).result.status).toBe(200);
    expect((await health).ms).toBeLessThan(QUICK_MS);
    // The same regexes still match what they should, Chinese text included.
    const fine = await hub.call('POST', '/api/flows/regex-amount/simulate', { data: { ...smallOrder, supplier: { name: 'aaaa' } } });
    expect(fine.body.amount).toBe(1);
    // A million one-letter matches are a loop inside one step too: stopped at 100,000, a 4xx naming the path.
    await saveDraft(flowWith('regex-many', (flow) => (flow.approval.amount = '=$count($match($pad("", 999999, "a"), /a/))')));
    const many = await timed(() => hub.call('POST', '/api/flows/regex-many/simulate', { data: smallOrder }));
    expect(many.result.status).toBeGreaterThanOrEqual(400);
    expect(many.result.status).toBeLessThan(500);
    expect(many.result.body.error.details.find((d: { path: string }) => d.path === '/approval/amount').message).toMatch(/matched more than 100000 times/);
    expect(many.ms).toBeLessThan(QUICK_MS);
  });

  it('$distinct and $sort over 99,999 items (quadratic in one step in JSONata itself; $sort ran out of heap) answer quickly, and right', async () => {
    await saveDraft(flowWith('distinct-amount', (flow) => {
      flow.approval.amount = '=$count($distinct([1..99999])) + $count($distinct([{"a":1,"b":2},{"b":2,"a":1}])) + $sort([1..99999])[-1] + ($sort(["b","a"])[0] = "a" ? 1 : 0)';
      flow.data = { type: 'object' };
    }));
    const { ms, result } = await timed(() => hub.call('POST', '/api/flows/distinct-amount/simulate', { data: smallOrder }));
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.amount).toBe(100_000 + 99_999 + 1);
    expect(ms).toBeLessThan(QUICK_MS);
  });

  it('refuses back-references and look-arounds (no linear-time match exists) with a 4xx naming the path', async () => {
    await saveDraft(flowWith('regex-backref', (flow) => (flow.approval.amount = '=$contains(supplier.name, /^(a+)\\1$/) ? 1 : amount')));
    const result = await hub.call('POST', '/api/flows/regex-backref/simulate', { data: smallOrder });
    expect(result.status, JSON.stringify(result.body)).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    const detail = result.body.error.details.find((d: { path: string }) => d.path === '/approval/amount');
    expect(detail.message).toMatch(/back-reference|look-around/);
  });

  it('still simulates a heavy but legitimate amount: $sum over 1,000 items and $map over 10,000', async () => {
    await saveDraft(
      flowWith('heavy-amount', (flow) => {
        flow.approval.amount = '=$sum(items.(quantity*price)) + $count($map(values, function($v){ $v * 2 })) - 10000';
        flow.data = { type: 'object' };
      }),
    );
    const items = Array.from({ length: 1000 }, (_, i) => ({ quantity: (i % 3) + 1, price: 10 }));
    const values = Array.from({ length: 10_000 }, (_, i) => i);
    const expected = items.reduce((sum, item) => sum + item.quantity * item.price, 0);
    const result = await hub.call('POST', '/api/flows/heavy-amount/simulate', { data: { items, values } });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.amount).toBe(expected);
  });
});

describe('starting a contract', () => {
  it('refuses a start whose amount expression loops, with a 4xx naming /approval/amount, and stores nothing', async () => {
    await hub.publish(flowWith('loop-start', (flow) => (flow.approval.amount = `=supplier.name = "loop" ? ${TAIL_LOOP} : amount`)));
    const { ms, result } = await timed(() => hub.call('POST', '/api/contracts', { flow: 'loop-start', sourceKey: 'PO-LOOP', data: { ...smallOrder, supplier: { name: 'loop' } } }));
    expectBudgetRefusal(result, '/approval/amount');
    expect(ms).toBeLessThan(QUICK_MS);
    expect((await hub.call('GET', '/api/contracts?flow=loop-start')).body).toMatchObject({ total: 0, items: [] });
    // The same flow with other data starts.
    expect((await hub.call('POST', '/api/contracts', { flow: 'loop-start', data: smallOrder })).status).toBe(201);
  });
});

describe('connector mapping preview', () => {
  it('refuses a mapping that loops with a 4xx naming /mapping', async () => {
    await hub.publish(flowWith('mapped', () => {}));
    const created = await hub.call('POST', '/api/connectors', {
      id: 'bpm-loop', connector: 'bpm_webhook', name: 'BPM (test)', settings: {},
      trigger: { kind: 'webhook', auth: { kind: 'bearer', token: 'bpm-token-0123456789abcdef' } },
      flow: 'mapped', mapping: 'variables',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sample = { processInstanceId: 'p-1', variables: smallOrder };
    expect(await hub.call('POST', '/api/connectors/bpm-loop/preview', { sample })).toMatchObject({ status: 200, body: { ok: true, data: smallOrder } });

    const { ms, result } = await timed(() => hub.call('POST', '/api/connectors/bpm-loop/preview', { sample, mapping: `$merge([variables, { "amount": ${TAIL_LOOP} }])` }));
    expectBudgetRefusal(result, '/mapping');
    expect(ms).toBeLessThan(QUICK_MS);
  });
});

describe('in a workflow', () => {
  it('fails a contract whose archive folder loops on its data, with the reason, and goes on with other contracts', async () => {
    const flow = exampleFlow();
    flow.key = 'loop-archive';
    // Loops only for a supplier called "loop": the door cannot know, the workflow meets it after approval.
    flow.archive!.folder = `=supplier.name = "loop" ? ${TAIL_LOOP} : "procurement/" & supplier.name`;
    await hub.publish(flow);
    const order = exampleOrder();
    const looping = { flow: flow.key, sourceKey: 'PO-LOOP-ARCHIVE', data: { ...order.data, supplier: { ...order.data.supplier, name: 'loop' } } };

    const started = await hub.call('POST', '/api/contracts', looping);
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id;
    await approveAll(id, started.body.steps.length);
    const failed = await hub.waitFor(id, (c) => c.status === 'failed', 60_000);
    const reason = failed.timeline.find((e: { type: string }) => e.type === 'failed');
    expect(reason.message).toContain('/archive/folder');
    expect(reason.message).toMatch(/ran out of its budget/);
    // Nobody was asked to sign a contract that could not be archived.
    expect(failed.signers.filter((s: { status: string }) => s.status !== 'waiting')).toEqual([]);

    // The worker is free: a normal contract on the same flow goes through approval into signing.
    const normal = await hub.call('POST', '/api/contracts', { flow: flow.key, sourceKey: 'PO-NORMAL', data: order.data });
    expect(normal.status, JSON.stringify(normal.body)).toBe(201);
    await approveAll(normal.body.id, normal.body.steps.length);
    await hub.waitFor(normal.body.id, (c) => c.status === 'signing', 60_000);
  }, 150_000);
});

// Single-step blow-ups: one built-in call does seconds of work, or builds a text of gigabytes,
// between two of the evaluation hooks, so neither the step budget nor the clock check sees it
// until it is over. Before evaluation ran in worker processes (flows/expression-pool.ts), on the
// 2-core dev machine: the $merge simulate held the server's event loop for 9 s, and a /healthz
// sent meanwhile failed (ECONNRESET); the $string of gigabytes grew the heap to 4 GB in 20 s
// and killed the process ("JavaScript heap out of memory"). In worker threads with a 256 MB
// heap, HUGE_ALLOCATION aborted the whole process at once (V8's fatal out-of-memory is not the
// thread's graceful end): hence processes.
/** `$merge` of 20,000 references to the 10,000-key object at `wide`: 2·10⁸ property writes in one step. */
const mergeBlowup = (wide: string) => `( $o := ${wide}; $count($keys($merge([1..20000].$o))) )`;
/** Data with the wide object (150 kB of JSON): building it in the expression would spend its own budget first. */
const wideOrder = { ...smallOrder, wide: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])) };
/**
 * `$string` of 520 references to a 999,999-character text: a JSON text of 520 million characters
 * (in place: 0.85 s and 620 MiB in one step; with 99,999 references the heap grew to 4 GB in 20 s
 * and the process died).
 */
const STRINGIFY_BLOWUP = '( $s := $pad("", 999999, "x"); $length($string($map([1..520], function($i){ $s }))) )';
/** Two texts of 530 million characters in one array: one allocation far over a worker's heap (in place: 1.1 GB). */
const HUGE_ALLOCATION = '( $s := $pad("", 999999, "x"); $a := $map([1..530], function($i){ $s }); $count([$join($a), $join($a)]) )';
/** /healthz answers within this while a blow-up runs (it does nothing but answer). */
const HEALTHY_MS = 1000;

/** The pool's verdicts on a worker it had to stop (the expression's own budget would say "ran longer than 500 ms"). */
const STOPPED = /was stopped after \d+ ms/;
const OUT_OF_MEMORY = /needed more than \d+ MB of memory/;
const EITHER_LIMIT = new RegExp(`${STOPPED.source}|${OUT_OF_MEMORY.source}`);

/** The 4xx answer to a blow-up stopped by the pool: its details name `path`; `limit` matches the message. */
function expectLimitRefusal(response: { status: number; body: any }, path: string, limit: RegExp) {
  expectBudgetRefusal(response, path);
  const detail = response.body.error.details.find((d: { path: string }) => d.path === path);
  expect(detail.message).toMatch(limit);
}

describe('one built-in call that blows up, off the event loop', () => {
  it('simulate: a $merge of 2·10⁸ keys in one step is stopped at its time limit with a 4xx naming /approval/amount, while /healthz answers at once', async () => {
    await saveDraft(flowWith('merge-amount', (flow) => {
      flow.approval.amount = `=${mergeBlowup('wide')}`;
      flow.data = { type: 'object' };
    }));
    await saveDraft(flowWith('merge-neighbour', () => {}));
    const simulation = timed(() => hub.call('POST', '/api/flows/merge-amount/simulate', { data: wideOrder }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Another user's simulation meanwhile gets its answer from another worker, at once.
    const neighbour = await timed(() => hub.call('POST', '/api/flows/merge-neighbour/simulate', { data: smallOrder }));
    expect(neighbour.result).toMatchObject({ status: 200, body: { amount: 5000 } });
    expect(neighbour.ms).toBeLessThan(HEALTHY_MS);
    // Health checks sent while the blow-up runs, one after another.
    const checks: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { ms, result } = await timed(() => hub.call('GET', '/healthz', undefined, null));
      expect(result.status).toBe(200);
      checks.push(ms);
    }
    const { ms, result } = await simulation;
    expectLimitRefusal(result, '/approval/amount', STOPPED);
    expect(ms).toBeLessThan(QUICK_MS);
    expect(Math.max(...checks), `health checks took ${checks.map(Math.round).join(', ')} ms`).toBeLessThan(HEALTHY_MS);
  });

  it('simulate: a $string of 520 million characters is stopped at its worker\'s memory or time limit with a 4xx naming /documents/0/when; the server lives on and simulates again', async () => {
    await saveDraft(flowWith('stringify-when', (flow) => {
      flow.documents = [{ id: 'contract', template: 'purchase-contract', when: `=${STRINGIFY_BLOWUP} > 0` }];
    }));
    const health = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return timed(() => hub.call('GET', '/healthz', undefined, null));
    })();
    const { ms, result } = await timed(() => hub.call('POST', '/api/flows/stringify-when/simulate', { data: smallOrder }));
    // Which limit comes first depends on the machine's speed (the pool's own test meets each alone).
    expectLimitRefusal(result, '/documents/0/when', EITHER_LIMIT);
    expect(ms).toBeLessThan(QUICK_MS);
    expect((await health).result.status).toBe(200);
    expect((await health).ms).toBeLessThan(HEALTHY_MS);
    // The next simulation gets a fresh worker, and its answer.
    await saveDraft(flowWith('after-blowup', () => {}));
    expect((await hub.call('POST', '/api/flows/after-blowup/simulate', { data: smallOrder }))).toMatchObject({ status: 200, body: { amount: 5000 } });
  });

  it('simulate: an allocation far over the worker\'s heap ends only that worker, with a 4xx naming /title; the server lives on', async () => {
    await saveDraft(flowWith('huge-title', (flow) => (flow.title = `=supplier.name = "blow" ? $string(${HUGE_ALLOCATION}) : "PO " & poNumber`)));
    const { ms, result } = await timed(() => hub.call('POST', '/api/flows/huge-title/simulate', { data: { ...smallOrder, supplier: { name: 'blow' } } }));
    expectLimitRefusal(result, '/title', OUT_OF_MEMORY);
    expect(ms).toBeLessThan(QUICK_MS);
    expect((await hub.call('GET', '/healthz', undefined, null)).status).toBe(200);
    const fine = await hub.call('POST', '/api/flows/huge-title/simulate', { data: smallOrder });
    expect(fine.status, JSON.stringify(fine.body)).toBe(200);
    expect(fine.body.title).toBe('PO PO-1');
  });

  it('starting a contract: the $merge blow-up in the title is refused with a 4xx naming /title, stores nothing, and others start', async () => {
    await hub.publish(flowWith('merge-title', (flow) => {
      flow.title = `=supplier.name = "blow" ? $string(${mergeBlowup('wide')}) : "PO " & poNumber`;
      flow.data = { type: 'object' };
    }));
    const health = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return timed(() => hub.call('GET', '/healthz', undefined, null));
    })();
    const { ms, result } = await timed(() => hub.call('POST', '/api/contracts', { flow: 'merge-title', sourceKey: 'PO-BLOW', data: { ...wideOrder, supplier: { name: 'blow' } } }));
    expectLimitRefusal(result, '/title', STOPPED);
    expect(ms).toBeLessThan(QUICK_MS);
    expect((await health).ms).toBeLessThan(HEALTHY_MS);
    expect((await hub.call('GET', '/api/contracts?flow=merge-title')).body).toMatchObject({ total: 0, items: [] });
    const fine = await hub.call('POST', '/api/contracts', { flow: 'merge-title', data: smallOrder });
    expect(fine.status, JSON.stringify(fine.body)).toBe(201);
    expect(fine.body.title).toBe('PO PO-1');
  });

  it('connector mapping preview: the $merge blow-up is refused with a 4xx naming /mapping while /healthz answers', async () => {
    await hub.publish(flowWith('mapped-merge', () => {}));
    const created = await hub.call('POST', '/api/connectors', {
      id: 'bpm-merge', connector: 'bpm_webhook', name: 'BPM (merge)', settings: {},
      trigger: { kind: 'webhook', auth: { kind: 'bearer', token: 'bpm-token-merge-0123456789' } },
      flow: 'mapped-merge', mapping: 'variables',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sample = { processInstanceId: 'p-1', variables: wideOrder };
    const preview = timed(() => hub.call('POST', '/api/connectors/bpm-merge/preview', { sample, mapping: `$merge([variables, { "amount": ${mergeBlowup('variables.wide')} }])` }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const health = await timed(() => hub.call('GET', '/healthz', undefined, null));
    const { ms, result } = await preview;
    expectLimitRefusal(result, '/mapping', STOPPED);
    expect(ms).toBeLessThan(QUICK_MS);
    expect(health.ms).toBeLessThan(HEALTHY_MS);
  });

  it('a webhook delivery: the $merge blow-up in the stored mapping is that record\'s mapping_failed, quickly, and the next delivery starts its contract', async () => {
    await hub.publish(flowWith('hooked-merge', (flow) => (flow.data = { type: 'object' })));
    const token = 'bpm-token-hooked-0123456789';
    const created = await hub.call('POST', '/api/connectors', {
      id: 'bpm-hooked', connector: 'bpm_webhook', name: 'BPM (hooked)', settings: {},
      trigger: { kind: 'webhook', auth: { kind: 'bearer', token } },
      flow: 'hooked-merge', mapping: `variables.supplier.name = "blow" ? $merge([variables, { "amount": ${mergeBlowup('variables.wide')} }]) : variables`,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const delivery = timed(() => hub.call('POST', '/hooks/bpm-hooked', { processInstanceId: 'p-blow', variables: { ...wideOrder, supplier: { name: 'blow' } } }, token));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const health = await timed(() => hub.call('GET', '/healthz', undefined, null));
    const { ms, result } = await delivery;
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body).toMatchObject({ read: 1, started: 0, errors: [{ code: 'mapping_failed' }] });
    expect(result.body.errors[0].message).toMatch(STOPPED);
    expect(ms).toBeLessThan(QUICK_MS);
    expect(health.ms).toBeLessThan(HEALTHY_MS);
    const next = await hub.call('POST', '/hooks/bpm-hooked', { processInstanceId: 'p-fine', variables: smallOrder }, token);
    expect(next.body, JSON.stringify(next.body)).toMatchObject({ read: 1, started: 1, errors: [] });
  });
});

/** Approves every step of the contract, manager first, then finance. */
async function approveAll(id: string, steps: number) {
  const approvers = [manager, finance];
  for (let step = 0; step < steps; step++) {
    await hub.waitFor(id, (c) => c.steps[step].status === 'pending');
    const decided = await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, approvers[step].token);
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  }
}
