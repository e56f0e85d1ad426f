// Inbound webhooks (eHR new hires, SRM, BPM) and REST write-back, over real HTTP on loopback.
import express from 'express';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewMapping, receiveWebhook, signWebhook, signWebhookBody, verifyWebhook, writeBack, type WebhookAuth } from '../../connectors';
import { ehrNewHires } from '../../connectors/ehr';
import { bpmWebhook } from '../../connectors/bpm';
import { srmSupplierOnboarding } from '../../connectors/srm';
import { validateFlow, type FlowDefinition } from '../../flows';
import { createContractBook } from './support';

const hmac: WebhookAuth = { kind: 'hmac-sha256', secret: 'ehr-webhook-secret-0123456789' };
const bearer: WebhookAuth = { kind: 'bearer', token: 'bpm-token-0123456789abcdef' };

const onboardingFlow = {
  key: 'employee-onboarding',
  name: '入职签约',
  data: {
    type: 'object',
    required: ['employee', 'startDate', 'labourContract', 'documents'],
    properties: {
      employee: { type: 'object', required: ['id', 'name', 'mobile'], properties: { id: { type: 'string' }, name: { type: 'string', minLength: 1 }, mobile: { type: 'string', pattern: '^1\\d{10}$' } } },
      startDate: { type: 'string', format: 'date' },
      labourContract: { type: 'object', required: ['years'], properties: { years: { type: 'number', minimum: 1 } } },
      documents: { type: 'array', items: { enum: ['labour-contract', 'nda', 'onboarding-ack'] }, minItems: 2 },
    },
  },
  approval: { amount: '=0', tiers: [{ steps: [{ approvers: ['role:hr'] }] }] },
  documents: [
    { id: 'labour-contract', template: 'labour-contract' },
    { id: 'nda', template: 'nda', when: '="nda" in documents' },
    { id: 'onboarding-ack', template: 'onboarding-ack' },
  ],
  signers: [{ id: 'employee', party: 'person', name: '=employee.name', contact: { mobile: '=employee.mobile' }, documents: ['labour-contract', 'nda', 'onboarding-ack'] }],
} as FlowDefinition;

const newHires = {
  eventId: 'evt-2024-04-01',
  eventType: 'employee.hired',
  company: { name: '深圳示例科技有限公司' },
  employees: [
    { employeeId: 'E1001', name: '张三', mobile: '13800138001', startDate: '2024-04-01', position: '工程师', confidentialAccess: true, contractYears: 3 },
    { employeeId: 'E1002', name: '李四', mobile: '13800138002', startDate: '2024-04-01', position: '行政', probationMonths: 3 },
    { employeeId: 'E1003', name: '王五', mobile: '13800138003', startDate: '2024-04-08', position: '销售', confidentialAccess: false, contractYears: 2 },
  ],
};

const ehrInstance = { id: 'ehr-prod', flow: 'employee-onboarding', mapping: ehrNewHires.defaultMapping!, settings: { timeoutMs: 5000 }, auth: hmac };
const signed = (body: string, secret = hmac.kind === 'hmac-sha256' ? hmac.secret : '') => ({ ...signWebhook(body, secret), 'content-type': 'application/json' });

