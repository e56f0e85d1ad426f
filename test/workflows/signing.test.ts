// The signing stage end to end on a real Temporal server: signers invited in order by
// their personal links, every requirement checked by the server, PAdES signatures that
// pdfsig validates, the archive's document timestamps and the sealed evidence report.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { approvedContract, codeFor, linkFor, readAll, signerCall } from '../support/signing';
import { adminDownload, signingPeople, type SigningPeople } from '../support/signing-people';

let hub: TestHub;
let people: SigningPeople;
const scratch = mkdtempSync(join(tmpdir(), 'sealflow-signing-'));




const signer = (token: string, path = '', body?: unknown, userToken: string | null = null) => signerCall(hub, token, path, body, userToken);



function pdfsig(bytes: Buffer): string {
  const file = join(scratch, `${Date.now()}-${Math.random()}.pdf`);
  writeFileSync(file, bytes);
  try {
    return execFileSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

const download = (path: string) => adminDownload(hub, path);

beforeAll(async () => {
  hub = await startTestHub();
  await hub.publish(exampleFlow());
  // The buyer signs with the company seal the flow names; only users on the seal's list may use it.
  people = await signingPeople(hub);
});
afterAll(() => hub?.close());

describe('two parties in order', () => {
  it('invites the buyer first, the supplier after, checks what the flow asks, and archives a contract pdfsig validates', { timeout: 180_000 }, async () => {
    const order = exampleOrder();
    const id = await approvedContract(hub, people, order);
    const contract = await hub.waitFor(id, (c) => c.signers[0]?.status === 'invited');
    expect(contract.signers.map((s: any) => [s.id, s.status])).toEqual([['buyer', 'invited'], ['supplier', 'waiting']]);

    const buyerLink = await linkFor(hub, id, 'signer:buyer');
    const buyerView = (await signer(buyerLink)).body;
    expect(buyerView).toMatchObject({ status: 'pending', signer: { id: 'buyer', mustRead: false, verify: 'none' } });
    expect(buyerView.documents.map((d: any) => d.id)).toEqual(['contract', 'nda']);
    expect((await hub.call('POST', `/api/sign/${buyerLink}`, { read: true }, people.sealKeeper.token)).body).toMatchObject({ status: 'signed' });
    expect((await signer(buyerLink, '', { read: true })).status).toBe(409);

    // the supplier's turn: their link came by email and SMS to the contacts on record (the SMS
    // carries a shorter token of the same signer, to fit one segment)
    const supplierLink = await linkFor(hub, id, order.data.supplier.mobile);
    const emailLink = await linkFor(hub, id, order.data.supplier.email);
    expect(supplierLink).toHaveLength(16);
    expect(emailLink).toHaveLength(43);
    expect((await signer(emailLink)).body.signer.id).toBe('supplier');
    const view = (await signer(supplierLink)).body;
    expect(view).toMatchObject({ status: 'pending', signer: { mustRead: true, verify: 'sms-otp', mobile: '138****8000' } });

    const unread = await signer(supplierLink, '', { read: true });
    expect(unread.status).toBe(409);
    expect(unread.body.error.code).toBe('not_read');
    expect((await readAll(hub, supplierLink)).complete).toBe(true);

    expect((await signer(supplierLink, '', { read: true })).body.error.code).toBe('otp_required');
    const sent = await signer(supplierLink, '/otp', {});
    expect(sent.body).toMatchObject({ sentTo: '138****8000' });
    expect((await signer(supplierLink, '/otp', {})).status).toBe(429);
    const code = await codeFor(hub, id, order.data.supplier.mobile);
    const wrong = await signer(supplierLink, '', { read: true, otp: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('4 tries left');
    expect((await signer(supplierLink, '', { read: true, otp: code })).body.status).toBe('signed');
    // the code was for one use (409), or the contract completed meanwhile and the link is dead (410)
    expect([409, 410]).toContain((await signer(supplierLink, '', { read: true, otp: code })).status);

    const done = await hub.waitFor(id, (c) => c.status === 'completed', 60_000);
    expect(done.evidenceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(done.documents.every((d: any) => d.signedBy.join() === 'buyer,supplier')).toBe(true);
    const signedEvents = done.timeline.filter((e: any) => e.type === 'signed');
    expect(signedEvents.map((e: any) => e.signer)).toEqual(['buyer', 'supplier']);
    expect(signedEvents[1].intent).toContain('sms-otp');
    expect(signedEvents[1].ip).toBeTruthy();

    const pdf = await download(`/api/contracts/${id}/documents/contract.pdf`);
    const report = pdfsig(pdf);
    expect(report.match(/Signature is Valid/g)?.length).toBeGreaterThanOrEqual(2);
    expect(report).toContain('上海启明智能制造有限公司');
    const verified = await hub.post('/api/verify', pdf, { 'content-type': 'application/pdf' });
    expect(verified.body.valid).toBe(true);
    expect(verified.body.signatures.length).toBe(3); // buyer, supplier, and the archive's document timestamp

    const evidence = await download(`/api/contracts/${id}/evidence.pdf`);
    expect((await hub.post('/api/verify', evidence, { 'content-type': 'application/pdf' })).body.valid).toBe(true);
    const evidenceText = (() => {
      const file = join(scratch, 'evidence.pdf');
      writeFileSync(file, evidence);
      return execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    })();
    expect(evidenceText).toContain(id);
    expect(evidenceText).toContain(done.documents[0].sha256.slice(0, 16));

    // everybody got word, the supplier with the signed copies attached
    const mails = (await hub.call('GET', `/api/outbox?contractId=${id}&to=${order.data.supplier.email}`)).body.items;
    expect(mails.some((m: any) => m.subject.includes('已完成签署') && m.body.includes('附件'))).toBe(true);
    expect((await signer('not-a-real-token-0000000000000')).status).toBe(404);
  });
});

/** The example order from a supplier Sealflow already knows: the contract alone, no NDA. */
const known = () => {
  const order = exampleOrder();
  return { ...order, data: { ...order.data, supplier: { ...order.data.supplier, isNew: false } } };
};

describe('business users and deadlines', () => {
  it('nudges the pending signer once an hour at most, and a decline ends the contract', async () => {
    const id = await approvedContract(hub, people, { ...known(), sourceKey: 'nudge-1' });
    const first = await hub.call('POST', `/api/contracts/${id}/nudge`, {});
    expect(first.body).toEqual({ nudged: ['buyer'] });
    const again = await hub.call('POST', `/api/contracts/${id}/nudge`, { signer: 'buyer' });
    expect(again.status).toBe(429);
    expect(again.body.error.message).toMatch(/next nudge allowed at \d{4}-/);
    expect((await hub.call('POST', `/api/contracts/${id}/nudge`, { signer: 'supplier' })).status).toBe(409);

    const link = await linkFor(hub, id, 'signer:buyer');
    expect((await signer(link, '/decline', { reason: '价格有误' })).body).toEqual({ status: 'declined' });
    const done = await hub.waitFor(id, (c) => c.status === 'declined');
    expect(done.signers[0]).toMatchObject({ status: 'declined', declineReason: '价格有误' });
    expect((await signer(link, '', { read: true })).status).toBe(410);
  });

  it('voids the links when the initiator cancels', async () => {
    const id = await approvedContract(hub, people, { ...known(), sourceKey: 'cancel-1' });
    const link = await linkFor(hub, id, 'signer:buyer');
    expect((await hub.call('POST', `/api/contracts/${id}/cancel`, { reason: '重新谈判' })).body.status).toBe('cancelled');
    expect((await signer(link)).body.error.code).toBe('link_closed');
    expect((await signer(link, '', { read: true })).status).toBe(410);
  });

  it('expires when the signing deadline passes, after reminding on schedule', async () => {
    const flow: FlowDefinition = { ...exampleFlow(), key: 'short-deadline', signing: { deadline: 'PT4S', reminders: { every: 'PT1S', max: 2 } } };
    await hub.publish(flow);
    const id = await approvedContract(hub, people, { ...known(), flow: 'short-deadline', sourceKey: 'deadline-1' });
    const done = await hub.waitFor(id, (c) => c.status === 'expired', 30_000);
    expect(done.timeline.filter((e: any) => e.type === 'signing_reminded')).toHaveLength(2);
    expect(done.timeline.at(-1).type).toBe('expired');
  });
});

describe('three parties', () => {
  it('collects three signatures, two of them in parallel, all valid for pdfsig', { timeout: 180_000 }, async () => {
    const base = exampleFlow();
    const flow: FlowDefinition = {
      ...base,
      key: 'three-party',
      documents: [base.documents![0]],
      signers: [
        { id: 'buyer', party: 'company', name: '=buyer.name', order: 1, documents: ['contract'] },
        { id: 'supplier', party: 'company', name: '=supplier.name', order: 2, documents: ['contract'] },
        { id: 'witness', party: 'person', name: '张三', order: 2, documents: ['contract'] },
      ],
    };
    await hub.publish(flow);
    const id = await approvedContract(hub, people, { ...known(), flow: 'three-party', sourceKey: 'three-1' });
    await signer(await linkFor(hub, id, 'signer:buyer'), '', { read: true });
    const [supplier, witness] = [await linkFor(hub, id, 'signer:supplier'), await linkFor(hub, id, 'signer:witness')];
    const both = await Promise.all([signer(supplier, '', { read: true }), signer(witness, '', { read: true }), signer(witness, '', { read: true })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 200, 409]);
    const done = await hub.waitFor(id, (c) => c.status === 'completed', 60_000);
    expect(done.documents[0].signedBy).toHaveLength(3);
    const report = pdfsig(await download(`/api/contracts/${id}/documents/contract.pdf`));
    expect(report.match(/Signature is Valid/g)?.length).toBeGreaterThanOrEqual(3);
  });
});
