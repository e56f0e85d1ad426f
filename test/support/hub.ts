// A whole hub in the test process: a real worker on the shared Temporal dev server (its
// own task queue), the real express app on a free port, a fresh store. Tests talk to it
// over HTTP the way a user or a business system would.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { inject } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { createNotifier, createWebhookSmsProvider } from '../../notify';
import { createApp, type AppOptions } from '../../server';
import { createDevelopmentFaceVerifier } from '../../server/face';
import type { WebhookRateLimit } from '../../server/hooks';
import type { Store } from '../../store';
import { keyRecordsIn, openSigningPlatform, type SigningPlatform } from '../../signing';
import { createDocumentRenderer, type DocumentRenderer } from '../../templates';
import { bundleContractWorkflows, createContractWorker, createDocumentService } from '../../workflows';
import { openTestStore, type TestDialect } from './databases';
import { startSmsGateway, startSmtpServer, type LocalSmsGateway, type LocalSmtpServer } from '../notify/support';

let runtimeInstalled = false;
let bundle: Promise<WorkflowBundle> | undefined;
// One renderer per test file: it caches compiled templates and font subsets, as the worker's does.
let renderer: DocumentRenderer | undefined;

/** The shipped example: approval by amount, a purchase contract and (for new suppliers) an NDA, two signers. */
export const exampleFlow = (): FlowDefinition => JSON.parse(readFileSync(new URL('../../examples/supplier-purchase.flow.json', import.meta.url), 'utf8'));

/** The example's full contract request: SAP purchase order 4500000001 with its items and parties. */
export const exampleOrder = (): { flow: string; sourceKey: string; data: Record<string, any> } =>
  JSON.parse(readFileSync(new URL('../../examples/purchase-order-4500000001.json', import.meta.url), 'utf8'));

/** The example's approval routing alone, on small data ({poNumber, amount, supplier}): for tests about approvals. */
export function approvalFlow(): FlowDefinition {
  const { documents: _documents, signers: _signers, signing: _signing, archive: _archive, ...flow } = exampleFlow();
  return {
    ...flow,
    data: { type: 'object', required: ['poNumber', 'amount', 'supplier'], properties: { poNumber: { type: 'string' }, amount: { type: 'number' }, supplier: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 }, email: { type: 'string', format: 'email' } } } } } as FlowDefinition['data'],
    approval: { ...flow.approval, amount: '=amount' },
  };
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
}

