// What the console-operations tests share: a flow that reaches signing (and completion) with
// no code to type, and the people who take a contract there through the real API.
import { expect } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { exampleFlow, exampleOrder, type TestHub } from '../support/hub';
import { linkFor } from '../support/signing';

/** The example's purchase contract alone, signed by the buyer's seal and then by the supplier without a code. */
export const quickSigningFlow = (): FlowDefinition => ({
  ...exampleFlow(),
  key: 'quick-sign',
  documents: exampleFlow().documents!.filter((d) => d.id === 'contract'),
  signers: [
    { id: 'buyer', party: 'company', name: '=buyer.name', seal: 'contract-seal', order: 1, documents: ['contract'] },
    { id: 'supplier', party: 'company', name: '=supplier.name', contact: { email: '=supplier.email' }, order: 2, documents: ['contract'] },
  ],
});

export interface SigningCast {
  /** Starts the contract (a business user). */
  starter: string;
  manager: string;
  finance: string;
  /** May sign with the buyer's seal "contract-seal". */
  sealKeeper: string;
}

/** Publishes the quick-signing flow and gives the seal keeper (a user id) the buyer's seal. */
export async function prepareQuickSigning(hub: TestHub, sealKeeperId: string): Promise<void> {
  expect((await hub.call('PUT', '/api/seals/contract-seal', { company: exampleOrder().data.buyer.name, users: [sealKeeperId] })).status).toBe(201);
  await hub.publish(quickSigningFlow());
}

/**
 * A contract of the quick-signing flow, started, approved by manager and finance, and either
 * left with the buyer invited (`sign: false`) or signed by both parties. Call inside a test
 * (the outbox is polled with expect.poll).
 */
export async function quickContract(hub: TestHub, cast: SigningCast, sourceKey: string, { sign }: { sign: boolean }): Promise<any> {
  const order = exampleOrder();
  const started = await hub.call('POST', '/api/contracts', { flow: 'quick-sign', sourceKey, data: { ...order.data, poNumber: sourceKey } }, cast.starter);
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const id = started.body.id;
  for (const [index, approver] of [cast.manager, cast.finance].entries()) {
    await hub.waitFor(id, (c) => c.steps[index].status === 'pending');
    expect((await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, approver)).status).toBe(200);
  }
  await hub.waitFor(id, (c) => c.signers[0]?.status === 'invited', 60_000);
  if (!sign) return hub.waitFor(id, (c) => c.signers[0]?.invitationSentAt);
  const buyerLink = await linkFor(hub, id, 'signer:buyer');
  expect((await hub.call('POST', `/api/sign/${buyerLink}`, { read: true }, cast.sealKeeper)).body).toMatchObject({ status: 'signed' });
  const supplierLink = await linkFor(hub, id, order.data.supplier.email);
  expect((await hub.call('POST', `/api/sign/${supplierLink}`, { read: true }, null)).body).toMatchObject({ status: 'signed' });
  return hub.waitFor(id, (c) => c.status === 'completed', 60_000);
}
