// Who may do what, through the REST API of a running hub: maker-checker on approvals,
// source keys that belong to their source, connector secrets that cannot be redirected,
// and bad input that gets a 4xx with a path instead of a 500.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installOutboundAllowlist, parseOutboundAllow } from '../../config';
import { signWebhook } from '../../connectors';
import type { FlowDefinition } from '../../flows';
import { createWebhookSmsProvider } from '../../notify';
import { createHttpTimestampClient } from '../../signing';
import { approvalFlow, exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { freePort, httpClient, startHubProcess, type HubProcess } from '../support/hub-process';
import { approvedContract, linkFor, readAll, signerCall } from '../support/signing';

const suffix = randomBytes(4).toString('hex');
const order = (poNumber: string, amount = 5000, supplier = '深圳市华强电子有限公司') => ({ poNumber, amount, supplier: { name: supplier } });

let hub: TestHub;
let clerk: { id: string; token: string };
let manager: { id: string; token: string };
let integrator: { id: string; token: string };

beforeAll(async () => {
  hub = await startTestHub();
  await hub.publish(approvalFlow());
  clerk = await hub.user('采购员小李', ['buyer', 'dept-manager', 'business-user']);
  manager = await hub.user('王经理', ['dept-manager']);
  integrator = await hub.user('集成管理员', ['integration-admin']);
}, 120_000);
afterAll(() => hub?.close());

describe('maker-checker', () => {
  it('refuses the decision of the user who started the contract (403) and takes another approver’s', async () => {
    const started = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: order('PO-MC-1') }, clerk.token);
    expect(started.status).toBe(201);
    const id = started.body.id;
    await hub.waitFor(id, (c) => c.steps[0].status === 'pending');

    const own = await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, clerk.token);
    expect(own.status).toBe(403);
    expect(own.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('started this contract') });
    expect((await hub.call('GET', `/api/contracts/${id}`)).body.steps[0]).toMatchObject({ status: 'pending', decisions: [] });

    const other = await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, manager.token);
    expect(other.status).toBe(200);
    expect(other.body.steps[0]).toMatchObject({ status: 'approved', decisions: [{ userId: manager.id }] });
  });

  it('lets the initiator approve where the flow opts out (approval.allowInitiator), and the simulation says which applies', async () => {
    const lenient: FlowDefinition = { ...approvalFlow(), key: `lenient-${suffix}`, approval: { ...approvalFlow().approval, allowInitiator: true } };
    await hub.publish(lenient);
    const strict = await hub.call('POST', '/api/flows/supplier-purchase/simulate', { data: order('PO-SIM') });
    expect(strict.body).toMatchObject({ initiatorMayApprove: false });
    const open = await hub.call('POST', `/api/flows/${lenient.key}/simulate`, { data: order('PO-SIM') });
    expect(open.body).toMatchObject({ initiatorMayApprove: true });

    const started = await hub.call('POST', '/api/contracts', { flow: lenient.key, data: order('PO-MC-2') }, clerk.token);
    await hub.waitFor(started.body.id, (c) => c.steps[0].status === 'pending');
    const own = await hub.call('POST', `/api/contracts/${started.body.id}/approvals`, { decision: 'approve' }, clerk.token);
    expect(own.status).toBe(200);
    expect(own.body.steps[0].decisions).toMatchObject([{ userId: clerk.id }]);
  });

  it('takes a decision sent the moment the contract started, while its workflow is still making its plan', async () => {
    const answers = await Promise.all(
      Array.from({ length: 3 }, async (_, i) => {
        const started = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', data: order(`PO-EARLY-${i}`) }, clerk.token);
        return hub.call('POST', `/api/contracts/${started.body.id}/approvals`, { decision: 'approve' }, manager.token);
      }),
    );
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.steps[0].decisions).toMatchObject([{ userId: manager.id, decision: 'approve' }]);
    }
  });

  it('refuses a flow whose allowInitiator is not a boolean, with its path', async () => {
    const bad = await hub.call('POST', '/api/flows', { ...approvalFlow(), key: `bad-mc-${suffix}`, approval: { ...approvalFlow().approval, allowInitiator: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/approval/allowInitiator' })]));
  });
});

describe('source keys belong to their source', () => {
  const INSTANCE = `bpm-${suffix}`;
  const SECRET = 'bpm-webhook-secret-0123456789abcdef';
  const deliver = (businessKey: string, variables: unknown) => {
    const body = JSON.stringify({ processInstanceId: `p-${businessKey}`, businessKey, variables });
    return hub.post(`/hooks/${INSTANCE}`, body, { 'content-type': 'application/json', ...signWebhook(body, SECRET) });
  };

  beforeAll(async () => {
    const created = await hub.call('POST', '/api/connectors', {
      id: INSTANCE, connector: 'bpm_webhook', settings: { timeoutMs: 5000 },
      trigger: { kind: 'webhook', auth: { kind: 'hmac-sha256', secret: SECRET } }, flow: 'supplier-purchase', mapping: 'variables',
    });
    expect(created.status).toBe(201);
  });

  it('a user who starts a contract with the key of a record the BPM has not sent yet does not get that record’s contract', async () => {
    const key = `CR-${suffix}-1`;
    // The user guesses the next business key, with data of their own.
    const claimed = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: key, data: order(key, 1, '皮包公司') }, clerk.token);
    expect(claimed.status).toBe(201);

    // The BPM sends the real record: it starts its own contract, with the BPM's data.
    const delivered = await deliver(key, order(key, 88000));
    expect(delivered).toMatchObject({ status: 200, body: { read: 1, started: 1, changed: 0 } });
    const list = (await hub.call('GET', `/api/contracts?flow=supplier-purchase&pageSize=200`)).body.items.filter((c: any) => c.sourceKey === key);
    expect(list).toHaveLength(2);
    const real = list.find((c: any) => c.id !== claimed.body.id);
    const contract = await hub.waitFor(real.id, (c) => c.revision >= 1);
    expect(contract).toMatchObject({ data: { amount: 88000, supplier: { name: '深圳市华强电子有限公司' } }, source: { connectorInstance: INSTANCE }, startedBy: `connector:${INSTANCE}` });
    expect((await hub.call('GET', `/api/contracts/${claimed.body.id}`)).body).toMatchObject({ data: { amount: 1 }, startedBy: clerk.id });
    expect((await hub.call('GET', `/api/contracts/${claimed.body.id}`)).body.source ?? null).toBeNull();
  });

  it('keeps each origin idempotent: the same flow + key again is the same contract, for the API and for the connector', async () => {
    const key = `CR-${suffix}-2`;
    const first = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: key, data: order(key) });
    const again = await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: key, data: order(key, 99) });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    expect((await deliver(key, order(key))).body).toMatchObject({ started: 1 });
    expect((await deliver(key, order(key))).body).toMatchObject({ started: 0, changed: 1 });
  });
});

