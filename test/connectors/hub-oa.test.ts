// An approval step delegated to OA, end to end in the hub: IT configures an OA instance over
// the REST API, a flow's only step is delegated to it, and the contract's workflow creates a
// workflow request on the real SOAP server (built from the shipped WSDL) and polls it until
// OA decides. People holding the step's role may still decide in Sealflow: the first decision wins.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oaWorkflow } from '../../connectors/oa';
import type { FlowDefinition } from '../../flows';
import { approvalFlow } from '../support/hub';
import { startConnectorHub, type ConnectorHub } from './hub-support';
import { startOaServer } from './oa-server';

const suffix = randomBytes(4).toString('hex');
const FLOW = `oa-delegated-${suffix}`;
const INSTANCE = `oa-${suffix}`;
const PASSWORD = 'oa-password-never-shown-42';

let oa: Awaited<ReturnType<typeof startOaServer>>;
let hub: ConnectorHub;
let legal: { id: string; token: string };

const delegatedFlow = (): FlowDefinition => ({
  ...approvalFlow(),
  key: FLOW,
  name: `OA 审批 ${FLOW}`,
  approval: { amount: '=amount', tiers: [{ steps: [{ name: '法务审批 (OA)', approvers: ['role:legal'], delegateTo: { connector: INSTANCE, pollEvery: 'PT1S' } }] }] },
});
const start = async (poNumber: string) => {
  const { status, body } = await hub.call('POST', '/api/contracts', { flow: FLOW, data: { poNumber, amount: 250000, supplier: { name: '深圳市华强电子有限公司' } } });
  expect(status).toBe(201);
  return body.id as string;
};
/** The OA requests created for a contract, once the workflow has delegated its step. */
const requestsFor = (contractId: string) => [...oa.requests.values()].filter((r) => r.field.some((f) => f.fieldName === 'contractId' && f.fieldValue === contractId));
const delegated = async (contractId: string) => {
  const contract = await hub.waitFor(contractId, (c) => c.timeline.some((e: any) => e.type === 'delegated'));
  const event = contract.timeline.find((e: any) => e.type === 'delegated');
  const [request] = requestsFor(contractId);
  expect(event).toMatchObject({ actor: `connector:${INSTANCE}`, step: 0, message: expect.stringContaining(request.requestId) });
  return request;
};

beforeAll(async () => {
  [oa, hub] = await Promise.all([startOaServer(), startConnectorHub()]);
  await hub.publish(delegatedFlow());
  legal = await hub.user('李法务', ['legal']);
  const created = await hub.call('POST', '/api/connectors', {
    id: INSTANCE, connector: 'oa_workflow', name: 'OA (test)',
    settings: { endpoint: oa.endpoint, username: 'sealflow', password: PASSWORD, approvalWorkflowId: 'contract-approval', creatorId: '7', timeoutMs: 5000 },
    trigger: { kind: 'webhook', auth: { kind: 'bearer', token: 'oa-bearer-token-0123456789' } },
    flow: FLOW, mapping: oaWorkflow.defaultMapping,
  });
  expect(created.status).toBe(201);
  expect(created.body.secretsSet).toEqual(['password']);
}, 120_000);
afterAll(async () => {
  await hub?.close();
  await oa?.stop();
});

describe('a flow step delegated to OA', () => {
  it('refuses a delegateTo with unknown properties or a bad pollEvery', async () => {
    const bad = { ...delegatedFlow(), key: `oa-bad-${suffix}` };
    bad.approval.tiers[0].steps[0].delegateTo = { connector: INSTANCE, pollEvery: 'P1W', extra: true } as any;
    const { status, body } = await hub.call('POST', '/api/flows', bad);
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toMatch(/delegateTo/);
  });

  it('creates exactly one OA request and approves the contract when OA approves', async () => {
    const id = await start(`PO-OA-A-${suffix}`);
    const request = await delegated(id);
    expect(requestsFor(id)).toHaveLength(1);
    expect(request).toMatchObject({ workflowId: 'contract-approval', creatorId: '7', status: 'pending' });
    expect(request.field).toEqual(expect.arrayContaining([{ fieldName: 'amount', fieldValue: '250000' }]));
    expect((await hub.call('GET', `/api/contracts/${id}`)).body.status).toBe('in_approval');

    oa.decide(request.requestId, 'approved', '王经理', '同意');
    const contract = await hub.waitFor(id, (c) => c.status !== 'in_approval', 20_000);
    expect(contract.status).toBe('approved');
    expect(contract.steps[0]).toMatchObject({ status: 'approved', decisions: [{ approver: 'role:legal', userId: `connector:${INSTANCE}`, userName: '王经理', decision: 'approve', comment: '同意' }] });
    expect(contract.timeline.find((e: any) => e.type === 'decided')).toMatchObject({ actor: `connector:${INSTANCE}`, intent: expect.stringContaining(request.requestId) });
    // Polling (and any retry of the creation) never made a second request.
    expect(requestsFor(id)).toHaveLength(1);
    expect(JSON.stringify(contract)).not.toContain(PASSWORD);
  });

  it('rejects the contract when OA rejects', async () => {
    const id = await start(`PO-OA-R-${suffix}`);
    const request = await delegated(id);
    oa.decide(request.requestId, 'rejected', '赵总监', '价格过高');
    const contract = await hub.waitFor(id, (c) => c.status !== 'in_approval', 20_000);
    expect(contract.status).toBe('rejected');
    expect(contract.steps[0]).toMatchObject({ status: 'rejected', decisions: [{ userId: `connector:${INSTANCE}`, userName: '赵总监', decision: 'reject' }] });
    expect(contract.timeline.find((e: any) => e.type === 'rejected')).toMatchObject({ actor: `connector:${INSTANCE}`, message: expect.stringContaining('价格过高') });
    expect(requestsFor(id)).toHaveLength(1);
  });

  it('lets a person holding the role decide in Sealflow first; a later OA decision changes nothing', async () => {
    const id = await start(`PO-OA-H-${suffix}`);
    const request = await delegated(id);
    const decided = await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve', comment: '法务同意' }, legal.token);
    expect(decided.status).toBe(200);
    oa.decide(request.requestId, 'rejected', '赵总监');
    await new Promise((r) => setTimeout(r, 2500));
    const contract = (await hub.call('GET', `/api/contracts/${id}`)).body;
    expect(contract.status).toBe('approved');
    expect(contract.steps[0].decisions).toEqual([expect.objectContaining({ userId: legal.id, decision: 'approve' })]);
  });
});
