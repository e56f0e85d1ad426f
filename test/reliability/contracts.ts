// The people around the reliability flow (three-signers.flow.json), over the REST API of a
// running hub: a manager approves, three signers open their links from the dev outbox and sign.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from './parts';

export const threeSignersFlow = () => JSON.parse(readFileSync(new URL('./three-signers.flow.json', import.meta.url), 'utf8'));
export const SIGNERS = ['buyer', 'supplier', 'guarantor'] as const;
/** Where each signer's mail goes (the flow's contacts; the supplier's from the order). */
export const SIGNER_EMAILS: Record<string, string> = { buyer: 'buyer@qiming.example.cn', supplier: 'sales@hqe.example.cn', guarantor: 'guarantee@hdrd.example.cn' };

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

/**
 * Where a signer finds their link: the dev outbox by default. When mail really goes out
 * (SEALFLOW_SMTP_URL), the outbox keeps the link masked, and the mail itself is read instead.
 */
export type LinkFinder = (admin: Admin, id: string, signer: string) => Promise<string | null>;

const linkIn = (text: string) => /\/sign\/([A-Za-z0-9_-]{20,})/.exec(text)?.[1] ?? null;

export const linkInOutbox: LinkFinder = async (admin, id, signer) => {
  const { status, body } = await request(admin.url, 'GET', `/api/outbox?contractId=${id}&to=${encodeURIComponent(SIGNER_EMAILS[signer])}`, { token: admin.token });
  return status === 200 ? (body.items.map((m: any) => linkIn(m.body)).find(Boolean) ?? null) : null;
};

/** Links read from mails a test SMTP server received: the one to this signer about this contract's title. */
export function linkInMail(mails: () => { recipients: string[]; subject: string; text: string }[]): LinkFinder {
  const titles = new Map<string, string>();
  return async (admin, id, signer) => {
    if (!titles.has(id)) titles.set(id, (await contract(admin, id)).title);
    const title = titles.get(id)!;
    const mail = mails().find((m) => m.recipients.includes(SIGNER_EMAILS[signer]) && m.subject.includes(title) && linkIn(m.text));
    return mail ? linkIn(mail.text) : null;
  };
}

let findLink: LinkFinder = linkInOutbox;
/** Sets where signers find their links for this test file. */
export const useLinks = (finder: LinkFinder) => void (findLink = finder);

/** The signer's link token (as they would find it in their mail). */
export async function linkOf(admin: Admin, id: string, signer: string, timeoutMs = 180_000): Promise<string> {
  return (await waitUntil(`the link of ${signer} on ${id}`, () => findLink(admin, id, signer), (token) => token !== null, timeoutMs))!;
}

/** Starts a contract; answers its id. */
export async function startContract(admin: Admin, n: number, timeoutMs = 180_000): Promise<string> {
  // As a business system would: a 503 (or no answer) is tried again with the same source key,
  // which starts nothing twice (the same flow + sourceKey is the same contract: 200, not 201).
  const order = newOrder(n);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await request(admin.url, 'POST', '/api/contracts', { body: order, token: admin.token }).catch((error) => ({ status: 0, body: String(error) }));
    if (answer.status === 200 || answer.status === 201) return answer.body.id;
    if ((answer.status !== 503 && answer.status !== 0) || Date.now() > deadline) throw new Error(`start contract #${n}: ${answer.status} ${JSON.stringify(answer.body)}`);
    await sleep(500);
  }
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
