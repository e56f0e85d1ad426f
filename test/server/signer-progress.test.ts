// What a sender sees of a contract while others hold it: the ledger finds it by its parties
// from the moment it starts, and each signer shows as invited → opened → read, on the
// timeline too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { approvedContract, linkFor, readAll, signerCall } from '../support/signing';

let hub: TestHub;
let approvers: { manager: { token: string }; finance: { token: string } };

beforeAll(async () => {
  hub = await startTestHub();
  await hub.publish(exampleFlow());
  approvers = { manager: await hub.user('王经理', ['dept-manager']), finance: await hub.user('赵总监', ['finance-director']) };
}, 120_000);
afterAll(() => hub?.close());

describe('the contract page and the ledger while a contract is held up', () => {
  it('finds a contract in approval by a party’s name, before its signers are planned', async () => {
    const order = { ...exampleOrder(), sourceKey: 'PO-PARTIES-1' };
    const started = await hub.call('POST', '/api/contracts', order);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'in_approval', signers: [] });
    const supplier: string = order.data.supplier.name;
    for (const query of [`q=${encodeURIComponent(supplier.slice(3, 5))}`, `party=${encodeURIComponent(supplier)}`]) {
      const listed = await hub.call('GET', `/api/contracts?${query}`);
      expect(listed.body.items.map((c: { id: string }) => c.id), query).toContain(started.body.id);
    }
    const [row] = (await hub.call('GET', `/api/contracts?q=${encodeURIComponent(order.sourceKey)}`)).body.items;
    expect(row.parties).toContain(supplier);
  });

  it('shows when each signer opened their page and when they had read every page', async () => {
    const id = await approvedContract(hub, approvers, { ...exampleOrder(), sourceKey: 'PO-PROGRESS-1' });
    const signer = async () => (await hub.call('GET', `/api/contracts/${id}`)).body.signers.find((s: { id: string }) => s.id === 'buyer');
    const link = await linkFor(hub, id, 'signer:buyer');
    expect(await signer()).toMatchObject({ status: 'invited', openedAt: null, readAt: null, pagesRead: 0 });

    const page = (await signerCall(hub, link)).body;
    const opened = await signer();
    expect(opened.openedAt).toEqual(expect.any(String));
    expect(opened).toMatchObject({ readAt: null, pagesRead: 0 });
    await signerCall(hub, link);
    expect((await signer()).openedAt).toBe(opened.openedAt);

    await signerCall(hub, link, '/read', { document: page.documents[0].id, page: 1 });
    expect(await signer()).toMatchObject({ pagesRead: 1, readAt: null });
    await readAll(hub, link);
    const total = page.documents.reduce((sum: number, d: { pages: number }) => sum + d.pages, 0);
    const read = await signer();
    expect(read.pagesRead).toBe(total);
    expect(read.readAt >= read.openedAt).toBe(true);
    // …and the timeline says so, in time order, where the sender looks for who holds it up.
    const { timeline } = (await hub.call('GET', `/api/contracts/${id}`)).body;
    const seen = timeline.filter((e: { signer?: string; type: string }) => e.signer === 'buyer' && (e.type === 'opened' || e.type === 'read'));
    expect(seen).toMatchObject([
      { type: 'opened', at: read.openedAt, actor: 'signer:buyer' },
      { type: 'read', at: read.readAt, message: expect.stringContaining(`read all ${total} pages`) },
    ]);
    expect(timeline.map((e: { at: string }) => e.at)).toEqual(timeline.map((e: { at: string }) => e.at).sort());
  });
});
