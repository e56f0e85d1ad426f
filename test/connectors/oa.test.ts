// The OA connector against a real SOAP server (soap.listen, built from the shipped WSDL) on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, syncOnce, writeBack } from '../../connectors';
import { oaWorkflow, type OaSettings } from '../../connectors/oa';
import { startOaServer } from './oa-server';
import { createContractBook } from './support';

let oa: Awaited<ReturnType<typeof startOaServer>>;
let settings: OaSettings;
const ctx = () => ({ settings });

beforeAll(async () => {
  oa = await startOaServer();
  settings = { endpoint: oa.endpoint, username: 'sealflow', password: 'oa-secret', requestWorkflowId: 'seal-use', approvalWorkflowId: 'contract-approval', creatorId: '7', pageSize: 2, timeoutMs: 3000 };
});
afterAll(() => oa?.stop());

describe('delegated approval in OA', () => {
  const delegate = (key: string) =>
    oaWorkflow.actions.delegateApproval!(ctx(), { contractId: 'c-42', idempotencyKey: key, title: '采购合同 4500000001 审批', amount: 250000, fields: { supplier: '深圳市华强电子有限公司' }, callbackUrl: 'https://sealflow.example/hooks/oa-prod' });

  it('creates one OA request per idempotency key and reads the approval by poll', async () => {
    const { requestId } = await delegate('sealflow:c-42:step-1');
    expect((await delegate('sealflow:c-42:step-1')).requestId).toBe(requestId);
    const stored = oa.requests.get(requestId)!;
    expect(stored).toMatchObject({ workflowId: 'contract-approval', creatorId: '7' });
    expect(stored.field).toEqual(expect.arrayContaining([{ fieldName: 'contractId', fieldValue: 'c-42' }, { fieldName: 'amount', fieldValue: '250000' }]));

    expect(await oaWorkflow.actions.approvalDecision!(ctx(), requestId)).toEqual({ status: 'pending', requestId });
    oa.decide(requestId, 'approved', '王经理', '同意');
    expect(await oaWorkflow.actions.approvalDecision!(ctx(), requestId)).toMatchObject({ status: 'approved', requestId, decidedBy: '王经理', comment: '同意' });
  });

  it('reads a rejection by poll and by callback', async () => {
    const { requestId } = await delegate('sealflow:c-42:step-2');
    oa.decide(requestId, 'rejected', '赵总监', '价格过高');
    expect(await oaWorkflow.actions.approvalDecision!(ctx(), requestId)).toMatchObject({ status: 'rejected', decidedBy: '赵总监', comment: '价格过高' });
    expect(oaWorkflow.actions.parseApprovalCallback!({ requestId, status: 'rejected', operator: '赵总监', remark: '价格过高' })).toMatchObject({ status: 'rejected', requestId, decidedBy: '赵总监' });
    expect(oaWorkflow.actions.parseApprovalCallback!({ requestId })).toBeInstanceOf(ConnectorError);
  });

  it('reports an OA server that is down as a retryable error and loses nothing', async () => {
    const port = oa.port;
    await oa.stop();
    const error = await delegate('sealflow:c-43:step-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'source_unreachable', retryable: true });
    // Refused, or reset on a kept-alive socket: either way a network failure, named in the message.
    expect((error as Error).message).toMatch(/ECONNREFUSED|ECONNRESET/);
    // OA comes back on the same address; the activity's retry creates the request exactly once.
    const restarted = await startOaServer(port);
    const previous = oa;
    oa = restarted;
    const { requestId } = await delegate('sealflow:c-43:step-1');
    expect((await delegate('sealflow:c-43:step-1')).requestId).toBe(requestId);
    expect([...oa.requests.values()].filter((r) => r.externalKey === 'sealflow:c-43:step-1')).toHaveLength(1);
    void previous;
  });
});

describe('OA requests → contracts, and the outcome back', () => {
  it('starts one contract per OA seal-use request and reports the outcome on it', async () => {
    const ids = ['合同用印 A', '合同用印 B', '合同用印 C'].map((name, i) => oa.open({ workflowId: 'seal-use', requestName: name, creatorId: '12', fields: { sealType: 'contract-seal', purpose: '采购合同', amount: String(1000 * (i + 1)) } }));
    const book = createContractBook();
    const instance = { id: 'oa-prod', flow: 'seal-use', mapping: oaWorkflow.defaultMapping!, settings };
    const first = await syncOnce({ connector: oaWorkflow, instance, cursor: null, startContract: book.startContract });
    expect(first).toMatchObject({ read: 3, started: 3, errors: [] });
    expect(book.contracts.get(`seal-use\u0000${ids[1]}`)?.request.data).toEqual({ title: '合同用印 B', requester: '12', sealType: 'contract-seal', purpose: '采购合同', amount: 2000 });
    const second = await syncOnce({ connector: oaWorkflow, instance, cursor: first.cursor, startContract: book.startContract });
    expect(second).toMatchObject({ read: 0, started: 0 });

    const written = await writeBack({ connector: oaWorkflow, instance, sourceKey: ids[0], contractId: 'c-1', outcome: 'completed' });
    const again = await writeBack({ connector: oaWorkflow, instance, sourceKey: ids[0], contractId: 'c-1', outcome: 'completed' });
    expect([written.written, again.written]).toEqual([true, false]);
    expect(oa.outcomes.get('sealflow:c-1:completed')).toMatchObject({ requestId: ids[0], outcome: 'completed' });
  });
});