export interface TestHub {
  url: string;
  adminToken: string;
  /** SEALFLOW_MASTER_KEY of this hub: seals connector secrets, wraps signing keys, derives link tokens. */
  masterKey: Buffer;
  store: Store;
  client: Client;
  taskQueue: string;
  /** The hub's PKI: CA, TSA and platform signer. */
  signing: SigningPlatform;
  /** An HTTP call as `token` (the admin's unless given). */
  call<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<HttpResult<T>>;
  /** A raw POST (body as given, no JSON encoding), e.g. a webhook or a PDF. */
  post(path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<HttpResult>;
  /** Creates a user with these roles and returns their token. */
  user(name: string, roles: string[]): Promise<{ id: string; token: string }>;
  /** Posts and publishes a flow. */
  publish(flow: FlowDefinition): Promise<void>;
  /** Polls the contract until `until` holds (the projection is written by activities). */
  waitFor(id: string, until: (contract: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

export interface TestHubOptions {
  dialect?: TestDialect;
  webhookRateLimit?: WebhookRateLimit;
  /** Real delivery besides the dev outbox: an SMTP server and an SMS webhook (test servers on loopback). */
  smtpUrl?: string;
  smsWebhookUrl?: string;
  /** SEALFLOW_FACE_PROVIDER: 'development' checks nobody (accepts "dev-face-ok"); unset, the hub has no face provider. */
  faceProvider?: 'development';
  /** Per-client rates of /api/verify and /tsa, for tests that verify many files from one address. */
  publicRateLimits?: AppOptions['publicRateLimits'];
}

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const address = inject('temporalAddress');
  const taskQueue = `test-${randomBytes(6).toString('hex')}`;
  const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
  const masterKey = randomBytes(32);
  const store = await openTestStore(options.dialect ?? 'sqlite');
  const documents = createDocumentService({ store, renderer: (renderer ??= createDocumentRenderer()) });
  const signing = await openSigningPlatform({ masterKey, keyRecords: keyRecordsIn(store.signingKeys) });
  const notifier = createNotifier({
    store,
    outbox: true,
    email: options.smtpUrl ? { url: options.smtpUrl } : null,
    sms: options.smsWebhookUrl ? createWebhookSmsProvider({ url: options.smsWebhookUrl }) : null,
  });

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const errors: string[] = [];
  const app = createApp({ store, client, documents, signing, notifier, taskQueue, contractIdScope: taskQueue, namespace: 'default', adminToken, masterKey, webhookRateLimit: options.webhookRateLimit, publicRateLimits: options.publicRateLimits, faceVerifier: options.faceProvider === 'development' ? createDevelopmentFaceVerifier() : null, log: (m) => errors.push(m) });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  bundle ??= bundleContractWorkflows();
  const nativeConnection = await NativeConnection.connect({ address });
  const worker: Worker = await createContractWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    store,
    notifier,
    documents,
    masterKey,
    signing,
    publicUrl: url,
    linkSecret: masterKey,
    // Every test hub shares one Temporal namespace: its contracts' ids must not meet another hub's.
    contractIdScope: taskQueue,
    workflowBundle: await bundle,
  });
  const running = worker.run();

  const parse = async (response: Response, what: string) => {
    // An event stream never ends by itself: the status and headers are the answer.
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      await response.body?.cancel();
      return { status: response.status, body: null };
    }
    const text = await response.text();
    if (response.status >= 500) throw new Error(`${what} → ${response.status} ${text}\n${errors.join('\n')}`);
    const json = response.headers.get('content-type')?.includes('application/json');
    return { status: response.status, body: json && text ? JSON.parse(text) : text || null };
  };
  const call = async (method: string, path: string, body?: unknown, token: string | null = adminToken) =>
    parse(
      await fetch(url + path, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
      `${method} ${path}`,
    );

  return {
    url,
    adminToken,
    masterKey,
    store,
    client,
    taskQueue,
    signing,
    call,
    async post(path, body, headers) {
      return parse(await fetch(url + path, { method: 'POST', headers, body }), `POST ${path}`);
    },
    async user(name, roles) {
      const { status, body } = await call('POST', '/api/users', { name, roles });
      if (status !== 201) throw new Error(`creating user ${name}: ${status} ${JSON.stringify(body)}`);
      return { id: body.id, token: body.token };
    },
    async publish(flow) {
      const created = await call('POST', '/api/flows', flow);
      if (created.status === 409) {
        const saved = await call('PUT', `/api/flows/${flow.key}`, flow);
        if (saved.status !== 200) throw new Error(`saving flow: ${JSON.stringify(saved.body)}`);
      } else if (created.status !== 201) throw new Error(`creating flow: ${JSON.stringify(created.body)}`);
      const published = await call('POST', `/api/flows/${flow.key}/publish`);
      if (published.status !== 200) throw new Error(`publishing flow: ${JSON.stringify(published.body)}`);
    },
    async waitFor(id, until, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: any;
      while (Date.now() < deadline) {
        last = (await call('GET', `/api/contracts/${id}`)).body;
        if (until(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`contract ${id} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last, null, 1)}`);
    },
    async close() {
      // Sync loops of this hub's connector instances would otherwise sleep on in the shared namespace.
      for (const instance of await store.connectors.list()) {
        await client.workflow.getHandle(`connector-sync:${instance.id}`).terminate('test over').catch(() => {});
      }
      await new Promise((resolve) => server.close(resolve));
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await store.close();
    },
  };
}

/** A hub that really delivers: a local SMTP server and SMS gateway on loopback, besides the dev outbox. */
export async function startDeliveringHub(): Promise<{ hub: TestHub; smtp: LocalSmtpServer; sms: LocalSmsGateway; close(): Promise<void> }> {
  const smtp = await startSmtpServer();
  const sms = await startSmsGateway();
  const hub = await startTestHub({ smtpUrl: smtp.url, smsWebhookUrl: sms.url });
  return {
    hub,
    smtp,
    sms,
    async close() {
      await hub.close();
      await smtp.stop();
      await sms.close();
    },
  };
}
