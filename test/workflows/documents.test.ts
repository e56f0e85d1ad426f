// The documents stage end to end: a contract passes approval on a real Temporal server,
// its documents are rendered from the order data and stored by SHA-256, and a user
// downloads the PDFs (or previews them before approval) over HTTP.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
let manager: { token: string };
let finance: { token: string };
const scratch = mkdtempSync(join(tmpdir(), 'sealflow-docs-'));

async function pdf(path: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const response = await fetch(hub.url + path, { headers: { authorization: `Bearer ${hub.adminToken}` } });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

function text(bytes: Buffer): string {
  const file = join(scratch, `${createHash('sha256').update(bytes).digest('hex')}.pdf`);
  writeFileSync(file, bytes);
  execFileSync('qpdf', ['--check', file]); // throws on a broken file
  return execFileSync('pdftotext', ['-layout', file, '-']).toString();
}

async function approveAll(id: string) {
  await hub.waitFor(id, (c) => c.steps[0].status === 'pending');
  expect((await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, manager.token)).status).toBe(200);
  await hub.waitFor(id, (c) => c.steps[1].status === 'pending');
  expect((await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, finance.token)).status).toBe(200);
  // past approval the documents exist and the signers are asked
  return hub.waitFor(id, (c) => c.status !== 'in_approval' && c.status !== 'approved', 60_000);
}

beforeAll(async () => {
  hub = await startTestHub();
  await hub.publish(exampleFlow());
  manager = await hub.user('王经理', ['dept-manager']);
  finance = await hub.user('赵总监', ['finance-director']);
});
afterAll(() => hub?.close());

describe('documents after approval', () => {
  it('previews the contract before approval and generates the documents each signer gets after it', async () => {
    const order = exampleOrder();
    const started = await hub.call('POST', '/api/contracts', order);
    expect(started.status).toBe(201);
    const id = started.body.id;

    const preview = await pdf(`/api/contracts/${id}/documents/contract.pdf`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('x-sealflow-document')).toBe('preview');
    expect(text(preview.bytes)).toContain('深圳市华强电子有限公司');

    const done = await approveAll(id);
    expect(done.status).toBe('signing');
    expect(done.documents.map((d: any) => [d.id, d.template, d.title, d.signers])).toEqual([
      ['contract', 'purchase-contract', '采购合同 4500000001', ['buyer', 'supplier']],
      // the NDA's template says discloser/recipient; the flow maps them to its own signers
      ['nda', 'nda', '保密协议 4500000001', ['buyer', 'supplier']],
    ]);
    for (const doc of done.documents) {
      expect(doc.signatureAreas.map((a: any) => a.signerId).sort()).toEqual(['buyer', 'supplier']);
      expect(doc.pages).toBeGreaterThan(1);
    }
    expect(done.timeline.map((e: any) => e.type)).toContain('documents_generated');

    const contract = await pdf(`/api/contracts/${id}/documents/contract.pdf`);
    expect(contract.headers.get('x-sealflow-document')).toBe('generated');
    expect(createHash('sha256').update(contract.bytes).digest('hex')).toBe(done.documents[0].sha256);
    const contractText = text(contract.bytes);
    expect(contractText).toContain('采购合同');
    expect(contractText).toContain('上海启明智能制造有限公司');
    expect(contractText).toMatch(/大写/);
    expect(contractText.replace(/\s+/g, '')).toContain(`共${done.documents[0].pages}页`);

    const nda = text((await pdf(`/api/contracts/${id}/documents/nda.pdf`)).bytes);
    expect(nda).toContain('保密协议');
    expect(nda).toContain('NDA-4500000001');

    expect((await pdf(`/api/contracts/${id}/documents/annex.pdf`)).status).toBe(404);
  });

  it('leaves the NDA out for a known supplier and stores identical documents once', async () => {
    const order = exampleOrder();
    const data = { ...order.data, supplier: { ...order.data.supplier, isNew: false } };
    const first = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: 'known-1', data });
    const second = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: 'known-2', data });
    const [a, b] = [await approveAll(first.body.id), await approveAll(second.body.id)];
    expect(a.documents.map((d: any) => d.id)).toEqual(['contract']);
    expect(b.documents[0].sha256).toBe(a.documents[0].sha256);
  });

  it('prints hostile names literally', async () => {
    const order = exampleOrder();
    const name = '<script>alert(1)</script>{{x}} | # 公司';
    const data = { ...order.data, supplier: { ...order.data.supplier, name, isNew: false } };
    const started = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: 'hostile', data });
    expect(started.status).toBe(201);
    const done = await approveAll(started.body.id);
    const printed = text((await pdf(`/api/contracts/${done.id}/documents/contract.pdf`)).bytes).replace(/\s+/g, '');
    expect(printed).toContain(name.replace(/\s+/g, ''));
  });

  it('refuses an order that breaks a template schema at the door, naming the template and the path', async () => {
    const order = exampleOrder();
    const { payment: _payment, ...data } = order.data;
    const refused = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: 'no-payment', data });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toContainEqual({ path: '/data/payment', message: 'is required (template "purchase-contract" of document "contract")' });
    expect((await hub.call('GET', '/api/contracts?q=no-payment')).body.total).toBe(0);
  });
});

