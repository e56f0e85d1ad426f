// What an operator scrapes and reads: /metrics after a real contract ran through approval,
// documents, two signatures and the archive on the dev server, and the worker's log lines
// of that contract's work — JSON, each naming the contract, no signing link in any of them.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sapPurchaseOrders } from '../../connectors/sap';
import type { FlowDefinition } from '../../flows';
import { installTemporalRuntime } from '../../hub';
import { serveWorkerHealth } from '../../hub/worker-health';
import { createLogger, createMetrics } from '../../observability';
import { signerLinkToken } from '../../workflows/activities/signing';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { approvedContract, linkFor, signerCall } from '../support/signing';

const lines: string[] = [];
let hub: TestHub;
let contractId: string;
const links: string[] = [];
let scrapeToken: string;

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** The value of one sample line (name{labels} value), or null when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

const scrape = async (token: string | null) => {
  const response = await fetch(`${hub.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
};

const capture = createLogger({ format: 'json', level: 'info', write: (line) => lines.push(line) });

beforeAll(async () => {
  // The process's runtime, as an entry point installs it: the hub logger (captured here) and the SDK's exporter.
  const address = `127.0.0.1:${await freePort()}`;
  installTemporalRuntime({ logger: capture, metricsAddress: address });
  hub = await startTestHub({ env: { SEALFLOW_TEMPORAL_METRICS_ADDRESS: address }, logger: capture });
}, 120_000);
afterAll(() => hub?.close());

describe('a contract', () => {
  it('runs through approval, documents, two signatures and the archive', { timeout: 240_000 }, async () => {
    const base = exampleFlow();
    const flow: FlowDefinition = {
      ...base,
      key: 'metrics-two-party',
      documents: [base.documents![0]],
      signers: [
        { id: 'buyer', party: 'company', name: '=buyer.name', order: 1, documents: ['contract'] },
        { id: 'supplier', party: 'company', name: '=supplier.name', order: 2, documents: ['contract'] },
      ],
      archive: { folder: base.archive!.folder, retention: base.archive!.retention },
    };
    await hub.publish(flow);
    const manager = await hub.user('王经理', ['dept-manager']);
    const finance = await hub.user('赵总监', ['finance-director']);
    const order = exampleOrder();
    contractId = await approvedContract(hub, { manager, finance }, { flow: flow.key, sourceKey: 'metrics-1', data: { ...order.data, supplier: { ...order.data.supplier, email: undefined, mobile: undefined, isNew: false } } });
    for (const signer of ['buyer', 'supplier']) {
      const link = await linkFor(hub, contractId, `signer:${signer}`);
      links.push(link);
      expect((await signerCall(hub, link, '', { read: true })).status).toBe(200);
    }
    expect((await hub.waitFor(contractId, (c) => c.status === 'completed', 90_000)).status).toBe('completed');
  });
});

describe('GET /metrics', () => {
  it('refuses a scrape without the metrics.read right', async () => {
    expect((await scrape(null)).status).toBe(401);
    const viewer = await hub.user('看板', ['tenant-admin']);
    expect((await scrape(viewer.token)).status).toBe(403);
  });

  it('shows the completed contract, its signatures, its stages and the SDK to a key scoped to metrics.read', { timeout: 60_000 }, async () => {
    // Prometheus's key: an admin-role user's key narrowed to metrics.read.
    const prometheus = await hub.user('Prometheus', ['admin']);
    const key = await hub.call('POST', '/api/keys', { name: 'scrape', userId: prometheus.id, scopes: ['metrics.read'] });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    scrapeToken = key.body.token;
    // The scrape key reads metrics and nothing else.
    expect((await hub.call('GET', '/api/contracts', undefined, key.body.token)).status).toBe(403);
    const { status, type, text } = await scrape(key.body.token);
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    expect(sample(text, 'sealflow_contracts', { tenant: 'default', status: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sealflow_contracts', { tenant: 'default', status: 'declined' })).toBe(0);
    expect(sample(text, 'sealflow_signatures_total')).toBe(2);
    for (const stage of ['approval', 'documents', 'signing', 'archive']) {
      expect(sample(text, 'sealflow_contract_stage_duration_seconds_count', { stage }), stage).toBeGreaterThanOrEqual(1);
    }
    expect(sample(text, 'sealflow_contract_stage_duration_seconds_count', { stage: 'signing', outcome: 'completed' })).toBe(1);
    // Core's own metrics of this process's worker, appended to the same scrape.
    expect(text).toMatch(/^temporal_activity_execution_latency_count\{[^}]*activity_type="applySignature"/m);
    expect(text).toMatch(/^temporal_workflow_completed_total\{[^}]*workflow_type="contractFlow"/m);
  });

  it('counts a connector that fails to poll its source', { timeout: 150_000 }, async () => {
    const created = await hub.call('POST', '/api/connectors', {
      id: 'sap-down', connector: 'sap_purchase_orders', name: 'SAP (unreachable)',
      settings: { purchaseOrderServiceUrl: 'http://127.0.0.1:9/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV', businessPartnerServiceUrl: 'http://127.0.0.1:9/sap/opu/odata/sap/API_BUSINESS_PARTNER', username: 'SEALFLOW_COMM', password: 'sap-password-0123', pageSize: 10, timeoutMs: 2000, changedSince: '2024-01-01T00:00:00Z' },
      trigger: { kind: 'poll', everyMinutes: 60 }, flow: 'metrics-two-party', mapping: sapPurchaseOrders.defaultMapping,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Its first sync runs at once and cannot reach SAP: one failure per attempt, by instance and code.
    let failures: number | null = null;
    for (const deadline = Date.now() + 120_000; failures === null && Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
      failures = sample((await scrape(scrapeToken)).text, 'sealflow_connector_errors_total', { connector: 'sap-down', operation: 'poll', code: 'source_unreachable' });
    }
    expect(failures, JSON.stringify((await hub.call('GET', '/api/connectors/sap-down')).body)).toBeGreaterThanOrEqual(1);
  });
});

describe("the worker's log lines", () => {
  it("are JSON, and every line of the contract's work names it; no signing link token in any", () => {
    const entries = lines.map((line) => JSON.parse(line));
    // The lines of this contract's workflow and activities (by what Temporal knows of them, not by contractId).
    const ofContract = entries.filter((e) => e.workflowId === contractId);
    expect(ofContract.length).toBeGreaterThanOrEqual(8);
    expect(ofContract.filter((e) => e.contractId !== contractId)).toEqual([]);
    const said = ofContract.map((e) => e.msg);
    expect(said).toEqual(expect.arrayContaining(['contract saved', 'documents generated', 'signed', 'archived', 'stage ended']));
    // The links (both the email and the derived token) appear nowhere in what was logged.
    const everything = lines.join('\n');
    expect(links).toHaveLength(2);
    for (const link of links) expect(everything).not.toContain(link);
    expect(everything).not.toContain(signerLinkToken(hub.masterKey, contractId, 'buyer'));
  });
});

describe("a lone worker's health port", () => {
  it('answers GET /metrics with its counters and the SDK exporter, beside /healthz', async () => {
    const metrics = createMetrics({ temporalMetricsUrl: 'http://127.0.0.1:9/metrics', processMetrics: false });
    metrics.signed(3);
    metrics.stageEnded('archive', 1.5, 'archived');
    const server = await serveWorkerHealth(0, async () => ({ ok: true, worker: 'RUNNING', temporal: 'up', database: 'up' }), metrics);
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(sample(text, 'sealflow_signatures_total')).toBe(3);
      expect(sample(text, 'sealflow_contract_stage_duration_seconds_count', { stage: 'archive' })).toBe(1);
      // An SDK exporter that does not answer is said, not a failed scrape.
      expect(text).toContain('# Temporal SDK metrics unavailable');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
