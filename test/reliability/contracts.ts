// The people around the reliability flow (three-signers.flow.json), over the REST API of a
// running hub: a manager approves, three signers open their links from the dev outbox and sign.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from './parts';

export const threeSignersFlow = () => JSON.parse(readFileSync(new URL('./three-signers.flow.json', import.meta.url), 'utf8'));
export const SIGNERS = ['buyer', 'supplier', 'guarantor'] as const;

const order = JSON.parse(readFileSync(new URL('../../examples/purchase-order-4500000001.json', import.meta.url), 'utf8'));
/** The example purchase order under a new PO number (its source key, so every run starts new contracts). */
export function newOrder(n: number) {
  const poNumber = `R${randomBytes(3).toString('hex')}${String(n).padStart(4, '0')}`;
  return { flow: 'reliability-three-signers', sourceKey: poNumber, data: { ...order.data, poNumber, supplier: { ...order.data.supplier, isNew: false } } };
}

export interface Admin {
  url: string;
  token: string;
}

const ok = async (what: string, answer: Promise<{ status: number; body: any }>, expected: number[] = [200, 201]) => {
  const { status, body } = await answer;
  if (!expected.includes(status)) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body;
};

/** Publishes the flow and makes its approver; answers the manager's token. */
export async function setUpFlow(admin: Admin): Promise<string> {
  const flow = threeSignersFlow();
  await ok('create flow', request(admin.url, 'POST', '/api/flows', { body: flow, token: admin.token }));
  await ok('publish flow', request(admin.url, 'POST', `/api/flows/${flow.key}/publish`, { token: admin.token }));
  const manager = await ok('create manager', request(admin.url, 'POST', '/api/users', { body: { name: '王经理', roles: ['dept-manager'] }, token: admin.token }));
  return manager.token;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `until` holds; a failed request (a part restarting) is retried. */
export async function waitUntil<T>(what: string, read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (until(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await sleep(250);
  }
  throw new Error(`${what} did not happen in ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 2000)} ${lastError ?? ''}`);
}

export const contract = (admin: Admin, id: string) => request(admin.url, 'GET', `/api/contracts/${id}`, { token: admin.token }).then((r) => (r.status === 200 ? r.body : null));

/** The signer's link token from the dev outbox (as they would find it in their mail). */
export async function linkOf(admin: Admin, id: string, signer: string, timeoutMs = 180_000): Promise<string> {
  const messages = await waitUntil(
    `the link of ${signer} on ${id}`,
    () => request(admin.url, 'GET', `/api/outbox?contractId=${id}&to=signer:${signer}`, { token: admin.token }).then((r) => (r.status === 200 ? r.body.items : [])),
    (items: any[]) => items.some((m) => /\/sign\/[A-Za-z0-9_-]{20,}/.test(m.body)),
    timeoutMs,
  );
  return messages.map((m: any) => /\/sign\/([A-Za-z0-9_-]{20,})/.exec(m.body)?.[1]).find(Boolean)!;
}

/** Starts a contract; answers its id. */
export async function startContract(admin: Admin, n: number): Promise<string> {
  const body = await ok('start contract', request(admin.url, 'POST', '/api/contracts', { body: newOrder(n), token: admin.token }));
  return body.id;
}

/** The manager approves once the step is open (repeats after a lost answer are harmless: 409 means decided). */
export async function approve(admin: Admin, managerToken: string, id: string, timeoutMs = 180_000): Promise<void> {
  await waitUntil(`approval step of ${id}`, () => contract(admin, id), (c) => c?.steps?.[0]?.status === 'pending' || c?.status !== 'in_approval', timeoutMs);
  await waitUntil(
    `approval of ${id}`,
    () => request(admin.url, 'POST', `/api/contracts/${id}/approvals`, { body: { decision: 'approve' }, token: managerToken }).then((r) => r.status),
    (status) => status === 200 || status === 409,
    timeoutMs,
  );
}

/** One signer signs by link (read, then sign); 409 is "already signed" (a retry after a lost answer). Answers the status of the first sign call. */
export async function sign(admin: Admin, id: string, signer: string, timeoutMs = 180_000): Promise<number> {
  const token = await linkOf(admin, id, signer, timeoutMs);
  let first: number | undefined;
  await waitUntil(
    `${signer} signing ${id}`,
    () => request(admin.url, 'POST', `/api/sign/${token}`, { body: { read: true } }).then((r) => {
      first ??= r.status;
      return r.status;
    }),
    (status) => status === 200 || status === 409,
    timeoutMs,
  );
  return first!;
}

/** The whole way of one contract: start, approve, three signatures; answers its id. */
export async function carryThrough(admin: Admin, managerToken: string, n: number, timeoutMs = 300_000): Promise<string> {
  const id = await startContract(admin, n);
  await approve(admin, managerToken, id, timeoutMs);
  await sign(admin, id, 'buyer', timeoutMs);
  await Promise.all([sign(admin, id, 'supplier', timeoutMs), sign(admin, id, 'guarantor', timeoutMs)]);
  return id;
}
