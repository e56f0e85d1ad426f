// A whole hub with connectors switched on: like test/support/hub.ts (a real worker on the
// shared Temporal dev server, the real express app, a fresh store) plus a master key for
// connector secrets, given to both the worker and the server as npm start does.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { inject } from 'vitest';
import { createOutboxNotifier } from '../../notify';
import { createApp } from '../../server';
import type { WebhookRateLimit } from '../../server/hooks';
import { keyRecordsIn, openSigningPlatform } from '../../signing';
import { createDocumentRenderer } from '../../templates';
import { bundleContractWorkflows, createContractWorker, createDocumentService } from '../../workflows';
import { openTestStore, type TestDialect } from '../support/databases';
import type { TestHub } from '../support/hub';

let bundle: Promise<WorkflowBundle> | undefined;

export interface ConnectorHub extends TestHub {
  masterKey: Buffer;
  /** A raw POST, for webhooks (body as given, no JSON encoding). */
  post(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: any }>;
}

export async function startConnectorHub(options: { dialect?: TestDialect; webhookRateLimit?: WebhookRateLimit } = {}): Promise<ConnectorHub> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already in this process
  }
  const address = inject('temporalAddress');
  const taskQueue = `test-connectors-${randomBytes(6).toString('hex')}`;
  const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
  const signingMasterKey = randomBytes(32);
  const masterKey = randomBytes(32);
  const store = await openTestStore(options.dialect ?? 'sqlite');
  const documents = createDocumentService({ store, renderer: createDocumentRenderer() });

  bundle ??= bundleContractWorkflows();
  const nativeConnection = await NativeConnection.connect({ address });
  const worker: Worker = await createContractWorker({ connection: nativeConnection, namespace: 'default', taskQueue, store, notifier: createOutboxNotifier(store), documents, masterKey, workflowBundle: await bundle });
  const running = worker.run();

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const errors: string[] = [];
  const signing = await openSigningPlatform({ masterKey: signingMasterKey, keyRecords: keyRecordsIn(store.signingKeys) });
  const app = createApp({ store, client, documents, signing, taskQueue, namespace: 'default', adminToken, masterKey, webhookRateLimit: options.webhookRateLimit, log: (m) => errors.push(m) });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call = async (method: string, path: string, body?: unknown, token: string | null = adminToken) => {
    const response = await fetch(url + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 500) throw new Error(`${method} ${path} → ${response.status} ${text}\n${errors.join('\n')}`);
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

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
      const response = await fetch(url + path, { method: 'POST', headers, body });
      const text = await response.text();
      if (response.status === 500) throw new Error(`POST ${path} → 500 ${text}\n${errors.join('\n')}`);
      return { status: response.status, body: text ? JSON.parse(text) : null };
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
      // Sync loops of this hub's instances would otherwise sleep on in the shared namespace.
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
