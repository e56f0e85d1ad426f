// Two hub servers over one database, through HTTP (issue 12 × issue 13): a signer whose
// verification started at server 1 and whose next request lands on server 2 (a load balancer
// does that) finishes it there, and signs at server 1. Server 2 is the real express app
// (createApp) with its own store connection, PKI handle and identity providers (fresh local
// provider, its own router): it shares only the database and Temporal with server 1.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { createLocalIdentityProvider, LOCAL_SMS_CODE, LOCAL_TRANSFER_FEN } from '../../identity';
import { createNotifier } from '../../notify';
import { createApp } from '../../server';
import { keyRecordsIn, openSigningPlatform } from '../../signing';
import { openStore, type Store } from '../../store';
import { createDocumentRenderer } from '../../templates';
import { createDocumentService } from '../../workflows';
import { dialects } from '../support/databases';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { approvedContract, linkFor, signerCall } from '../support/signing';

const QIMING = { name: '上海启明智能制造有限公司', creditCode: '91310000MA1FL0001R', legalRepresentative: '张三' };
const ZHANG = { name: '张三', idNumber: '310101199003071230' };
const ACCOUNT = { number: '31001234567890123456', bank: '中国建设银行上海张江支行' };

const twoLevels = (): FlowDefinition => {
  const base = exampleFlow();
  return {
    ...base,
    key: 'identity-two-servers',
    documents: [base.documents![0]],
    signers: [
      { id: 'buyer', party: 'company', name: '=buyer.name', creditCode: '=buyer.creditCode', identity: 'company-transfer', order: 1, documents: ['contract'] },
      { id: 'zhang', party: 'person', name: '张三', idNumber: ZHANG.idNumber, identity: 'telecom', order: 1, documents: ['contract'] },
      { id: 'supplier', party: 'company', name: '=supplier.name', order: 2, documents: ['contract'] },
    ],
  };
};

describe.each(dialects)('a verification started on one server, finished on another (%s)', (dialect) => {
  let hub: TestHub;
  let store2: Store;
  let server2: Server;
  let url2: string;
  let contractId: string;

  beforeAll(async () => {
    hub = await startTestHub({ dialect, identityProviders: [createLocalIdentityProvider({ notForProduction: true, pageUrl: '/identity/local' })] });
    // Server 2: what a second process of the same deployment builds from the same settings.
    store2 = await openStore(hub.store.location);
    const app = createApp({
      store: store2, client: hub.client, taskQueue: hub.taskQueue, namespace: 'default', contractIdScope: hub.taskQueue, adminToken: hub.adminToken, masterKey: hub.masterKey,
      signing: await openSigningPlatform({ masterKey: hub.masterKey, keyRecords: keyRecordsIn(store2.signingKeys) }),
      documents: createDocumentService({ store: store2, renderer: createDocumentRenderer() }),
      notifier: createNotifier({ store: store2, outbox: true }),
      identityProviders: [createLocalIdentityProvider({ notForProduction: true, pageUrl: '/identity/local' })],
    });
    server2 = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url2 = `http://127.0.0.1:${(server2.address() as AddressInfo).port}`;

    await hub.publish(twoLevels());
    const manager = await hub.user('王经理', ['dept-manager']);
    const finance = await hub.user('赵总监', ['finance-director']);
    const order = exampleOrder();
    contractId = await approvedContract(hub, { manager, finance }, { flow: 'identity-two-servers', data: { ...order.data, poNumber: 'TWO-1', buyer: { ...order.data.buyer, creditCode: QIMING.creditCode }, supplier: { ...order.data.supplier, isNew: false } } });
  }, 180_000);

  afterAll(async () => {
    if (server2) {
      server2.closeAllConnections();
      await new Promise((resolve) => server2.close(resolve));
    }
    await store2?.close();
    await hub?.close();
  });

  /** A signer's identity call at server 2. */
  const atTwo = async (token: string, path: string, body: unknown) => {
    const response = await fetch(`${url2}/api/sign/${token}/identity${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  };
  const atOne = (token: string, path: string, body: unknown) => signerCall(hub, token, `/identity${path}`, body);

  it('telecom: started at server 1, the wrong and then the right SMS code at server 2, signed at server 1', { timeout: 60_000 }, async () => {
    const token = await linkFor(hub, contractId, 'signer:zhang');
    const started = await atOne(token, '/flows', { person: { ...ZHANG, mobile: '13800138000' } });
    expect(started.body).toMatchObject({ level: 'telecom', status: 'pending', step: 'sms_code', triesLeft: 5 });
    expect((await atTwo(token, `/flows/${started.body.id}/sms-code`, { code: '000000' })).body).toMatchObject({ status: 'pending', triesLeft: 4, outcome: 'wrong_input' });
    const passed = await atTwo(token, `/flows/${started.body.id}/sms-code`, { code: LOCAL_SMS_CODE });
    expect(passed.status, JSON.stringify(passed.body)).toBe(200);
    expect(passed.body).toMatchObject({ status: 'passed', bound: true, record: { level: 'telecom', provider: 'local', name: '张三' } });
    expect((await signerCall(hub, token)).body.identity).toMatchObject({ level: 'telecom', verified: true });
    expect((await signerCall(hub, token, '', { read: true })).body.status).toBe('signed');
  });

  it('对公打款: started at server 2, its tries spent at both (one count), the right amount at server 1 binds the company', { timeout: 60_000 }, async () => {
    const token = await linkFor(hub, contractId, 'signer:buyer');
    const started = await atTwo(token, '/flows', { company: QIMING, account: ACCOUNT });
    expect(started.body).toMatchObject({ level: 'company-transfer', step: 'transfer_amount', triesLeft: 3 });
    expect((await atOne(token, `/flows/${started.body.id}/transfer-amount`, { amountFen: 1 })).body).toMatchObject({ status: 'pending', triesLeft: 2 });
    expect((await atTwo(token, `/flows/${started.body.id}/transfer-amount`, { amountFen: 2 })).body).toMatchObject({ status: 'pending', triesLeft: 1 });
    const passed = await atOne(token, `/flows/${started.body.id}/transfer-amount`, { amountFen: LOCAL_TRANSFER_FEN });
    expect(passed.body).toMatchObject({ status: 'passed', bound: true, record: { level: 'company-transfer', name: QIMING.name } });
    // Both servers count the calls in one place: what the admin reads at either is the same.
    const one = await hub.call('GET', '/api/identity/costs');
    const two = await fetch(`${url2}/api/identity/costs`, { headers: { authorization: `Bearer ${hub.adminToken}` } }).then((r) => r.json());
    expect(two).toEqual(one.body);
    expect(one.body.providers.local.byCapability).toMatchObject({ 'person.telecom': { answered: 1 }, 'company.transfer': { answered: 1 } });
  });
});