describe('verifyWebhook', () => {
  const body = JSON.stringify({ hello: '世界' });
  it('accepts the right HMAC signature and parses the body', () => {
    const headers: Record<string, string> = signed(body);
    expect(verifyWebhook({ headers, rawBody: Buffer.from(body), secret: hmac })).toEqual({ ok: true, payload: { hello: '世界' }, deliveryId: headers['x-sealflow-delivery'] });
  });
  it('answers 401 to a missing or wrong signature, before looking at the body', () => {
    expect(verifyWebhook({ headers: {}, rawBody: body, secret: hmac })).toMatchObject({ ok: false, status: 401 });
    expect(verifyWebhook({ headers: signed(body, 'another-secret-0123456789'), rawBody: body, secret: hmac })).toMatchObject({ ok: false, status: 401 });
    expect(verifyWebhook({ headers: signed(body), rawBody: body + ' ', secret: hmac })).toMatchObject({ ok: false, status: 401 });
    expect(verifyWebhook({ headers: { 'X-Sealflow-Signature': 'sha256=zz' }, rawBody: 'not json', secret: hmac })).toMatchObject({ ok: false, status: 401 });
    // the signature of the body alone (the old scheme) no longer passes: the timestamp and delivery id are signed too
    expect(verifyWebhook({ headers: { 'x-sealflow-signature': signWebhookBody(body, hmac.kind === 'hmac-sha256' ? hmac.secret : '') }, rawBody: body, secret: hmac })).toMatchObject({ ok: false, status: 401 });
  });
  it('checks bearer tokens per connector', () => {
    expect(verifyWebhook({ headers: { authorization: `Bearer ${'bpm-token-0123456789abcdef'}` }, rawBody: body, secret: bearer })).toMatchObject({ ok: true });
    expect(verifyWebhook({ headers: { authorization: 'Bearer bpm-token-0123456789abcdeX' }, rawBody: body, secret: bearer })).toMatchObject({ ok: false, status: 401 });
  });
  it('answers 400 to an authenticated body that is not JSON', () => {
    expect(verifyWebhook({ headers: signed('{"a":'), rawBody: '{"a":', secret: hmac })).toMatchObject({ ok: false, status: 400, error: expect.stringContaining('not valid JSON') });
    expect(verifyWebhook({ headers: signed('42'), rawBody: '42', secret: hmac })).toMatchObject({ ok: false, status: 400 });
  });
});

describe('eHR new hires → onboarding bundle per employee', () => {
  it('starts one onboarding contract per employee, each with its own document bundle', async () => {
    const book = createContractBook();
    const body = JSON.stringify(newHires);
    const outcome = await receiveWebhook({ connector: ehrNewHires, instance: ehrInstance, headers: signed(body), rawBody: body, startContract: book.startContract });
    expect(outcome).toMatchObject({ status: 200, read: 3, started: 3, errors: [] });
    const data = (id: string) => [...book.contracts.values()].find((c) => c.request.sourceKey.startsWith(`hire:${id}:`))!.request.data;
    expect(data('E1001')).toMatchObject({ employee: { id: 'E1001', name: '张三' }, company: '深圳示例科技有限公司', labourContract: { years: 3, probationMonths: 6 }, documents: ['labour-contract', 'nda', 'onboarding-ack'] });
    expect(data('E1002')).toMatchObject({ labourContract: { years: 3, probationMonths: 3 }, documents: ['labour-contract', 'onboarding-ack'] });
    expect(data('E1003').documents).toEqual(['labour-contract', 'onboarding-ack']);
    // Delivered again (the eHR retries): nothing new.
    const again = await receiveWebhook({ connector: ehrNewHires, instance: ehrInstance, headers: signed(body), rawBody: body, startContract: book.startContract });
    expect(again).toMatchObject({ status: 200, started: 0, changed: 3 });
  });

  it('previews the mapping against the onboarding flow before it is saved', async () => {
    expect(validateFlow(onboardingFlow)).toMatchObject({ ok: true });
    const sample = { ...newHires.employees[0], company: newHires.company };
    await expect(previewMapping({ mapping: ehrNewHires.defaultMapping!, sample, flow: onboardingFlow })).resolves.toMatchObject({ ok: true, issues: [] });
    const broken = await previewMapping({ mapping: ehrNewHires.defaultMapping!, sample: { ...sample, mobile: '12345' }, flow: onboardingFlow });
    expect(broken).toMatchObject({ ok: false, issues: [{ path: '/data/employee/mobile' }] });
    const bad = await previewMapping({ mapping: '{ "employee": employee.(', sample, flow: onboardingFlow });
    expect(bad).toMatchObject({ ok: false, mappingError: { expression: '{ "employee": employee.(' } });
  });

  it('starts nothing for a bad signature (401) or a malformed payload (400)', async () => {
    const book = createContractBook();
    const body = JSON.stringify(newHires);
    const forged = await receiveWebhook({ connector: ehrNewHires, instance: ehrInstance, headers: signed(body, 'wrong-secret-0123456789'), rawBody: body, startContract: book.startContract });
    expect(forged).toMatchObject({ status: 401, started: 0 });
    const truncated = body.slice(0, -5);
    const malformed = await receiveWebhook({ connector: ehrNewHires, instance: ehrInstance, headers: signed(truncated), rawBody: truncated, startContract: book.startContract });
    expect(malformed).toMatchObject({ status: 400, started: 0 });
    const wrongShape = JSON.stringify({ ...newHires, employees: [{ employeeId: 'E9', startDate: 'next monday' }] });
    const invalid = await receiveWebhook({ connector: ehrNewHires, instance: ehrInstance, headers: signed(wrongShape), rawBody: wrongShape, startContract: book.startContract });
    expect(invalid).toMatchObject({ status: 400, started: 0 });
    expect(invalid.error).toMatch(/\/employees\/0\/name is required/);
    expect(book.calls).toHaveLength(0);
  });
});

