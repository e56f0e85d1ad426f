// Connector instances (what IT configured), their sync cursors and their health. Secret
// settings and webhook secrets are sealed with AES-256-GCM (see secrets.ts) before they
// reach a row and are opened only by `open()`, for the code that calls the source; every
// other read returns which secrets are set, never their values.
//
// Health counters are updated with one atomic UPDATE per sync or webhook delivery, so the
// worker's syncs and the server's webhooks may record at the same time without losing counts.
//
// An instance belongs to a tenant, which names it by its `key` (unique within the tenant). Its
// `id` is global, since the webhook URL (/hooks/:id) and its sync workflow name it: the default
// tenant's ids are their keys, as they always were; other tenants' ids are random.
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { DEFAULT_TENANT } from '../flows/contract';
import { isUniqueViolation, StoreError } from './errors';
import { openSecret, sealSecret, secretAad } from './secrets';
import type { ConnectorsTable, ConnectorStatusTable, Database } from './tables';

export type ConnectorTrigger = { kind: 'poll'; everyMinutes: number } | { kind: 'webhook' };

/** How inbound webhooks authenticate; the secret half is sealed at rest. */
export type ConnectorWebhookAuth = { kind: 'hmac-sha256'; secret: string } | { kind: 'bearer'; token: string };

