// Flow definitions, versioned: a flow has one head row (flows) and a row per version
// (flow_versions). Only the latest version can be a draft; publishing freezes it, and
// the next save opens a new draft version on top. Flows belong to a tenant: every call names
// it, and a key is unique only within its tenant.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { FlowDefinition } from '../flows/schema';
import { StoreError, isUniqueViolation } from './errors';
import type { Database, FlowVersionsTable } from './tables';

export interface FlowVersion {
  key: string;
  version: number;
  status: 'draft' | 'published';
  name: string;
  definition: FlowDefinition;
  createdAt: string;
  createdBy: string;
  publishedAt: string | null;
  publishedBy: string | null;
}

export interface FlowSummary {
  key: string;
  name: string;
  latestVersion: number;
  publishedVersion: number | null;
  updatedAt: string;
}

export interface FlowRepository {
  /** Version 1 as a draft. StoreError('conflict') if the tenant has a flow with this key. */
  create(tenantId: string, definition: FlowDefinition, by: string): Promise<FlowVersion>;
  /** Replaces the latest draft, or opens version latest+1 if the latest is published. */
  saveDraft(tenantId: string, key: string, definition: FlowDefinition, by: string): Promise<FlowVersion>;
  /** Publishes the latest version; conflict if it is already published. */
  publish(tenantId: string, key: string, by: string): Promise<FlowVersion>;
  /** That version, or the latest. */
  get(tenantId: string, key: string, version?: number): Promise<FlowVersion | null>;
  /** The highest published version. */
  published(tenantId: string, key: string): Promise<FlowVersion | null>;
  /** All versions, ascending. */
  versions(tenantId: string, key: string): Promise<FlowVersion[]>;
  /** The tenant's flows, by key. */
  list(tenantId: string): Promise<FlowSummary[]>;
}

type VersionRow = Selectable<FlowVersionsTable>;

function toFlowVersion(row: VersionRow): FlowVersion {
  return {
    key: row.flow_key,
    version: row.version,
    status: row.status,
    name: row.name,
    definition: JSON.parse(row.definition) as FlowDefinition,
    createdAt: row.created_at,
    createdBy: row.created_by,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
  };
}

/**
 * Locks the flow's head row for the rest of the transaction and returns its latest
 * version. Writing first (rather than reading) is what serialises concurrent saves and
 * publishes of one flow: PostgreSQL holds the row lock until commit, and SQLite takes
 * its write lock at the first write, where busy_timeout applies, instead of failing
 * later when a reader tries to upgrade.
 */
async function lockHead(trx: Transaction<Database>, tenantId: string, key: string, changes: { name?: string; updated_at: string }): Promise<number> {
  const head = await trx.updateTable('flows').set(changes).where('tenant_id', '=', tenantId).where('key', '=', key).returning('latest_version').executeTakeFirst();
  if (!head) throw new StoreError('not_found', `flow "${key}" does not exist`);
  return head.latest_version;
}

export function createFlowRepository(db: Kysely<Database>): FlowRepository {
  const versionQuery = (tenantId: string, key: string) => db.selectFrom('flow_versions').selectAll().where('tenant_id', '=', tenantId).where('flow_key', '=', key);

  return {
    async create(tenantId, definition, by) {
      const now = new Date().toISOString();
      const row: VersionRow = {
        tenant_id: tenantId,
        flow_key: definition.key,
        version: 1,
        status: 'draft',
        name: definition.name,
        definition: JSON.stringify(definition),
        created_at: now,
        created_by: by,
        published_at: null,
        published_by: null,
      };
      try {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('flows')
            .values({ tenant_id: tenantId, key: definition.key, name: definition.name, latest_version: 1, published_version: null, created_at: now, updated_at: now })
            .execute();
          await trx.insertInto('flow_versions').values(row).execute();
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', `flow "${definition.key}" already exists`);
        throw error;
      }
      return toFlowVersion(row);
    },

    async saveDraft(tenantId, key, definition, by) {
      if (definition.key !== key) {
        throw new StoreError('conflict', `definition key "${definition.key}" does not match flow "${key}"; a flow's key cannot change`);
      }
      const now = new Date().toISOString();
      return db.transaction().execute(async (trx) => {
        const latestVersion = await lockHead(trx, tenantId, key, { name: definition.name, updated_at: now });
        const latest = await trx
          .selectFrom('flow_versions')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('flow_key', '=', key)
          .where('version', '=', latestVersion)
          .executeTakeFirstOrThrow();
        if (latest.status === 'draft') {
          const updated = await trx
            .updateTable('flow_versions')
            .set({ name: definition.name, definition: JSON.stringify(definition) })
            .where('tenant_id', '=', tenantId)
            .where('flow_key', '=', key)
            .where('version', '=', latestVersion)
            .returningAll()
            .executeTakeFirstOrThrow();
          return toFlowVersion(updated);
        }
        const row: VersionRow = {
          tenant_id: tenantId,
          flow_key: key,
          version: latestVersion + 1,
          status: 'draft',
          name: definition.name,
          definition: JSON.stringify(definition),
          created_at: now,
          created_by: by,
          published_at: null,
          published_by: null,
        };
        await trx.insertInto('flow_versions').values(row).execute();
        await trx.updateTable('flows').set({ latest_version: row.version }).where('tenant_id', '=', tenantId).where('key', '=', key).execute();
        return toFlowVersion(row);
      });
    },

    async publish(tenantId, key, by) {
      const now = new Date().toISOString();
      return db.transaction().execute(async (trx) => {
        const latestVersion = await lockHead(trx, tenantId, key, { updated_at: now });
        const published = await trx
          .updateTable('flow_versions')
          .set({ status: 'published', published_at: now, published_by: by })
          .where('tenant_id', '=', tenantId)
          .where('flow_key', '=', key)
          .where('version', '=', latestVersion)
          .where('status', '=', 'draft')
          .returningAll()
          .executeTakeFirst();
        if (!published) throw new StoreError('conflict', `flow "${key}" has no draft to publish (version ${latestVersion} is already published)`);
        await trx.updateTable('flows').set({ published_version: latestVersion }).where('tenant_id', '=', tenantId).where('key', '=', key).execute();
        return toFlowVersion(published);
      });
    },

    async get(tenantId, key, version) {
      const query = version === undefined ? versionQuery(tenantId, key).orderBy('version', 'desc').limit(1) : versionQuery(tenantId, key).where('version', '=', version);
      const row = await query.executeTakeFirst();
      return row ? toFlowVersion(row) : null;
    },

    async published(tenantId, key) {
      const row = await versionQuery(tenantId, key).where('status', '=', 'published').orderBy('version', 'desc').limit(1).executeTakeFirst();
      return row ? toFlowVersion(row) : null;
    },

    async versions(tenantId, key) {
      const rows = await versionQuery(tenantId, key).orderBy('version', 'asc').execute();
      return rows.map(toFlowVersion);
    },

    async list(tenantId) {
      const rows = await db.selectFrom('flows').selectAll().where('tenant_id', '=', tenantId).execute();
      // Sorted here, not in SQL: PostgreSQL's locale collation ignores dashes ('a-c' after
      // 'ab') while SQLite compares bytes, and both dialects must list in the same order.
      rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return rows.map((row) => ({
        key: row.key,
        name: row.name,
        latestVersion: row.latest_version,
        publishedVersion: row.published_version,
        updatedAt: row.updated_at,
      }));
    },
  };
}
