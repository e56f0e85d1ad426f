// Contract statuses over the REST API: every status the workflow knows can be listed and
// filtered (the API once knew 4 of 9), and a script can wait for the hub's asynchronous
// work with GET /api/contracts/:id?wait=<status> instead of polling, finding working links
// in the outbox the moment the wait answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_STATUSES, type ContractStatus } from '../../flows';
import { approvalFlow, exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { codeFor, linkIn, readAll, signerCall } from '../support/signing';
import { contractState } from '../store/fixtures';
import type { TestDialect } from '../support/databases';

describe.each<TestDialect>(['sqlite', 'postgres'])('the contract list on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ dialect });
    // One contract in each status, as the workflow's activities would have saved them.
    for (const [n, status] of CONTRACT_STATUSES.entries()) {
      await hub.store.contracts.save(contractState({ id: `ct_status_${status}`, flowKey: 'statuses', status, createdAt: `2026-01-0${n + 1}T00:00:00.000Z` }));
    }
  });
  afterAll(() => hub?.close());

  it('accepts every status as a filter and returns exactly the contracts in it', async () => {
    expect(CONTRACT_STATUSES).toHaveLength(9);
    for (const status of CONTRACT_STATUSES) {
      const { status: code, body } = await hub.call('GET', `/api/contracts?flow=statuses&status=${status}`);
      expect(code, JSON.stringify(body)).toBe(200);
      expect(body.items.map((c: { id: string; status: ContractStatus }) => [c.id, c.status])).toEqual([[`ct_status_${status}`, status]]);
    }
    expect((await hub.call('GET', '/api/contracts?flow=statuses')).body.total).toBe(9);
  });

  it('refuses an unknown status with 400 naming /status and the statuses it knows', async () => {
    const { status, body } = await hub.call('GET', '/api/contracts?status=archived');
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_query');
    expect(body.error.details).toEqual([{ path: '/status', message: expect.stringContaining('signing') }]);
    for (const known of CONTRACT_STATUSES) expect(body.error.message).toContain(known);
  });
});

describe('the API document', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub?.close());

  it('publishes the nine statuses for the list filter, the wait and the contract, and the wait parameters', async () => {
    const { body: doc } = await hub.call('GET', '/openapi.json', undefined, null);
    const param = (path: string, name: string) => doc.paths[path].get.parameters.find((p: { name: string }) => p.name === name)?.schema;
    expect(param('/api/contracts', 'status').enum).toEqual([...CONTRACT_STATUSES]);
    expect(param('/api/contracts/{id}', 'wait').enum).toEqual([...CONTRACT_STATUSES]);
    expect(param('/api/contracts/{id}', 'timeout')).toMatchObject({ type: 'integer', minimum: 1, maximum: 60, default: 30 });
    expect(param('/api/contracts/{id}', 'signer')).toMatchObject({ type: 'string' });
    expect(doc.paths['/api/contracts/{id}'].get.responses[200].content['application/json'].schema.properties.status.enum).toEqual([...CONTRACT_STATUSES]);
  });
});

