// The hub's Prometheus metrics, with prom-client (the maintained Node client every exporter
// guide uses). One registry per hub process: the server adds the contract counts it reads
// from the database at scrape time, the worker the counters its activities move. The Temporal
// SDK's own metrics come from Core's exporter (see temporal.ts) and are appended to the same
// scrape, so one /metrics answers for both.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CONTRACT_STATUSES, type ContractStatus } from '../flows';
import type { Store } from '../store';

/** The stages of a contract whose duration is observed when they end. */
export const CONTRACT_STAGES = ['approval', 'documents', 'signing', 'archive'] as const;
export type ContractStage = (typeof CONTRACT_STAGES)[number];

/** What a connector failed at: its poll of the source system, a write-back, a delegated approval. */
export type ConnectorOperation = 'poll' | 'write_back' | 'delegate' | 'sample' | 'webhook';

export interface MetricsOptions {
  /** Contracts per status, per tenant: read at every scrape (one GROUP BY each, the ledger's count). */
  contractCounts?: () => Promise<Array<{ tenantId: string; counts: Record<ContractStatus, number> }>>;
  /** The Temporal SDK's Prometheus exporter of this process (e.g. http://127.0.0.1:9464/metrics), appended to every scrape. */
  temporalMetricsUrl?: string | null;
  /** Node's process metrics (CPU, heap, event-loop lag, GC); default on. */
  processMetrics?: boolean;
}

export interface HubMetrics {
  readonly registry: Registry;
  /** A stage ended after `seconds`; `outcome` says how (approved, rejected, failed…). */
  stageEnded(stage: ContractStage, seconds: number, outcome?: string): void;
  /** Signatures applied (one per document signed). */
  signed(count?: number): void;
  /** A call to a connector instance failed, for good or for now (each failed attempt counts); `code` is the ConnectorError code. */
  connectorFailed(instance: string, operation: ConnectorOperation, code: string): void;
  /** The exposition text: this registry, then the Temporal SDK's metrics when configured. */
  scrape(): Promise<{ contentType: string; text: string }>;
}

// Seconds to days: a stage may end in milliseconds (auto-approval) or after a week of waiting on a signer.
const STAGE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400];

export function createMetrics(options: MetricsOptions = {}): HubMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'sealflow_' });

  if (options.contractCounts) {
    const read = options.contractCounts;
    new Gauge({
      name: 'sealflow_contracts',
      help: 'Contracts by status, per tenant (read from the database at scrape time)',
      labelNames: ['tenant', 'status'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const { tenantId, counts } of await read()) {
          for (const status of CONTRACT_STATUSES) this.set({ tenant: tenantId, status }, counts[status] ?? 0);
        }
      },
    });
  }
  const stages = new Histogram({
    name: 'sealflow_contract_stage_duration_seconds',
    help: 'How long a contract stage took, observed when it ends (approval, documents, signing, archive)',
    labelNames: ['stage', 'outcome'],
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  const signatures = new Counter({ name: 'sealflow_signatures_total', help: 'PDF signatures applied (rate() gives signatures per second)', registers: [registry] });
  const connectorErrors = new Counter({
    name: 'sealflow_connector_errors_total',
    help: 'Failed connector calls, by connector instance, operation and error code',
    labelNames: ['connector', 'operation', 'code'],
    registers: [registry],
  });

  return {
    registry,
    stageEnded(stage, seconds, outcome = 'done') {
      if (Number.isFinite(seconds) && seconds >= 0) stages.observe({ stage, outcome }, seconds);
    },
    signed(count = 1) {
      signatures.inc(count);
    },
    connectorFailed(connector, operation, code) {
      connectorErrors.inc({ connector, operation, code });
    },
    async scrape() {
      const own = await registry.metrics();
      const sdk = options.temporalMetricsUrl ? await temporalSdkMetrics(options.temporalMetricsUrl) : '';
      return { contentType: registry.contentType, text: sdk ? `${own}\n${sdk}` : own };
    },
  };
}

/** The SDK exporter's text, or a comment saying why it is missing: a scrape never fails for it. */
async function temporalSdkMetrics(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return `# Temporal SDK metrics unavailable: ${url} answered ${response.status}\n`;
    return await response.text();
  } catch (error) {
    return `# Temporal SDK metrics unavailable: ${(error as Error).message}\n`;
  }
}

/** The ledger's count by status (store.contracts.counts, one GROUP BY) for every tenant: what the contracts gauge reads. */
export function storeContractCounts(store: Pick<Store, 'tenants' | 'contracts'>): NonNullable<MetricsOptions['contractCounts']> {
  return async () => {
    const tenants = await store.tenants.list();
    return Promise.all(tenants.map(async ({ id }) => ({ tenantId: id, counts: (await store.contracts.counts({ scope: { tenantId: id, unitPath: null } })).counts })));
  };
}