describe('connector secrets cannot be redirected', () => {
  const INSTANCE = `bpm-cb-${suffix}`;
  const TOKEN = 'bpm-api-token-never-shown-0123456789';

  beforeAll(async () => {
    const created = await hub.call('POST', '/api/connectors', {
      id: INSTANCE, connector: 'bpm_webhook',
      settings: { callbackUrl: 'https://bpm.example.com/engine/callback', token: TOKEN, callbackSecret: 'callback-secret-0123456789', timeoutMs: 5000 },
      trigger: { kind: 'webhook', auth: { kind: 'bearer', token: 'inbound-token-0123456789abcdef' } }, flow: 'supplier-purchase', mapping: 'variables',
    });
    expect(created.status).toBe(201);
  });

  it('refuses a new URL without every secret entered again, naming the path of each (400)', async () => {
    const redirected = await hub.call('PUT', `/api/connectors/${INSTANCE}`, { settings: { callbackUrl: 'https://attacker.example.net/collect', timeoutMs: 5000 } }, integrator.token);
    expect(redirected.status).toBe(400);
    expect(redirected.body.error.code).toBe('secrets_required');
    expect(redirected.body.error.details.map((d: any) => d.path).sort()).toEqual(['/settings/callbackSecret', '/settings/token']);
    expect((await hub.call('GET', `/api/connectors/${INSTANCE}`)).body.publicSettings.callbackUrl).toBe('https://bpm.example.com/engine/callback');

    // Half of them is not enough either.
    const half = await hub.call('PUT', `/api/connectors/${INSTANCE}`, { settings: { callbackUrl: 'https://attacker.example.net/collect', token: 'guess', timeoutMs: 5000 } }, integrator.token);
    expect(half.body.error.details.map((d: any) => d.path)).toEqual(['/settings/callbackSecret']);
  });

  it('takes a new URL with the secrets, and other changes without them', async () => {
    const moved = await hub.call('PUT', `/api/connectors/${INSTANCE}`, { settings: { callbackUrl: 'https://bpm2.example.com/callback', token: TOKEN, callbackSecret: 'callback-secret-0123456789', timeoutMs: 5000 } }, integrator.token);
    expect(moved.status).toBe(200);
    const other = await hub.call('PUT', `/api/connectors/${INSTANCE}`, { settings: { callbackUrl: 'https://bpm2.example.com/callback', timeoutMs: 9000 } }, integrator.token);
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ publicSettings: { callbackUrl: 'https://bpm2.example.com/callback', timeoutMs: 9000 }, secretsSet: ['callbackSecret', 'token'] });
    const renamed = await hub.call('PUT', `/api/connectors/${INSTANCE}`, { name: 'BPM 回调' }, integrator.token);
    expect(renamed.status).toBe(200);
  });
});

