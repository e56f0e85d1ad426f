// A whole hub in the test process: a real worker on the shared Temporal dev server (its
// own task queue), the real express app on a free port, a fresh store. Tests talk to it
// over HTTP the way a user or a business system would.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { inject } from 'vitest';
import { loadConfig } from '../../config';
import type { FlowDefinition } from '../../flows';
import { createHub, installTemporalRuntime, type Hub, type HubOptions } from '../../hub';
import type { AppOptions } from '../../server';
import type { WebhookRateLimit } from '../../server/hooks';
import type { Store } from '../../store';
import type { SigningPlatform } from '../../signing';
import { createDocumentRenderer, type DocumentRenderer } from '../../templates';
import { anchorScheduleId, bundleContractWorkflows } from '../../workflows';
import { openTestStore, type TestDialect } from './databases';
import { startSmsGateway, startSmtpServer, type LocalSmsGateway, type LocalSmtpServer } from '../notify/support';

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
  /** Per-client rates of /api/verify and /tsa, for tests that verify many files from one address. */
  publicRateLimits?: AppOptions['publicRateLimits'];
  /**
   * Real-name verification providers in priority order (e.g. the local one and a fake vendor that fails
   * on demand); default none, or what SEALFLOW_IDENTITY_PROVIDERS in `env` names.
   */
  identityProviders?: HubOptions['identityProviders'];
  identityRouting?: HubOptions['identityRouting'];
  identityRateLimit?: HubOptions['identityRateLimit'];
  /** POST /api/verify's verifier instead of the app's own (e.g. one worker and a short queue); the test closes it. */
  verifier?: HubOptions['verifier'];
  /** More of the environment the hub's config is read from (e.g. SEALFLOW_TEMPORAL_METRICS_ADDRESS). */
  env?: Record<string, string>;
  /** The hub's logger (tests capture its lines); default the config's. */
  logger?: HubOptions['logger'];
  /**
   * Whether the hub sets up its evidence-anchoring schedule in Temporal, as a deployment's does
   * (hourly). Default off: every test hub shares one dev server, where each schedule would go on
   * ticking after its test; a hub that made one deletes it on close().
   */
  anchorSchedule?: boolean;
  /** The Temporal server, for a hub started outside vitest (a benchmark); default the suite's shared dev server. */
  temporalAddress?: string;
}

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  installTemporalRuntime();
  const taskQueue = `test-${randomBytes(6).toString('hex')}`;
  const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
  const masterKey = randomBytes(32);
  // The settings a deployment reads from its environment, read by the same loader.
  const config = loadConfig({
    TEMPORAL_ADDRESS: options.temporalAddress ?? inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    SEALFLOW_MASTER_KEY: masterKey.toString('hex'),
    SEALFLOW_ADMIN_TOKEN: adminToken,
    PORT: '0',
    ...(options.smtpUrl ? { SEALFLOW_SMTP_URL: options.smtpUrl } : {}),
    ...(options.smsWebhookUrl ? { SEALFLOW_SMS_WEBHOOK_URL: options.smsWebhookUrl } : {}),
    // Request lines would fill the test output: warnings and errors only, unless a test passes its own logger.
    LOG_LEVEL: 'warn',
    ...(options.anchorSchedule ? {} : { SEALFLOW_ANCHOR_EVERY: 'off' }),
    ...options.env,
  });
  const store = await openTestStore(options.dialect ?? 'sqlite');
  const errors: string[] = [];
  let hub: Hub;
  try {
    hub = await createHub(config, {
      role: 'all',
      store,
      host: '127.0.0.1',
      workflowBundle: await (bundle ??= bundleContractWorkflows()),
      // Every test hub shares one Temporal namespace: its contracts' ids must not meet another hub's.
      contractIdScope: taskQueue,
      renderer: (renderer ??= createDocumentRenderer()),
      // A test's hub stops at once, as it always did; a deployment's worker drains.
      workerShutdownGrace: 0,
      webhookRateLimit: options.webhookRateLimit,
      publicRateLimits: options.publicRateLimits,
      identityProviders: options.identityProviders,
      identityRouting: options.identityRouting,
      identityRateLimit: options.identityRateLimit,
      verifier: options.verifier,
      log: (m) => errors.push(m),
      logger: options.logger,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const url = hub.url!;
  const client = hub.client!;
  const signing = hub.signing;

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
      if (options.anchorSchedule) await client.schedule.getHandle(anchorScheduleId(taskQueue)).delete().catch(() => {});
      await hub.stop();
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
