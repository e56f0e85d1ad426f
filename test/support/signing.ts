// What a test needs to play the people around a contract: approvers who approve, signers
// who find their link and code in the dev outbox (as they would in their mail and SMS),
// and a signer's calls over their personal link.
import { expect } from 'vitest';
import type { TestHub } from './hub';

/** A signing link's token in a message: 43 characters by email and in-app, 16 in an SMS. */
export const linkIn = (text: string) => /\/sign\/([A-Za-z0-9_-]{16,})/.exec(text)?.[1] ?? null;

/** The signing link sent to `to` (an email, a mobile, or signer:<id>) about this contract. */
export async function linkFor(hub: TestHub, contractId: string, to: string): Promise<string> {
  let token: string | null = null;
  await expect
    .poll(async () => {
      const { body } = await hub.call('GET', `/api/outbox?contractId=${contractId}&to=${encodeURIComponent(to)}`);
      token = body.items.map((m: any) => linkIn(m.body)).find(Boolean) ?? null;
      return token;
    }, { timeout: 30_000 })
    .toBeTruthy();
  return token!;
}

/** The newest signing code texted to this mobile about this contract. */
export async function codeFor(hub: TestHub, contractId: string, mobile: string): Promise<string> {
  const { body } = await hub.call('GET', `/api/outbox?contractId=${contractId}&to=${mobile}`);
  const sms = body.items.find((m: any) => m.subject === '签署验证码');
  return /验证码 (\d{6})/.exec(sms.body)![1];
}

/** A signer's call over their link (GET without a body), with a user's token when they sign with a seal. */
export const signerCall = (hub: TestHub, token: string, path = '', body?: unknown, userToken: string | null = null) =>
  hub.call(body === undefined && path === '' ? 'GET' : 'POST', `/api/sign/${token}${path}`, body, userToken);

/** Scrolls through every page of every document of the link, as the signer page reports it. */
export async function readAll(hub: TestHub, token: string) {
  const session = (await signerCall(hub, token)).body;
  let last: any;
  for (const doc of session.documents) for (let page = 1; page <= doc.pages; page++) last = (await signerCall(hub, token, '/read', { document: doc.id, page })).body;
  return last;
}

/** Starts the order and has the manager (and finance, for a second step) approve it; resolves once signing began. */
export async function approvedContract(hub: TestHub, approvers: { manager: { token: string }; finance: { token: string } }, order: { flow: string; sourceKey?: string; data: unknown }): Promise<string> {
  const started = await hub.call('POST', '/api/contracts', order);
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const id = started.body.id;
  await hub.waitFor(id, (c) => c.steps[0].status === 'pending');
  await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, approvers.manager.token);
  if (started.body.steps.length > 1) {
    await hub.waitFor(id, (c) => c.steps[1].status === 'pending');
    await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, approvers.finance.token);
  }
  await hub.waitFor(id, (c) => c.status === 'signing', 60_000);
  return id;
}
