// Connector instances over HTTP: check what IT sends (the connector's settings schema, the
// mapping, the flow), store it with its secrets sealed, keep each polling instance's sync
// loop (a Temporal workflow) running, and answer with views that never carry a secret.
// Instances are the caller's tenant's, named by their key; another tenant's is a 404. The
// contracts an instance starts belong to its tenant and its org unit (`orgUnit`).
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateStage, type Client } from '@temporalio/client';
import { checkSettings, compileMapping, ConnectorError, destinationFields, getConnector, refusedDestinations, listConnectors, previewMapping, splitSecrets, validateSettings, type AnyConnector } from '../connectors';
import { compileExpression, ExpressionError, isExpression, type ValidationIssue } from '../flows';
import { StoreError, type ConnectorHealthRecord, type ConnectorInstanceRecord, type ConnectorTrigger, type ConnectorWebhookAuth, type Store } from '../store';
import { CONNECTOR_SYNC_WORKFLOW, connectorSyncWorkflowId, loadConnectorInstance, requestSync, syncNow, type ConnectorSyncInput, type ConnectorSyncSummary, type ContractStarter } from '../workflows';
import type { Principal } from './access';
import { AppError, notFound } from './errors';

/** What POST /api/connectors takes (the connector kit's ConnectorInstanceSchema). */
export interface ConnectorInstanceBody {
  id: string;
  connector: string;
  name?: string;
  settings: Record<string, unknown>;
  trigger: { kind: 'poll'; everyMinutes: number } | { kind: 'webhook'; auth: ConnectorWebhookAuth };
  flow: string;
  mapping: string;
  enabled?: boolean;
  /** The org unit (of the caller's tenant) whose contracts the instance starts, or `=expression` giving one per mapped record; default the tenant's top. */
  orgUnit?: string | null;
}

/** What PUT /api/connectors/:id takes: fields left out keep their value, secret settings left out keep theirs. */
export interface ConnectorUpdateBody {
  name?: string | null;
  settings?: Record<string, unknown>;
  trigger?: { kind: 'poll'; everyMinutes: number } | { kind: 'webhook'; auth?: ConnectorWebhookAuth };
  flow?: string;
  mapping?: string;
  enabled?: boolean;
  orgUnit?: string | null;
}

export interface ConnectorView {
  /** Its key within the tenant. */
  id: string;
  connector: string;
  name: string | null;
  flow: string;
  mapping: string;
  trigger: ConnectorTrigger;
  enabled: boolean;
  orgUnit: string | null;
  /** Settings that are not secret, as stored. */
  publicSettings: Record<string, unknown>;
  /** Secret settings that hold a value; their values are never returned. */
  secretsSet: string[];
  /** Where the source posts, and how it authenticates (the secret is never returned). */
  webhook: { url: string; auth: ConnectorWebhookAuth['kind'] } | null;
  health: ConnectorHealthRecord | null;
  createdAt: string;
  updatedAt: string;
}

/** How long the manual sync waits for its answer before saying "still running". */
const SYNC_ANSWER_WITHIN_MS = 55_000;

const invalid = (message: string, details: ValidationIssue[]) => new AppError('invalid_connector', message, { details });

/**
 * A URL setting decides where the instance's secrets are sent. Whoever changes one must
 * enter every secret again: else anyone allowed to edit the instance could point it at a
 * server of theirs and receive the password or token that someone else entered.
 */
function refuseRedirectedSecrets(connector: AnyConnector, before: ConnectorInstanceRecord, after: Record<string, unknown>, sent: Record<string, unknown> | undefined): void {
  // A URL taken away sends nothing anywhere; a new or changed one needs the secrets.
  const moved = destinationFields(connector.auth.schema).filter((name) => typeof after[name] === 'string' && after[name] !== before.settings[name]);
  if (!moved.length) return;
  const notReentered = before.secretsSet.filter((name) => typeof sent?.[name] !== 'string');
  if (!notReentered.length) return;
  throw new AppError('secrets_required', `Changing ${moved.join(', ')} needs the secrets entered again: ${notReentered.join(', ')}`, {
    details: notReentered.map((name) => ({ path: `/settings/${name}`, message: `must be entered again, since ${moved.map((m) => `/settings/${m}`).join(', ')} changed` })),
  });
}