describe('waiting for a contract', () => {
  let hub: TestHub;
  let manager: { token: string };
  let finance: { token: string };
  let keeper: { id: string; token: string };
  beforeAll(async () => {
    hub = await startTestHub();
    await hub.publish(exampleFlow());
    await hub.publish({ ...approvalFlow(), key: 'approval-only' });
    manager = await hub.user('王经理', ['dept-manager']);
    finance = await hub.user('赵总监', ['finance-director']);
    keeper = await hub.user('钱印章', ['seal-keeper']);
    expect((await hub.call('PUT', '/api/seals/contract-seal', { company: exampleOrder().data.buyer.name, users: [keeper.id] })).status).toBe(201);
  });
  afterAll(() => hub?.close());

  const timed = async <T>(run: () => Promise<T>) => {
    const started = Date.now();
    const result = await run();
    return { result, ms: Date.now() - started };
  };
  /** The outbox as it is right now: no polling, a wait before this must have made it current. */
  const linkNow = async (id: string, to: string) => {
    const { body } = await hub.call('GET', `/api/outbox?contractId=${id}&to=${encodeURIComponent(to)}`);
    return body.items.map((m: { body: string }) => linkIn(m.body)).find(Boolean) ?? null;
  };
  const waitFor = async (id: string, query: string) => {
    const response = await fetch(`${hub.url}/api/contracts/${id}?${query}`, { headers: { authorization: `Bearer ${hub.adminToken}` } });
    return { status: response.status, wait: response.headers.get('x-sealflow-wait'), body: (await response.json()) as any };
  };

  it('carries a contract from its start to completed with no polling: each wait answers when the next link works', { timeout: 180_000 }, async () => {
    const started = await hub.call('POST', '/api/contracts', exampleOrder());
    expect(started.status).toBe(201);
    const id = started.body.id;
    // Sent right after the start, as the README's step 5 does: taken, not refused while the first step opens
    // (a race this in-process hub rarely meets; test/e2e/readme-example.test.ts meets it on `npm start`'s hub).
    const first = await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, manager.token);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect((await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, finance.token)).status).toBe(200);

    const signing = await waitFor(id, 'wait=signing');
    expect(signing).toMatchObject({ status: 200, wait: 'reached', body: { status: 'signing' } });
    expect(signing.body.signers.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([['buyer', 'invited'], ['supplier', 'waiting']]);
    const buyer = await linkNow(id, 'signer:buyer');
    expect(buyer).toBeTruthy();
    expect((await signerCall(hub, buyer!)).status).toBe(200);
    expect((await signerCall(hub, buyer!, '', { read: true }, keeper.token)).status).toBe(200);

    // The supplier is invited a moment after the buyer's signature: waiting for them by name.
    expect((await waitFor(id, 'wait=signing&signer=nobody')).body.error.details).toEqual([{ path: '/signer', message: expect.stringContaining('buyer, supplier') }]);
    const supplierTurn = await waitFor(id, 'wait=signing&signer=supplier');
    expect(supplierTurn).toMatchObject({ status: 200, wait: 'reached', body: { status: 'signing' } });
    const supplier = await linkNow(id, exampleOrder().data.supplier.email);
    expect(supplier).toBeTruthy();
    await readAll(hub, supplier!);
    expect((await signerCall(hub, supplier!, '/otp', {})).status).toBe(200);
    const code = await codeFor(hub, id, exampleOrder().data.supplier.mobile);
    expect((await signerCall(hub, supplier!, '', { otp: code, read: true })).status).toBe(200);

    const completed = await waitFor(id, 'wait=completed&timeout=60');
    expect(completed).toMatchObject({ status: 200, wait: 'reached', body: { status: 'completed' } });
    const evidence = await fetch(`${hub.url}/api/contracts/${id}/evidence.pdf`, { headers: { authorization: `Bearer ${hub.adminToken}` } });
    expect(evidence.status).toBe(200);
    // A contract past the status asked for answers at once.
    const past = await timed(() => waitFor(id, 'wait=signing'));
    expect(past.result).toMatchObject({ wait: 'reached', body: { status: 'completed' } });
    expect(past.ms).toBeLessThan(1_000);
  });

  it('answers at once for a contract that ended otherwise, and with the contract as it is after the timeout', { timeout: 60_000 }, async () => {
    const started = await hub.call('POST', '/api/contracts', { flow: 'approval-only', data: { poNumber: 'W-1', amount: 50_000, supplier: { name: 's' } } });
    const id = started.body.id;
    const timedOut = await timed(() => waitFor(id, 'wait=completed&timeout=1'));
    expect(timedOut.result).toMatchObject({ status: 200, wait: 'timeout', body: { status: 'in_approval' } });
    expect(timedOut.ms).toBeGreaterThanOrEqual(900);
    expect(timedOut.ms).toBeLessThan(5_000);

    expect((await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'reject' }, manager.token)).status).toBe(200);
    const rejected = await timed(() => waitFor(id, 'wait=signing'));
    expect(rejected.result).toMatchObject({ status: 200, wait: 'settled', body: { status: 'rejected' } });
    expect(rejected.ms).toBeLessThan(1_000);
  });

  it('counts "approved" as the end for a flow without signers, once its workflow has ended', { timeout: 60_000 }, async () => {
    const started = await hub.call('POST', '/api/contracts', { flow: 'approval-only', data: { poNumber: 'W-2', amount: 50_000, supplier: { name: 's' } } });
    const id = started.body.id;
    expect((await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, manager.token)).status).toBe(200);
    const approved = await timed(() => waitFor(id, 'wait=signing'));
    expect(approved.result).toMatchObject({ status: 200, wait: 'settled', body: { status: 'approved' } });
    expect(approved.ms).toBeLessThan(10_000);
  });

  it('refuses a wait it cannot serve with 400 and the JSON path', async () => {
    const started = await hub.call('POST', '/api/contracts', { flow: 'approval-only', data: { poNumber: 'W-3', amount: 5, supplier: { name: 's' } } });
    const id = started.body.id;
    const cases: [string, string][] = [
      ['wait=archived', '/wait'],
      ['wait=completed&timeout=61', '/timeout'],
      ['wait=completed&timeout=0', '/timeout'],
      ['wait=approved&signer=supplier', '/signer'],
      ['signer=supplier', '/signer'],
      ['colour=red', '/colour'],
    ];
    for (const [query, path] of cases) {
      const { status, body } = await waitFor(id, query);
      expect(status, query).toBe(400);
      expect(body.error.details.map((d: { path: string }) => d.path), query).toContain(path);
    }
  });
});