describe('templates', () => {
  const source = ['# 制度告知书', '', '员工 {{employee.name}} 已阅读并理解《{{policy}}》。', '', '::: signature employee 员工签字'].join('\n');
  const schema = { type: 'object', required: ['employee', 'policy'], properties: { employee: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }, policy: { type: 'string' } } };

  it('lists the shipped templates', async () => {
    const { body } = await hub.call('GET', '/api/templates');
    expect(body.items.map((t: any) => t.id)).toEqual(expect.arrayContaining(['purchase-contract', 'labour-contract', 'nda', 'supplier-framework', 'onboarding-acknowledgement']));
  });

  it('refuses an upload that does not compile, naming the line', async () => {
    const broken = await hub.call('PUT', '/api/templates/policy-notice', { title: '制度告知书', source: source.replace('{{policy}}', '{{#if policy}}'), schema });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('template_compile');
    expect(broken.body.error.details[0].message).toMatch(/line \d+/);
    expect((await hub.call('POST', '/api/templates/policy-notice/preview', {})).status).toBe(404);
    expect((await hub.call('PUT', '/api/templates/nda', { title: 'x', source, schema })).status).toBe(409);
  });

  it('takes a valid upload, previews it, and lets a flow use it', async () => {
    const saved = await hub.call('PUT', '/api/templates/policy-notice', { title: '制度告知书', source, schema, sample: { employee: { name: '张三' }, policy: '员工手册' } });
    expect(saved.status).toBe(200);
    const preview = await fetch(`${hub.url}/api/templates/policy-notice/preview`, { method: 'POST', headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ data: { employee: { name: '李四' }, policy: '信息安全制度' } }) });
    expect(preview.headers.get('content-type')).toContain('application/pdf');
    expect(text(Buffer.from(await preview.arrayBuffer()))).toContain('李四');

    const missing = await hub.call('POST', '/api/templates/policy-notice/preview', { data: { employee: {} } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.map((d: any) => d.path)).toEqual(expect.arrayContaining(['/employee/name', '/policy']));

    const flow = { key: 'policy-ack', name: '制度告知', approval: { amount: '=0', tiers: [{ steps: [{ approvers: ['role:dept-manager'] }] }] }, documents: [{ id: 'notice', template: 'policy-notice' }], signers: [{ id: 'employee', party: 'person', name: '=employee.name', documents: ['notice'] }] };
    const bad = await hub.call('POST', '/api/flows', { ...flow, documents: [{ id: 'notice', template: 'no-such-template' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: '/documents/0/template', message: 'names template "no-such-template", which does not exist' }]);
    await hub.publish(flow as any);
    const started = await hub.call('POST', '/api/contracts', { flow: 'policy-ack', data: { employee: { name: '王五' }, policy: '考勤制度' } });
    await hub.waitFor(started.body.id, (c) => c.steps[0].status === 'pending');
    await hub.call('POST', `/api/contracts/${started.body.id}/approvals`, { decision: 'approve' }, manager.token);
    const done = await hub.waitFor(started.body.id, (c) => c.status === 'signing');
    expect(done.documents[0].signatureAreas.map((a: any) => a.signerId)).toEqual(['employee']);
    expect(text((await pdf(`/api/contracts/${done.id}/documents/notice.pdf`)).bytes)).toContain('王五');
  });
});