export function createConnectorService({ store, client, taskQueue, masterKey, startContract }: { store: Store; client: Client; taskQueue: string; masterKey: Uint8Array | null; startContract: ContractStarter }) {
  function key(): Uint8Array {
    if (!masterKey) throw new AppError('master_key_missing', 'Connector secrets cannot be sealed: the server has no SEALFLOW_MASTER_KEY', { status: 503 });
    return masterKey;
  }

  async function view(record: ConnectorInstanceRecord): Promise<ConnectorView> {
    return {
      id: record.key,
      connector: record.connector,
      name: record.name,
      flow: record.flow,
      mapping: record.mapping,
      trigger: record.trigger,
      enabled: record.enabled,
      orgUnit: record.orgUnit,
      publicSettings: record.settings,
      secretsSet: record.secretsSet,
      webhook: record.webhookAuth ? { url: `/hooks/${record.id}`, auth: record.webhookAuth.kind } : null,
      health: await store.connectors.health(record.id),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  async function existing(tenantId: string, id: string): Promise<ConnectorInstanceRecord> {
    const record = await store.connectors.get(tenantId, id);
    if (!record) throw notFound(`Connector instance "${id}"`);
    return record;
  }

  /** Every problem with an instance's configuration, each with its JSON path; throws one 400. */
  async function checked(tenantId: string, input: { connector: string; settings: Record<string, unknown>; trigger: { kind: 'poll' | 'webhook' }; flow: string; mapping: string; orgUnit: string | null }): Promise<{ connector: AnyConnector; plain: Record<string, unknown>; secrets: Record<string, string> }> {
    const connector = getConnector(input.connector);
    if (!connector) {
      throw invalid(`There is no connector "${input.connector}"`, [{ path: '/connector', message: `names no connector; shipped: ${listConnectors().map((c) => c.id).join(', ')}` }]);
    }
    const issues: ValidationIssue[] = [];
    if (!connector.triggers[input.trigger.kind]) issues.push({ path: '/trigger/kind', message: `${connector.id} cannot be triggered by ${input.trigger.kind === 'poll' ? 'polling' : 'webhooks'}` });
    const settings = structuredClone(input.settings);
    const shape = validateSettings(connector, settings);
    if (!shape.ok) issues.push(...shape.issues);
    else issues.push(...refusedDestinations(connector, settings));
    try {
      compileMapping(input.mapping);
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      issues.push({ path: '/mapping', message: error.message });
    }
    if (!(await store.flows.get(tenantId, input.flow))) issues.push({ path: '/flow', message: `names no flow ("${input.flow}")` });
    if (input.orgUnit !== null && isExpression(input.orgUnit)) {
      // Per record: checked when each record starts (an unknown unit fails that record).
      try {
        compileExpression(input.orgUnit.slice(1), '/orgUnit');
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        issues.push({ path: '/orgUnit', message: error.message });
      }
    } else if (input.orgUnit !== null && !(await store.orgUnits.get(tenantId, input.orgUnit))) {
      issues.push({ path: '/orgUnit', message: `names no org unit of this tenant ("${input.orgUnit}")` });
    }
    if (issues.length) throw invalid(`The connector instance has ${issues.length} problem(s)`, issues);
    const { plain, secrets } = splitSecrets(connector, settings);
    return { connector, plain, secrets };
  }

  /** Makes sure a polling instance's loop runs; wakes it when it already does (settings may have changed). */
  async function ensureLoop(record: ConnectorInstanceRecord, wake: boolean): Promise<void> {
    if (!record.enabled || record.trigger.kind !== 'poll') return;
    const workflowId = connectorSyncWorkflowId(record.id);
    try {
      await client.workflow.start(CONNECTOR_SYNC_WORKFLOW, { workflowId, taskQueue, args: [{ instanceId: record.id } satisfies ConnectorSyncInput] });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      if (wake) await client.workflow.getHandle(workflowId).signal(syncNow);
    }
  }

  const storeError = (error: unknown): never => {
    if (error instanceof StoreError) throw new AppError(error.code, error.message, { status: error.code === 'not_found' ? 404 : 409 });
    throw error;
  };

  return {
    async list(tenantId: string) {
      const instances = await store.connectors.list(tenantId);
      return { connectors: listConnectors(), instances: await Promise.all(instances.map(view)) };
    },

    async get(tenantId: string, id: string): Promise<ConnectorView> {
      return view(await existing(tenantId, id));
    },

    async create(body: ConnectorInstanceBody, actor: Principal): Promise<ConnectorView> {
      const sealWith = key();
      const orgUnit = body.orgUnit ?? null;
      const { plain, secrets } = await checked(actor.tenantId, { ...body, orgUnit });
      const record = await store.connectors
        .create(
          {
            id: body.id, tenantId: actor.tenantId, orgUnit, connector: body.connector, name: body.name ?? null, flow: body.flow, mapping: body.mapping,
            trigger: body.trigger.kind === 'poll' ? { kind: 'poll', everyMinutes: body.trigger.everyMinutes } : { kind: 'webhook' },
            settings: plain, secrets, webhookAuth: body.trigger.kind === 'webhook' ? body.trigger.auth : null,
            enabled: body.enabled ?? true, by: actor.id,
          },
          sealWith,
        )
        .catch(storeError);
      await ensureLoop(record, false);
      return view(record);
    },

    async update(id: string, body: ConnectorUpdateBody, actor: Principal): Promise<ConnectorView> {
      const sealWith = key();
      const before = await existing(actor.tenantId, id);
      const opened = await loadConnectorInstance(store, sealWith, before.id).catch((error: unknown) => {
        if (error instanceof ConnectorError) throw new AppError('secrets_unreadable', error.message, { status: 409 });
        throw error;
      });
      if (!opened) throw notFound(`Connector instance "${id}"`);
      const trigger = body.trigger ?? (before.trigger.kind === 'poll' ? before.trigger : { kind: 'webhook' as const });
      let webhookAuth: ConnectorWebhookAuth | null = null;
      if (trigger.kind === 'webhook') {
        webhookAuth = ('auth' in trigger ? trigger.auth : undefined) ?? opened.webhookAuth;
        if (!webhookAuth) throw invalid('A webhook trigger needs its authentication', [{ path: '/trigger/auth', message: 'is required: this instance has no webhook secret yet' }]);
      }
      const flow = body.flow ?? before.flow;
      const mapping = body.mapping ?? before.mapping;
      // Secret settings the caller leaves out keep their value: the caller never saw them.
      const secretsKept = Object.fromEntries(Object.entries(opened.settings).filter(([name]) => before.secretsSet.includes(name)));
      const settings = body.settings ? { ...secretsKept, ...body.settings } : { ...before.settings, ...secretsKept };
      const orgUnit = body.orgUnit === undefined ? before.orgUnit : body.orgUnit;
      const { connector, plain, secrets } = await checked(actor.tenantId, { connector: before.connector, settings, trigger, flow, mapping, orgUnit });
      refuseRedirectedSecrets(connector, before, plain, body.settings);
      const record = await store.connectors
        .update(
          {
            id, tenantId: actor.tenantId, orgUnit, connector: before.connector, name: body.name === undefined ? before.name : body.name, flow, mapping,
            trigger: trigger.kind === 'poll' ? { kind: 'poll', everyMinutes: trigger.everyMinutes } : { kind: 'webhook' },
            settings: plain, secrets, webhookAuth, enabled: body.enabled ?? before.enabled, by: actor.id,
          },
          sealWith,
        )
        .catch(storeError);
      await ensureLoop(record, true);
      return view(record);
    },

    /** The sample mapped by the instance's mapping (or the one given), checked against its flow's data schema. */
    async preview(tenantId: string, id: string, sample: unknown, mapping?: string) {
      const record = await existing(tenantId, id);
      const flow = (await store.flows.published(tenantId, record.flow)) ?? (await store.flows.get(tenantId, record.flow));
      if (!flow) throw notFound(`Flow "${record.flow}" of connector instance "${id}"`);
      const result = await previewMapping({ mapping: mapping ?? record.mapping, sample, flow: flow.definition });
      return { ...result, flow: { key: flow.key, version: flow.version, status: flow.status } };
    },

    /** The connector's own "test connection": the schema, then a live check against the system. */
    async check(tenantId: string, id: string) {
      const record = await existing(tenantId, id);
      const instance = await loadConnectorInstance(store, key(), record.id).catch((error: unknown) => {
        if (error instanceof ConnectorError) throw new AppError('secrets_unreadable', error.message, { status: 409 });
        throw error;
      });
      if (!instance) throw notFound(`Connector instance "${id}"`);
      return checkSettings(instance.connector, instance.settings);
    },

    /** Runs a sync through the instance's loop (after the one in flight) and answers with what it did. */
    async sync(tenantId: string, id: string): Promise<{ status: 200 | 202; body: ConnectorSyncSummary | { status: 'running'; instance: string } }> {
      const record = await existing(tenantId, id);
      if (!record.enabled) throw new AppError('connector_disabled', `Connector instance "${id}" is disabled`, { status: 409 });
      if (record.trigger.kind !== 'poll') throw new AppError('not_polled', `Connector instance "${id}" is triggered by webhooks, not by polling`, { status: 409 });
      key();
      await ensureLoop(record, false);
      const handle = client.workflow.getHandle(connectorSyncWorkflowId(record.id));
      const update = await handle.startUpdate(requestSync, { waitForStage: WorkflowUpdateStage.ACCEPTED });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SYNC_ANSWER_WITHIN_MS)));
      try {
        const summary = await Promise.race([update.result(), late]);
        // The caller knows the instance by its key; the global id is the webhook's business.
        return summary ? { status: 200, body: { ...summary, instance: record.key } } : { status: 202, body: { status: 'running', instance: id } };
      } finally {
        clearTimeout(timer);
      }
    },

    startContract,
  };
}

export type ConnectorService = ReturnType<typeof createConnectorService>;