/** An instance as anyone may see it: no secret values. */
export interface ConnectorInstanceRecord {
  /** Global (webhook URL, sync workflow); equals `key` in the default tenant. */
  id: string;
  tenantId: string;
  /** The name IT gave the instance, unique within its tenant; what the API calls its id. */
  key: string;
  /** The org unit whose contracts it starts; null: the tenant's top. */
  orgUnit: string | null;
  /** Connector id, e.g. `sap_purchase_orders`. */
  connector: string;
  name: string | null;
  flow: string;
  mapping: string;
  trigger: ConnectorTrigger;
  /** Settings that are not secret. */
  settings: Record<string, unknown>;
  /** Names of the secret settings that hold a value. */
  secretsSet: string[];
  /** Kind of webhook authentication, when the instance takes webhooks. */
  webhookAuth: { kind: ConnectorWebhookAuth['kind'] } | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

/** An instance with its secrets opened: only for code that talks to the source. */
export interface OpenedConnectorInstance extends ConnectorInstanceRecord {
  secrets: Record<string, string>;
  webhookSecret: ConnectorWebhookAuth | null;
}

export interface ConnectorInstanceInput {
  /** The instance's key within its tenant (the API's id). */
  id: string;
  /** Default: the default tenant. */
  tenantId?: string;
  orgUnit?: string | null;
  connector: string;
  name: string | null;
  flow: string;
  mapping: string;
  trigger: ConnectorTrigger;
  settings: Record<string, unknown>;
  /** Secret settings in clear; sealed before they are stored. */
  secrets: Record<string, string>;
  webhookAuth: ConnectorWebhookAuth | null;
  enabled: boolean;
  by: string;
}

export interface ConnectorHealthRecord {
  instance: string;
  lastSyncAt?: string;
  lastSuccessAt?: string;
  recordsRead: number;
  contractsStarted: number;
  changesReported: number;
  skipped: number;
  errors: number;
  /** Syncs in a row that ended in a failure; 0 after a good one. */
  consecutiveFailures: number;
  lastError?: { at: string; code: string; message: string; sourceKey?: string };
  /** When the cursor last moved. */
  cursorAt?: string;
}

/** What one sync or webhook delivery did (the connector kit's tally). */
export interface ConnectorRun {
  read: number;
  started: number;
  changed: number;
  skipped: number;
  errors: Array<{ code: string; message: string; sourceKey?: string }>;
  failure?: { code: string; message: string };
}

export interface ConnectorRepository {
  /** Throws StoreError('conflict') when the tenant has an instance with this key. */
  create(input: ConnectorInstanceInput, masterKey: Uint8Array): Promise<ConnectorInstanceRecord>;
  /** Replaces the tenant's instance with this key (secrets as given); throws StoreError('not_found'). */
  update(input: ConnectorInstanceInput, masterKey: Uint8Array): Promise<ConnectorInstanceRecord>;
  /** The tenant's instance with this key. */
  get(tenantId: string, key: string): Promise<ConnectorInstanceRecord | null>;
  /** By global id, whatever its tenant: for webhooks and the sync loop, which act in the instance's tenant. */
  byId(id: string): Promise<ConnectorInstanceRecord | null>;
  /** By global id, with its secrets in clear; throws SecretError when the master key does not open them. */
  open(id: string, masterKey: Uint8Array): Promise<OpenedConnectorInstance | null>;
  /** The tenant's instances by key; every tenant's when none is given. */
  list(tenantId?: string): Promise<ConnectorInstanceRecord[]>;
  /** Null when no such instance. The calls below take the global id. */
  health(id: string): Promise<ConnectorHealthRecord | null>;
  /** Where the next sync starts (null: from the connector's beginning). */
  cursor(id: string): Promise<string | null>;
  saveCursor(id: string, cursor: string | null): Promise<void>;
  recordRun(id: string, run: ConnectorRun, at: Date): Promise<void>;
  /**
   * Remembers a webhook delivery id; false when it was already seen (a replay). Ids received
   * before `forgetBefore` (older than any timestamp the hub still accepts) are pruned first.
   */
  rememberDelivery(id: string, deliveryId: string, at: Date, forgetBefore: Date): Promise<boolean>;
  /** Forgets a delivery the hub could not handle, so the sender may deliver it again. */
  forgetDelivery(id: string, deliveryId: string): Promise<void>;
}

const WEBHOOK_FIELD = 'webhookAuth';

function toRecord(row: Selectable<ConnectorsTable>): ConnectorInstanceRecord {
  const webhook = row.webhook_auth ? (JSON.parse(row.webhook_auth) as { kind: ConnectorWebhookAuth['kind'] }) : null;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    key: row.key,
    orgUnit: row.org_unit,
    connector: row.connector,
    name: row.name,
    flow: row.flow,
    mapping: row.mapping,
    trigger: JSON.parse(row.trigger) as ConnectorTrigger,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    secretsSet: Object.keys(JSON.parse(row.secrets) as Record<string, string>).sort(),
    webhookAuth: webhook ? { kind: webhook.kind } : null,
    enabled: Number(row.enabled) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

/** The default tenant's instance ids are their keys (webhook URLs from before tenants keep working); others' are random. */
function globalId(tenantId: string, key: string): string {
  return tenantId === DEFAULT_TENANT ? key : `ci-${randomBytes(12).toString('hex')}`;
}

function toRow(id: string, input: ConnectorInstanceInput, masterKey: Uint8Array, now: string): Omit<Selectable<ConnectorsTable>, 'created_at'> {
  const secrets: Record<string, string> = {};
  // Sealed under the global id, which never changes.
  for (const [field, value] of Object.entries(input.secrets)) secrets[field] = sealSecret(masterKey, value, secretAad(id, field));
  return {
    id,
    tenant_id: input.tenantId ?? DEFAULT_TENANT,
    key: input.id,
    org_unit: input.orgUnit ?? null,
    connector: input.connector,
    name: input.name,
    flow: input.flow,
    mapping: input.mapping,
    trigger: JSON.stringify(input.trigger),
    settings: JSON.stringify(input.settings),
    secrets: JSON.stringify(secrets),
    webhook_auth: input.webhookAuth
      ? JSON.stringify({ kind: input.webhookAuth.kind, sealed: sealSecret(masterKey, JSON.stringify(input.webhookAuth), secretAad(id, WEBHOOK_FIELD)) })
      : null,
    enabled: input.enabled ? 1 : 0,
    updated_at: now,
    updated_by: input.by,
  };
}

function toHealth(row: Selectable<ConnectorStatusTable>): ConnectorHealthRecord {
  const optional = <K extends string>(key: K, value: string | null) => (value ? ({ [key]: value } as Record<K, string>) : {});
  return {
    instance: row.instance_id,
    ...optional('lastSyncAt', row.last_sync_at),
    ...optional('lastSuccessAt', row.last_success_at),
    recordsRead: Number(row.records_read),
    contractsStarted: Number(row.contracts_started),
    changesReported: Number(row.changes_reported),
    skipped: Number(row.skipped),
    errors: Number(row.errors),
    consecutiveFailures: Number(row.consecutive_failures),
    ...(row.last_error ? { lastError: JSON.parse(row.last_error) as ConnectorHealthRecord['lastError'] } : {}),
    ...optional('cursorAt', row.cursor_at),
  };
}

export function createConnectorRepository(db: Kysely<Database>): ConnectorRepository {
  async function get(id: string) {
    return (await db.selectFrom('connectors').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }
  async function byKey(tenantId: string, key: string) {
    return (await db.selectFrom('connectors').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst()) ?? null;
  }

  return {
    async create(input, masterKey) {
      const now = new Date().toISOString();
      const tenantId = input.tenantId ?? DEFAULT_TENANT;
      // The unique (tenant_id, key) index decides a race; this read gives the conflict a clear message first.
      if (await byKey(tenantId, input.id)) throw new StoreError('conflict', `Connector instance "${input.id}" already exists`);
      const row = { ...toRow(globalId(tenantId, input.id), input, masterKey, now), created_at: now };
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('connectors').values(row).execute();
          await trx
            .insertInto('connector_status')
            .values({ instance_id: row.id, cursor: null, cursor_at: null, last_sync_at: null, last_success_at: null, records_read: 0, contracts_started: 0, changes_reported: 0, skipped: 0, errors: 0, consecutive_failures: 0, last_error: null })
            .onConflict((oc) => oc.column('instance_id').doNothing())
            .execute();
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', `Connector instance "${input.id}" already exists`);
        throw error;
      }
      return toRecord(row);
    },

    async update(input, masterKey) {
      const existing = await byKey(input.tenantId ?? DEFAULT_TENANT, input.id);
      if (!existing) throw new StoreError('not_found', `Connector instance "${input.id}" does not exist`);
      const { id: _id, tenant_id: _tenant, key: _key, ...changes } = toRow(existing.id, input, masterKey, new Date().toISOString());
      const updated = await db.updateTable('connectors').set(changes).where('id', '=', existing.id).returningAll().executeTakeFirst();
      if (!updated) throw new StoreError('not_found', `Connector instance "${input.id}" does not exist`);
      return toRecord(updated);
    },

    async get(tenantId, key) {
      const row = await byKey(tenantId, key);
      return row ? toRecord(row) : null;
    },

    async byId(id) {
      const row = await get(id);
      return row ? toRecord(row) : null;
    },

    async open(id, masterKey) {
      const row = await get(id);
      if (!row) return null;
      const secrets: Record<string, string> = {};
      for (const [field, sealed] of Object.entries(JSON.parse(row.secrets) as Record<string, string>)) secrets[field] = openSecret(masterKey, sealed, secretAad(id, field));
      const webhook = row.webhook_auth ? (JSON.parse(row.webhook_auth) as { sealed: string }) : null;
      const webhookSecret = webhook ? (JSON.parse(openSecret(masterKey, webhook.sealed, secretAad(id, WEBHOOK_FIELD))) as ConnectorWebhookAuth) : null;
      return { ...toRecord(row), secrets, webhookSecret };
    },

    async list(tenantId) {
      const query = db.selectFrom('connectors').selectAll();
      const rows = await (tenantId === undefined ? query : query.where('tenant_id', '=', tenantId)).execute();
      // Sorted here: PostgreSQL's collation and SQLite's byte order disagree on dashes.
      return rows.map(toRecord).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },

    async health(id) {
      const row = await db.selectFrom('connector_status').selectAll().where('instance_id', '=', id).executeTakeFirst();
      return row ? toHealth(row) : null;
    },

    async cursor(id) {
      const row = await db.selectFrom('connector_status').select('cursor').where('instance_id', '=', id).executeTakeFirst();
      return row?.cursor ?? null;
    },

    async saveCursor(id, cursor) {
      await db.updateTable('connector_status').set({ cursor, cursor_at: new Date().toISOString() }).where('instance_id', '=', id).execute();
    },

    async rememberDelivery(id, deliveryId, at, forgetBefore) {
      await db.deleteFrom('webhook_deliveries').where('received_at', '<', forgetBefore.toISOString()).execute();
      // The primary key decides between two concurrent deliveries of one id: exactly one insert lands.
      const inserted = await db
        .insertInto('webhook_deliveries')
        .values({ instance_id: id, delivery_id: deliveryId, received_at: at.toISOString() })
        .onConflict((oc) => oc.columns(['instance_id', 'delivery_id']).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    async forgetDelivery(id, deliveryId) {
      await db.deleteFrom('webhook_deliveries').where('instance_id', '=', id).where('delivery_id', '=', deliveryId).execute();
    },

    async recordRun(id, run, at) {
      const when = at.toISOString();
      const last = run.failure ?? run.errors.at(-1);
      const lastError = last ? JSON.stringify({ at: when, code: last.code, message: last.message, ...('sourceKey' in last && last.sourceKey ? { sourceKey: last.sourceKey } : {}) }) : null;
      const errorCount = run.errors.length + (run.failure && !run.errors.some((e) => e.code === run.failure!.code && e.message === run.failure!.message) ? 1 : 0);
      // One statement: concurrent syncs and webhook deliveries add up instead of overwriting each other.
      await db
        .updateTable('connector_status')
        .set((eb) => ({
          last_sync_at: when,
          last_success_at: run.failure ? eb.ref('last_success_at') : when,
          records_read: eb('records_read', '+', run.read),
          contracts_started: eb('contracts_started', '+', run.started),
          changes_reported: eb('changes_reported', '+', run.changed),
          skipped: eb('skipped', '+', run.skipped),
          errors: eb('errors', '+', errorCount),
          consecutive_failures: run.failure ? eb('consecutive_failures', '+', 1) : 0,
          last_error: lastError ?? eb.ref('last_error'),
        }))
        .where('instance_id', '=', id)
        .execute();
    },
  };
}