describe('outbound calls: only allowed hosts, and no remote body where every user reads', () => {
  const INSTANCE = `bpm-out-${suffix}`;
  const SECRET = 'bpm-out-secret-0123456789abcdef';
  let receiver: Server;
  let receiverUrl = '';
  const received: string[] = [];

  beforeAll(async () => {
    // The BPM's callback endpoint: it refuses every outcome, with internals in its body.
    receiver = createServer((req, res) => {
      received.push(req.url ?? '');
      req.resume();
      res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'INTERNAL-DETAIL: table HR_SALARY row 42 locked by admin@corp' }));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callback?apikey=k-0123456789`;
    const created = await hub.call('POST', '/api/connectors', {
      id: INSTANCE, connector: 'bpm_webhook', settings: { callbackUrl: receiverUrl, timeoutMs: 5000 },
      trigger: { kind: 'webhook', auth: { kind: 'hmac-sha256', secret: SECRET } }, flow: 'supplier-purchase', mapping: 'variables',
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    installOutboundAllowlist(null);
    await new Promise((resolve) => receiver?.close(resolve));
  });

  /** A contract from the BPM, cancelled at once: its outcome is written back to the callback URL. */
  async function cancelledFromBpm(key: string) {
    const body = JSON.stringify({ processInstanceId: `p-${key}`, businessKey: key, variables: order(key) });
    const delivered = await hub.post(`/hooks/${INSTANCE}`, body, { 'content-type': 'application/json', ...signWebhook(body, SECRET) });
    expect(delivered.body).toMatchObject({ started: 1 });
    const id = (await hub.call('GET', `/api/contracts?q=${key}`)).body.items[0].id;
    await hub.waitFor(id, (c) => c.steps[0].status === 'pending');
    const cancelled = await hub.call('POST', `/api/contracts/${id}/cancel`, { reason: '流程撤回' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await hub.waitFor(id, (c) => c.timeline.some((e: any) => e.type === 'write_back_failed' || e.type === 'written_back'), 30_000);
    // As a business user reads it.
    return (await hub.call('GET', `/api/contracts/${id}`, undefined, clerk.token)).body;
  }

  it('keeps what a remote system answers out of the contract timeline: a status line only', async () => {
    const contract = await cancelledFromBpm(`WB-${suffix}-1`);
    const failed = contract.timeline.find((e: any) => e.type === 'write_back_failed');
    expect(failed.message).toContain('422');
    expect(JSON.stringify(contract)).not.toContain('INTERNAL-DETAIL');
    expect(JSON.stringify(contract)).not.toContain('k-0123456789');
    expect(received.length).toBeGreaterThan(0);
  });

  it('with SEALFLOW_OUTBOUND_ALLOW set, refuses other hosts: on save (400 with the path) and on use (no request sent)', async () => {
    installOutboundAllowlist(parseOutboundAllow('*.example.com'));
    try {
      const elsewhere = await hub.call('POST', '/api/connectors', {
        id: `bpm-evil-${suffix}`, connector: 'bpm_webhook', settings: { callbackUrl: 'https://collector.attacker.net/x', timeoutMs: 5000 },
        trigger: { kind: 'webhook', auth: { kind: 'bearer', token: 'inbound-token-0123456789abcdef' } }, flow: 'supplier-purchase', mapping: 'variables',
      });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.error.details).toEqual([expect.objectContaining({ path: '/settings/callbackUrl', message: expect.stringContaining('SEALFLOW_OUTBOUND_ALLOW') })]);

      // An instance saved before the list: its next call is refused before anything is sent.
      const before = received.length;
      const contract = await cancelledFromBpm(`WB-${suffix}-2`);
      expect(contract.timeline.find((e: any) => e.type === 'write_back_failed').message).toContain('SEALFLOW_OUTBOUND_ALLOW');
      expect(received.length).toBe(before);

      // The SMS webhook and an external TSA are held to the same list.
      const sms = createWebhookSmsProvider({ url: receiverUrl });
      await expect(sms.send({ to: '13800138000', text: '您的签署验证码 123456', idempotencyKey: 'k-1' })).rejects.toThrow(/SEALFLOW_OUTBOUND_ALLOW/);
      const tsa = createHttpTimestampClient(receiverUrl);
      await expect(tsa.timestamp({ hashAlgorithm: 'sha256', digest: new Uint8Array(32) })).rejects.toThrow(/SEALFLOW_OUTBOUND_ALLOW/);
      expect(received.length).toBe(before);
    } finally {
      installOutboundAllowlist(null);
    }
  });
});

describe('bad input is a 4xx with a path, never a 500', () => {
  it('takes a flow whose data schema carries its own $id: saved twice, published, simulated, started', async () => {
    for (const $id of ['https://example.com/schemas/purchase-order.json', 'https://sealflow.dev/schemas/flow-v1.json']) {
      const key = `with-id-${$id.length}-${suffix}`;
      const flow = { ...approvalFlow(), key, data: { ...approvalFlow().data!, $id } } as FlowDefinition;
      expect((await hub.call('POST', '/api/flows', flow)).status).toBe(201);
      expect((await hub.call('PUT', `/api/flows/${key}`, flow)).status).toBe(200);
      expect((await hub.call('POST', `/api/flows/${key}/publish`)).status).toBe(200);
      expect((await hub.call('POST', `/api/flows/${key}/simulate`, { data: order('PO-ID') })).status).toBe(200);
      expect((await hub.call('POST', '/api/contracts', { flow: key, data: order('PO-ID') })).status).toBe(201);
      const wrong = await hub.call('POST', '/api/contracts', { flow: key, data: { ...order('PO-ID'), amount: 'lots' } });
      expect(wrong).toMatchObject({ status: 400, body: { error: { details: [{ path: '/data/amount' }] } } });
    }
  });

  it('refuses a JSON body nested 10,000 levels deep with 400 and the path where it got too deep', async () => {
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const started = await hub.call('POST', '/api/contracts', `{"flow":"supplier-purchase","data":{"poNumber":"x","amount":5,"supplier":{"name":"n"},"extra":${deep(10_000)}}}`);
    expect(started.status).toBe(400);
    expect(started.body.error.details[0].path).toMatch(/^\/data\/extra\/a\/a\//);
    for (const path of ['/api/flows', '/api/flows/supplier-purchase/simulate', '/api/sign/abcdefghijklmnopqrstuvwxyz0123', '/api/users']) {
      const answer = await hub.call('POST', path, deep(10_000));
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
      expect(answer.body.error.details.length, path).toBeGreaterThan(0);
    }
  });

  it('refuses a body that is not JSON with 400 at path /', async () => {
    const answer = await hub.call('POST', '/api/contracts', 'not json at all');
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_json', details: [{ path: '/' }] } } });
  });
});

describe('logs', () => {
  let running: HubProcess | undefined;
  let sms: Server | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    // Ctrl-C first: tsx passes it on to the hub, which stops its Temporal dev server; kill -9 only if that hangs.
    if (running && running.process.exitCode === null) {
      const stopped = await Promise.race([running.stop().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
      if (!stopped) await running.kill();
    }
    await new Promise((resolve) => (sms ? sms.close(resolve) : resolve(null)));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('carry no signing link, code or key while a signer uses their link and a wrong code', { timeout: 300_000 }, async () => {
    // An SMS gateway that refuses every message and echoes it back: its answer lands in error messages.
    sms = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'rejected', request: JSON.parse(body || '{}') })));
    });
    await new Promise<void>((resolve) => sms!.listen(0, '127.0.0.1', resolve));
    dataDir = mkdtempSync(join(tmpdir(), 'sealflow-logs-'));
    const ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
    // No SEALFLOW_ADMIN_TOKEN: the hub makes one, and must not print it.
    running = await startHubProcess({
      SEALFLOW_DATA_DIR: dataDir, PORT: String(ports.api), TEMPORAL_DEV_PORT: String(ports.temporal), TEMPORAL_DEV_UI_PORT: String(ports.ui),
      SEALFLOW_ADMIN_TOKEN: '', SEALFLOW_SMS_WEBHOOK_URL: `http://127.0.0.1:${(sms.address() as AddressInfo).port}/send`,
    });
    const adminToken = readFileSync(join(dataDir!, 'admin-token'), 'utf8').trim();
    const call = httpClient(ports.api, adminToken);
    const processHub = {
      call,
      async waitFor(id: string, until: (c: any) => boolean, timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const contract = (await call('GET', `/api/contracts/${id}`)).body;
          if (until(contract)) return contract;
          if (Date.now() > deadline) throw new Error(`contract ${id}: ${JSON.stringify(contract.status)}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      },
    } as unknown as TestHub;

    const base = exampleFlow();
    expect((await call('POST', '/api/flows', { ...base, documents: [base.documents![0]], signers: base.signers!.map(({ seal: _seal, ...s }) => ({ ...s, documents: ['contract'] })) })).status).toBe(201);
    expect((await call('POST', '/api/flows/supplier-purchase/publish')).status).toBe(200);
    const approvers = { manager: (await call('POST', '/api/users', { name: '王经理', roles: ['dept-manager'] })).body, finance: (await call('POST', '/api/users', { name: '赵总监', roles: ['finance-director'] })).body };
    const order = exampleOrder();
    const id = await approvedContract(processHub, approvers, order);
    await signerCall(processHub, await linkFor(processHub, id, 'signer:buyer'), '', { read: true });
    // The supplier's link, from the invitation email (the dev outbox keeps email in full without SMTP).
    const link = await linkFor(processHub, id, order.data.supplier.email);
    await readAll(processHub, link);
    await signerCall(processHub, link, '/otp', {});
    const wrong = await signerCall(processHub, link, '', { read: true, otp: '000000' });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    expect(wrong.status).toBeLessThan(500);
    await new Promise((r) => setTimeout(r, 1000));

    const output = running.output();
    // The hub did log what went wrong with the SMS gateway...
    expect(output).toMatch(/sms/i);
    // ...and where the admin token is...
    expect(output).toContain(`admin token generated; read it from ${join(dataDir!, 'admin-token')}`);
    // ...but no credential: not the link, not the admin token, not a code sent by SMS.
    expect(output).not.toContain(link);
    expect(output).not.toContain(adminToken);
    const codes = (await call('GET', `/api/outbox?contractId=${id}`)).body.items.flatMap((m: any) => [...String(m.body).matchAll(/验证码 (\d{6})/g)].map((x) => x[1]));
    for (const code of codes) expect(output).not.toContain(`验证码 ${code}`);
    expect(output).not.toMatch(/\/sign\/[A-Za-z0-9_-]{20,}/);
    await running.stop();
  });
});
