// Connector instances (what IT configured), their sync cursors and their health. Secret
// settings and webhook secrets are sealed with AES-256-GCM (see secrets.ts) before they
// reach a row and are opened only by `open()`, for the code that calls the source; every
// other read returns which secrets are set, never their values.
//
// Health counters are updated with one atomic UPDATE per sync or webhook delivery, so the
// worker's syncs and the server's webhooks may record at the same time without losing counts.
import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation, StoreError } from './errors';
import { openSecret, sealSecret, secretAad } from './secrets';
import type { ConnectorsTable, ConnectorStatusTable, Database } from './tables';

export type ConnectorTrigger = { kind: 'poll'; everyMinutes: number } | { kind: 'webhook' };

/** How inbound webhooks authenticate; the secret half is sealed at rest. */
export type ConnectorWebhookAuth = { kind: 'hmac-sha256'; secret: string } | { kind: 'bearer'; token: string };

/** An instance as anyone may see it: no secret values. */
export interface ConnectorInstanceRecord {
  id: string;
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
  id: string;
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
  /** Throws StoreError('conflict') when the id is taken. */
  create(input: ConnectorInstanceInput, masterKey: Uint8Array): Promise<ConnectorInstanceRecord>;
  /** Replaces the instance (secrets as given); throws StoreError('not_found'). */
  update(input: ConnectorInstanceInput, masterKey: Uint8Array): Promise<ConnectorInstanceRecord>;
  get(id: string): Promise<ConnectorInstanceRecord | null>;
  /** The instance with its secrets in clear; throws SecretError when the master key does not open them. */
  open(id: string, masterKey: Uint8Array): Promise<OpenedConnectorInstance | null>;
  /** Ordered by id. */
  list(): Promise<ConnectorInstanceRecord[]>;
  /** Null when no such instance. */
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

function toRecord(row: Omit<Selectable<ConnectorsTable>, 'tenant_id'>): ConnectorInstanceRecord {
  const webhook = row.webhook_auth ? (JSON.parse(row.webhook_auth) as { kind: ConnectorWebhookAuth['kind'] }) : null;
  return {
    id: row.id,
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

function toRow(input: ConnectorInstanceInput, masterKey: Uint8Array, now: string): Omit<Selectable<ConnectorsTable>, 'created_at' | 'tenant_id'> {
  const secrets: Record<string, string> = {};
  for (const [field, value] of Object.entries(input.secrets)) secrets[field] = sealSecret(masterKey, value, secretAad(input.id, field));
  return {
    id: input.id,
    connector: input.connector,
    name: input.name,
    flow: input.flow,
    mapping: input.mapping,
    trigger: JSON.stringify(input.trigger),
    settings: JSON.stringify(input.settings),
    secrets: JSON.stringify(secrets),
    webhook_auth: input.webhookAuth
      ? JSON.stringify({ kind: input.webhookAuth.kind, sealed: sealSecret(masterKey, JSON.stringify(input.webhookAuth), secretAad(input.id, WEBHOOK_FIELD)) })
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

  return {
    async create(input, masterKey) {
      const now = new Date().toISOString();
      const row = { ...toRow(input, masterKey, now), created_at: now };
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('connectors').values(row).execute();
          await trx
            .insertInto('connector_status')
            .values({ instance_id: input.id, cursor: null, cursor_at: null, last_sync_at: null, last_success_at: null, records_read: 0, contracts_started: 0, changes_reported: 0, skipped: 0, errors: 0, consecutive_failures: 0, last_error: null })
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
      const { id: _id, ...changes } = toRow(input, masterKey, new Date().toISOString());
      const updated = await db.updateTable('connectors').set(changes).where('id', '=', input.id).returningAll().executeTakeFirst();
      if (!updated) throw new StoreError('not_found', `Connector instance "${input.id}" does not exist`);
      return toRecord(updated);
    },

    async get(id) {
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

    async list() {
      const rows = await db.selectFrom('connectors').selectAll().execute();
      // Sorted here: PostgreSQL's collation and SQLite's byte order disagree on dashes.
      return rows.map(toRecord).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