describe('SRM and BPM', () => {
  it('starts a framework agreement when a supplier completes onboarding', async () => {
    const book = createContractBook();
    const body = JSON.stringify({ eventId: 's-1', eventType: 'supplier.onboarded', supplier: { supplierId: 'S-88', name: '苏州精密机械有限公司', contact: { name: '陈工', email: 'chen@example.cn' }, validFrom: '2024-05-01', validTo: '2027-04-30' } });
    const outcome = await receiveWebhook({ connector: srmSupplierOnboarding, instance: { id: 'srm', flow: 'framework-agreement', mapping: srmSupplierOnboarding.defaultMapping!, settings: {}, auth: hmac }, headers: signed(body), rawBody: body, startContract: book.startContract });
    expect(outcome).toMatchObject({ status: 200, started: 1 });
    expect(book.calls[0]).toMatchObject({ sourceKey: 'supplier:S-88', data: { supplier: { id: 'S-88', name: '苏州精密机械有限公司', contact: '陈工' }, endDate: '2027-04-30' } });
  });

  it('starts a contract from a BPM process with a bearer token', async () => {
    const book = createContractBook();
    const body = JSON.stringify({ processInstanceId: 'p-1', businessKey: 'CR-2024-7', variables: { title: '服务合同', amount: 1200 } });
    const outcome = await receiveWebhook({ connector: bpmWebhook, instance: { id: 'bpm', flow: 'service-contract', mapping: bpmWebhook.defaultMapping!, settings: {}, auth: bearer }, headers: { authorization: 'Bearer bpm-token-0123456789abcdef' }, rawBody: body, startContract: book.startContract });
    expect(outcome).toMatchObject({ status: 200, started: 1 });
    expect(book.calls[0]).toMatchObject({ sourceKey: 'CR-2024-7', data: { title: '服务合同', amount: 1200 } });
  });
});

describe('REST write-back', () => {
  let server: Server;
  let url = '';
  const received: Array<{ key?: string; signature?: string; body: unknown }> = [];
  let answer = 200;
  beforeAll(async () => {
    const app = express();
    app.post('/callback', express.json(), (req, res) => {
      received.push({ key: req.header('idempotency-key'), signature: req.header('x-sealflow-signature'), body: req.body });
      const duplicate = received.filter((r) => r.key === req.header('idempotency-key')).length > 1;
      res.status(answer).json(answer === 200 ? { duplicate } : { error: 'nope' });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/callback`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the outcome with an idempotency key and a signature', async () => {
    answer = 200;
    const instance = { id: 'ehr-prod', settings: { callbackUrl: url, callbackSecret: 'callback-secret-0123456789', timeoutMs: 5000 } };
    const first = await writeBack({ connector: ehrNewHires, instance, sourceKey: 'hire:E1001:2024-04-01', contractId: 'c-9', outcome: 'completed' });
    const again = await writeBack({ connector: ehrNewHires, instance, sourceKey: 'hire:E1001:2024-04-01', contractId: 'c-9', outcome: 'completed' });
    expect([first.written, again.written]).toEqual([true, false]);
    expect(received[0]).toMatchObject({ key: 'sealflow:c-9:completed', signature: signWebhookBody(JSON.stringify(received[0].body), 'callback-secret-0123456789'), body: { outcome: 'completed', contractId: 'c-9' } });
  });

  it('says whether a failed write-back is worth retrying', async () => {
    const instance = { id: 'bpm', settings: { callbackUrl: url, timeoutMs: 5000 } };
    answer = 503;
    await expect(writeBack({ connector: bpmWebhook, instance, sourceKey: 'CR-1', contractId: 'c-10', outcome: 'declined' })).rejects.toMatchObject({ retryable: true, status: 503 });
    answer = 422;
    await expect(writeBack({ connector: bpmWebhook, instance, sourceKey: 'CR-1', contractId: 'c-10', outcome: 'declined' })).rejects.toMatchObject({ retryable: false, code: 'source_rejected' });
  });
});
