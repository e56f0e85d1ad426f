// The SMS code's limits and the contract's end-date reminder, on a real Temporal server:
// an expired code, five wrong codes, a link that belongs to another contract, and the
// 合同到期提醒 that fires before the contract's end date.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { approvedContract, codeFor, linkFor, readAll, signerCall } from '../support/signing';

let hub: TestHub;
let approvers: { manager: { token: string }; finance: { token: string } };

/** The example without the buyer's seal: these tests are about the supplier's code. */
function flow(overrides: Partial<FlowDefinition> = {}): FlowDefinition {
  const base = exampleFlow();
  return { ...base, documents: [base.documents![0]], signers: base.signers!.map(({ seal: _seal, ...s }) => ({ ...s, documents: ['contract'] })), ...overrides };
}

async function supplierTurn(sourceKey: string, flowKey = 'supplier-purchase', extra: Record<string, unknown> = {}) {
  const order = exampleOrder();
  const id = await approvedContract(hub, approvers, { flow: flowKey, sourceKey, data: { ...order.data, ...extra } });
  await signerCall(hub, await linkFor(hub, id, 'signer:buyer'), '', { read: true });
  const link = await linkFor(hub, id, order.data.supplier.mobile);
  await readAll(hub, link);
  return { id, link, mobile: order.data.supplier.mobile as string };
}

beforeAll(async () => {
  hub = await startTestHub();
  await hub.publish(flow());
  approvers = { manager: await hub.user('王经理', ['dept-manager']), finance: await hub.user('赵总监', ['finance-director']) };
});
afterAll(() => hub?.close());

it('refuses an expired code, and signs nothing', async () => {
  const { id, link, mobile } = await supplierTurn('otp-expired');
  await signerCall(hub, link, '/otp', {});
  const code = await codeFor(hub, id, mobile);
  // five minutes pass: the stored code's expiry moves into the past
  const stored = (await hub.store.signerLinks.byToken(link))!;
  await hub.store.signerLinks.setOtp(stored.tokenHash, { hash: stored.otp!.hash, sentAt: stored.otp!.sentAt, expiresAt: new Date(Date.now() - 1000).toISOString() });
  const late = await signerCall(hub, link, '', { read: true, otp: code });
  expect(late.status).toBe(410);
  expect(late.body.error.code).toBe('otp_expired');
  expect((await hub.call('GET', `/api/contracts/${id}`)).body.signers[1].status).toBe('invited');
});

it('locks the code after five wrong ones, even for the right one', async () => {
  const { id, link, mobile } = await supplierTurn('otp-locked');
  await signerCall(hub, link, '/otp', {});
  const code = await codeFor(hub, id, mobile);
  const wrong = code === '000000' ? '111111' : '000000';
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push((await signerCall(hub, link, '', { read: true, otp: wrong })).body.error.code);
  expect(answers).toEqual(['otp_invalid', 'otp_invalid', 'otp_invalid', 'otp_invalid', 'otp_locked']);
  const right = await signerCall(hub, link, '', { read: true, otp: code });
  expect(right.status).toBe(429);
  expect((await hub.call('GET', `/api/contracts/${id}`)).body.signers[1].status).toBe('invited');
});

it("does not let one contract's link reach another contract's documents", async () => {
  const a = await supplierTurn('link-a');
  const b = await supplierTurn('link-b');
  const other = await hub.call('GET', `/api/contracts/${b.id}`);
  expect((await signerCall(hub, a.link)).body.contract.id).toBe(a.id);
  expect(other.body.documents[0].id).toBe('contract');
  // the same document id, through A's link, is A's document, never B's
  const viaA = await fetch(`${hub.url}/api/sign/${a.link}/documents/contract.pdf`);
  const bytes = Buffer.from(await viaA.arrayBuffer());
  const { createHash } = await import('node:crypto');
  expect(createHash('sha256').update(bytes).digest('hex')).toBe((await hub.call('GET', `/api/contracts/${a.id}`)).body.documents[0].sha256);
  expect((await signerCall(hub, `${a.link.slice(0, -2)}xx`)).status).toBe(404);
});

it('reminds the parties before the contract ends (合同到期提醒)', { timeout: 120_000 }, async () => {
  // The reminder is due 10 s from now, or at once if signing takes longer; the contract ends in a minute.
  await hub.publish(flow({ key: 'expiring', archive: { expiry: { date: '=contractEnd', remindBefore: 'PT50S' } } }));
  const contractEnd = new Date(Date.now() + 60_000).toISOString();
  const { id, link, mobile } = await supplierTurn('expiry-1', 'expiring', { contractEnd });
  await signerCall(hub, link, '/otp', {});
  await signerCall(hub, link, '', { read: true, otp: await codeFor(hub, id, mobile) });
  await hub.waitFor(id, (c) => c.status === 'completed', 60_000);
  const reminded = await hub.waitFor(id, (c) => c.timeline.some((e: any) => e.type === 'expiry_reminded'), 60_000);
  expect(reminded.timeline.at(-1).message).toContain(contractEnd.slice(0, 10));
  // The notice goes out right after the reminder is on the timeline.
  const subjects = async (): Promise<string[]> => (await hub.call('GET', `/api/outbox?contractId=${id}`)).body.items.map((m: any) => m.subject as string);
  for (let i = 0; i < 50 && !(await subjects()).some((s) => s.includes('即将到期')); i++) await new Promise((r) => setTimeout(r, 200));
  expect((await subjects()).some((s) => s.includes('即将到期'))).toBe(true);
});
