// An archive renewal of a contract whose workflow still runs (it sleeps until its expiry
// reminder, often years): the contract's page and its downloads must name the renewed files,
// not the ones the archive step made. On the real Temporal dev server, SQLite store.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { sourceChanged } from '../../workflows';
import { approvedContract } from '../support/signing';
import { adminDownload, signedByBoth, closeHub, signingPeople, type SigningPeople } from '../support/signing-people';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('a signed contract archived, told, and its archive renewed while it waits for its expiry reminder', () => {
  let hub: TestHub;
  let people: SigningPeople;
  const workflows: string[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    // The example flow reminds the parties 30 days before the contract's end date: its workflow sleeps till then.
    await hub.publish(exampleFlow());
    people = await signingPeople(hub);
  }, 120_000);
  afterAll(() => closeHub(hub, workflows));

  const download = (path: string) => adminDownload(hub, path);

  it('archives and tells the parties with the contract id, not its state; then shows and serves the renewed documents and evidence report', { timeout: 240_000 }, async () => {
    const order = exampleOrder();
    const id = await approvedContract(hub, people, { ...order, data: { ...order.data, endDate: '2036-12-31', supplier: { ...order.data.supplier, isNew: false } } });
    workflows.push(id, `archive-renewal:${id}`);
    const done = await signedByBoth(hub, people, id, order.data.supplier.mobile);
    // The contract's workflow sleeps until 30 days before 2036-12-31; it still owns the contract.
    expect((await hub.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');

    // The archive and the completion notice were sent the contract's id and revision, not its whole state (which
    // stays in the history for good: ~6–7 KiB each); the parties still got the notice.
    const history = await hub.client.workflow.getHandle(id).fetchHistory();
    const inputs = history.events!.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!);
    for (const type of ['archiveContract', 'notifyParties']) {
      const scheduled = inputs.filter((a) => a.activityType!.name === type);
      expect(scheduled.length).toBe(1);
      expect(scheduled[0].input!.payloads!.reduce((n, p) => n + (p.data?.byteLength ?? 0), 0)).toBeLessThan(512);
    }
    const outbox = (await hub.call('GET', `/api/outbox?contractId=${id}&to=${encodeURIComponent(order.data.supplier.mobile)}`)).body.items;
    expect(outbox.some((m: any) => m.subject.includes('已完成签署'))).toBe(true);

    // Renew now (the timer is years away with the hub's 10-year TSA certificate).
    await hub.client.workflow.getHandle(`archive-renewal:${id}`).terminate('renew now (test)');
    await hub.client.workflow.start('archiveRenewal', {
      workflowId: `archive-renewal:${id}`,
      taskQueue: hub.taskQueue,
      args: [{ contractId: id, documents: done.documents.map((d: any) => ({ id: d.id, sha256: d.sha256 })), evidenceSha256: done.evidenceSha256, renewAt: new Date().toISOString() }],
    });

    const after = await hub.waitFor(id, (c) => c.documents.every((d: any, i: number) => d.sha256 !== done.documents[i].sha256) && c.evidenceSha256 !== done.evidenceSha256, 60_000);
    expect(after.status).toBe('completed');
    // What a user downloads is the renewed file: bigger (a new DSS and document timestamp), and the one the page names.
    const contractPdf = await download(`/api/contracts/${id}/documents/contract.pdf`);
    expect(sha256(contractPdf)).toBe(after.documents.find((d: any) => d.id === 'contract').sha256);
    expect(contractPdf.length).toBeGreaterThan(done.documents.find((d: any) => d.id === 'contract').size);
    expect(after.documents.find((d: any) => d.id === 'contract').size).toBe(contractPdf.length);
    expect(sha256(await download(`/api/contracts/${id}/evidence.pdf`))).toBe(after.evidenceSha256);
    // The contract's workflow still runs, and what it writes next keeps the renewed files (no later write undoes the renewal).
    await hub.client.workflow.getHandle(id).signal(sourceChanged, { eventKey: 'sap:renewal-test:1', summary: '付款条件 Net 30 → Net 45' });
    const later = await hub.waitFor(id, (c) => c.timeline.some((e: any) => e.type === 'source_changed'));
    expect(later.documents.map((d: any) => d.sha256)).toEqual(after.documents.map((d: any) => d.sha256));
    expect(later.evidenceSha256).toBe(after.evidenceSha256);
  });
});
