// Reads over the contract projection for the console's overview pages: counts grouped in SQL
// (statistics), the full states of a scope in batches (time per stage, needs attention), and
// the contracts changed since a moment, whichever process wrote them (live events).
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { ContractState } from '../flows/contract';
import type { ContractStatus } from '../flows/status';
import { withinScope, type ContractScope } from './contracts';
import type { Database } from './tables';

export interface ProjectionFilter {
  scope: ContractScope;
  statuses?: readonly ContractStatus[];
  flowKeys?: readonly string[];
  /** createdAt range, inclusive, ISO-8601 UTC. */
  from?: string;
  to?: string;
}

/** Contracts started in a range, counted per flow, unit, month (YYYY-MM, UTC) and status. */
export interface StartedCount {
  flowKey: string;
  orgUnit: string | null;
  month: string;
  status: ContractStatus;
  count: number;
}

/** A contract whose projection changed: enough to tell who may see it and what to send. */
export interface ChangedContract {
  state: ContractState;
  updatedAt: string;
  revision: number;
}

export interface StatsRepository {
  startedCounts(filter: ProjectionFilter): Promise<StartedCount[]>;
  /** The states matching the filter, oldest first, `batchSize` at a time (never the whole table in memory). */
  states(filter: ProjectionFilter, batchSize?: number): AsyncGenerator<ContractState[]>;
  /** These tenants' contracts with updated_at after `since`, oldest change first, at most `limit` (index: tenant_id, updated_at). */
  changedSince(tenantIds: readonly string[], since: string, limit: number): Promise<ChangedContract[]>;
}

/** The ledger's scope (store/contracts.ts, one rule for every list) and this read's conditions. */
function within(filter: ProjectionFilter) {
  const scope = withinScope(filter.scope);
  return (eb: ExpressionBuilder<Database, 'contracts'>) => {
    const conditions: Expression<SqlBool>[] = [scope(eb)];
    if (filter.statuses) conditions.push(filter.statuses.length ? eb('status', 'in', [...filter.statuses]) : sql<boolean>`1 = 0`);
    if (filter.flowKeys) conditions.push(filter.flowKeys.length ? eb('flow_key', 'in', [...filter.flowKeys]) : sql<boolean>`1 = 0`);
    if (filter.from) conditions.push(eb('created_at', '>=', filter.from));
    if (filter.to) conditions.push(eb('created_at', '<=', filter.to));
    return eb.and(conditions);
  };
}

export function createStatsRepository(db: Kysely<Database>): StatsRepository {
  return {
    async startedCounts(filter) {
      const month = sql<string>`substr(${sql.ref('created_at')}, 1, 7)`;
      const rows = await db
        .selectFrom('contracts')
        .select((eb) => ['flow_key', 'org_unit', month.as('month'), 'status', eb.fn.countAll().as('n')])
        .where(within(filter))
        .groupBy(['flow_key', 'org_unit', month, 'status'])
        .execute();
      // PostgreSQL returns count(*) as a bigint string.
      return rows.map((row) => ({ flowKey: row.flow_key, orgUnit: row.org_unit, month: row.month, status: row.status as ContractStatus, count: Number(row.n) }));
    },

    async *states(filter, batchSize = 500) {
      let after: [string, string] | null = null;
      for (;;) {
        let query = db.selectFrom('contracts').select(['id', 'created_at', 'state']).where(within(filter));
        if (after) {
          const [createdAt, id] = after;
          query = query.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
        }
        const rows = await query.orderBy('created_at').orderBy('id').limit(batchSize).execute();
        if (rows.length === 0) return;
        yield rows.map((row) => JSON.parse(row.state) as ContractState);
        if (rows.length < batchSize) return;
        const last = rows[rows.length - 1];
        after = [last.created_at, last.id];
      }
    },

    async changedSince(tenantIds, since, limit) {
      if (tenantIds.length === 0) return [];
      const rows = await db.selectFrom('contracts').select(['state', 'updated_at', 'revision']).where('tenant_id', 'in', [...tenantIds]).where('updated_at', '>', since).orderBy('updated_at').orderBy('id').limit(limit).execute();
      return rows.map((row) => ({ state: JSON.parse(row.state) as ContractState, updatedAt: row.updated_at, revision: Number(row.revision) }));
    },
  };
}
