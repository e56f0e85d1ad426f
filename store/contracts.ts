// The contract projection: the latest state each workflow has reported, plus the few
// columns the tracking list filters and sorts on. Temporal owns the state; this table
// only mirrors it, so writes are upserts guarded by the state's revision.
import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool } from 'kysely';
import { sql } from 'kysely';
import { contractOwner, type ContractState } from '../flows/contract';
import { applyContractChanges, type ContractChanges } from '../flows/contract-changes';
import { CONTRACT_STATUSES, type ContractStatus } from '../flows/status';
import { afterCursor, containsPattern, decodeCursor, DEFAULT_SORT, encodeCursor, ledgerConditions, sortKey, sortOrder, type LedgerConditions, type LedgerSort } from './contract-search';
import type { DialectName } from './database';
import type { ContractsTable, Database } from './tables';

export interface ContractSummary {
  id: string;
  flowKey: string;
  flowVersion: number;
  title: string | null;
  status: ContractStatus;
  amount: number;
  sourceKey: string | null;
  currentStep: number | null;
  waitingOn: string[];
  createdAt: string;
  updatedAt: string;
  /** The signers' names, in the flow's order. */
  parties: string[];
  /** The id of the unit it belongs to; null = the tenant's top. */
  orgUnit: string | null;
  /** The id of the user who started it; null when a connector did. */
  initiator: string | null;
}

/**
 * The contracts a caller may see: one tenant, and in it either everything (`unitPath` null)
 * or the contracts of a unit and below, plus those `userId` started or is named to approve.
 * server/access.ts decides which scope a user gets; the store only applies it.
 */
export interface ContractScope {
  tenantId: string;
  unitPath: string | null;
  userId?: string;
}

/** What the ledger asks for: the caller's scope, the filters (see LedgerConditions), an order and a page. */
export interface ContractFilter extends LedgerConditions {
  scope: ContractScope;
  /** Default '-created' (newest first). */
  sort?: LedgerSort;
  /** Rows after this cursor (a `nextCursor` of the same sort); takes the place of `page`. */
  cursor?: string;
  /** Rows per page, default 50, at most 200 (`pageSize` is its older name). */
  limit?: number;
  /** 1-based; for callers that page by number. */
  page?: number;
  pageSize?: number;
}

export interface ContractPage {
  items: ContractSummary[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
  total: number;
  page: number;
  pageSize: number;
}

/** Contracts per status for a filter (its own status ignored); every status is present. */
export interface ContractCounts {
  counts: Record<ContractStatus, number>;
  total: number;
}

export interface ContractRepository {
  /** True when inserted, false when a contract with this id already exists. */
  insertIfAbsent(state: ContractState): Promise<boolean>;
  /** Upsert; ignored when the stored revision is the same or newer. */
  save(state: ContractState): Promise<void>;
  /**
   * A running contract's changes since its previous persist (flows/contract-changes.ts), applied
   * only on the revision they were computed from: the stored state before and after, or why not.
   */
  applyChanges(changes: ContractChanges): Promise<ContractChangeResult>;
  get(id: string): Promise<ContractState | null>;
  /** A page in the filter's sort order (newest first by default). Throws a RangeError for a cursor it did not write. */
  list(filter: ContractFilter): Promise<ContractPage>;
  /** One GROUP BY over the same conditions as list, without the status. */
  counts(filter: Omit<ContractFilter, 'status' | 'sort' | 'cursor' | 'limit' | 'page' | 'pageSize'>): Promise<ContractCounts>;
}

/** What a contract's write may change (id, tenant and creation stay). */
const UPDATED_COLUMNS = ['flow_key', 'flow_version', 'source_key', 'status', 'title', 'amount', 'current_step', 'waiting_on', 'state', 'revision', 'updated_at', 'parties'] as const;

export type ContractChangeResult =
  | { outcome: 'applied'; previous: ContractState; state: ContractState }
  | { outcome: 'already-applied' }
  /** The stored revision (null: no row) is not the one the changes apply to. */
  | { outcome: 'out-of-order'; stored: number | null };

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/**
 * Who the contract is waiting on: the approver slots of the current step that have not
 * decided yet, including those added by an escalation. Empty unless that step is pending.
 */
export function waitingOn(state: ContractState): string[] {
  if (state.currentStep == null) return [];
  const step = state.steps.find((s) => s.index === state.currentStep);
  if (!step || step.status !== 'pending') return [];
  const decided = new Set(step.decisions.map((d) => d.approver));
  return [...new Set([...step.approvers, ...step.escalatedTo])].filter((approver) => !decided.has(approver));
}

function toRow(state: ContractState): ContractsTable {
  const owner = contractOwner(state);
  return {
    id: state.id,
    flow_key: state.flowKey,
    flow_version: state.flowVersion,
    source_key: state.sourceKey,
    status: state.status,
    title: state.title,
    amount: state.amount,
    current_step: state.currentStep,
    waiting_on: JSON.stringify(waitingOn(state)),
    state: JSON.stringify(state),
    revision: state.revision,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    tenant_id: owner.tenantId,
    org_unit: owner.unit?.id ?? null,
    unit_path: owner.unit?.path ?? null,
    initiator_id: state.startedBy.startsWith('connector:') ? null : state.startedBy,
    parties: (state.signers.length ? state.signers.map((s) => s.name) : state.parties ?? []).join('\n'),
  };
}

const SUMMARY_COLUMNS = ['id', 'flow_key', 'flow_version', 'source_key', 'status', 'title', 'amount', 'current_step', 'waiting_on', 'created_at', 'updated_at', 'parties', 'org_unit', 'initiator_id'] as const;
type SummaryRow = Pick<Selectable<ContractsTable>, (typeof SUMMARY_COLUMNS)[number]>;

function toSummary(row: SummaryRow): ContractSummary {
  return {
    id: row.id,
    flowKey: row.flow_key,
    flowVersion: row.flow_version,
    title: row.title,
    status: row.status as ContractStatus,
    amount: Number(row.amount),
    sourceKey: row.source_key,
    currentStep: row.current_step,
    waitingOn: JSON.parse(row.waiting_on) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    parties: row.parties === '' ? [] : row.parties.split('\n'),
    orgUnit: row.org_unit,
    initiator: row.initiator_id,
  };
}

/** The caller's scope: the one rule that keeps every list and count within what they may see. */
export function withinScope(scope: ContractScope) {
  return (eb: ExpressionBuilder<Database, 'contracts'>): Expression<SqlBool> => {
    const conditions = [eb('contracts.tenant_id', '=', scope.tenantId)];
    if (scope.unitPath !== null) {
      const mine: Expression<SqlBool>[] = [sql<boolean>`${sql.ref('contracts.unit_path')} like ${`${scope.unitPath.replace(/[!%_]/g, (c) => `!${c}`)}%`} escape '!'`];
      if (scope.userId) {
        mine.push(eb('contracts.initiator_id', '=', scope.userId));
        mine.push(sql<boolean>`${sql.ref('contracts.waiting_on')} like ${containsPattern(`"user:${scope.userId}"`)} escape '!'`);
      }
      conditions.push(eb.or(mine));
    }
    return eb.and(conditions);
  };
}

/**
 * Where SQLite reads, when its planner would read badly. It guesses a row's width from the
 * declared columns and cannot know that a contract row carries ~2 kB of state: left alone, it
 * counts by reading the whole table, and answers a 1–2 character search by fetching and
 * sorting every matching row. contracts_ledger_idx (migration 0011) holds every column the
 * filters test, in creation order: a count over it reads a fraction of the bytes (100,000
 * contracts: ~15 ms instead of ~300 ms), and a page walks it newest first, testing the search
 * matches as it goes and fetching only the rows it returns. A 3+ character search is left to
 * the planner: FTS5 gives few enough matches to start from.
 */
function source(dialect: DialectName, filter: Pick<ContractFilter, 'q' | 'party'>, sort: LedgerSort | 'count') {
  const trigram = [filter.q, filter.party].some((text) => text !== undefined && [...text].length >= 3);
  const short = [filter.q, filter.party].some((text) => text !== undefined && [...text].length < 3);
  const hint = dialect === 'sqlite' && !trigram && (sort === 'count' || (short && sort.endsWith('created')));
  return (hint ? sql`contracts indexed by contracts_ledger_idx` : 'contracts') as 'contracts';
}

function matches(dialect: DialectName, filter: Omit<ContractFilter, 'sort' | 'cursor' | 'limit' | 'page' | 'pageSize'>) {
  const conditions = ledgerConditions(dialect, filter);
  const scope = withinScope(filter.scope);
  return (eb: ExpressionBuilder<Database, 'contracts'>) => eb.and([scope(eb), ...conditions(eb)]);
}

export function createContractRepository(db: Kysely<Database>, dialect: DialectName): ContractRepository {
  return {
    async insertIfAbsent(state) {
      const inserted = await db
        .insertInto('contracts')
        .values(toRow(state))
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async save(state) {
      // One statement, so the revision check and the write cannot be split by another
      // writer: an activity retried late with an older state leaves the newer row alone.
      await db
        .insertInto('contracts')
        .values(toRow(state))
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => ({
              flow_key: eb.ref('excluded.flow_key'),
              flow_version: eb.ref('excluded.flow_version'),
              source_key: eb.ref('excluded.source_key'),
              status: eb.ref('excluded.status'),
              title: eb.ref('excluded.title'),
              amount: eb.ref('excluded.amount'),
              current_step: eb.ref('excluded.current_step'),
              waiting_on: eb.ref('excluded.waiting_on'),
              state: eb.ref('excluded.state'),
              revision: eb.ref('excluded.revision'),
              updated_at: eb.ref('excluded.updated_at'),
              parties: eb.ref('excluded.parties'),
            }))
            .where((eb) => eb('contracts.revision', '<', eb.ref('excluded.revision'))),
        )
        .execute();
    },

    async applyChanges(changes) {
      const row = await db.selectFrom('contracts').select('state').where('id', '=', changes.id).executeTakeFirst();
      if (!row) return { outcome: 'out-of-order', stored: null };
      const previous = JSON.parse(row.state) as ContractState;
      const applied = applyContractChanges(previous, changes);
      if (applied.outcome !== 'applied') return applied;
      // Only the columns that changed: SQLite fires the search index's triggers for every column named in
      // the SET (title, parties, source_key), changed or not, and re-indexing on every step cost more than the write.
      const before = toRow(previous);
      const after = toRow(applied.state);
      const changed = Object.fromEntries(UPDATED_COLUMNS.filter((column) => column === 'state' || column === 'revision' || before[column] !== after[column]).map((column) => [column, after[column]]));
      // Optimistic: written only if no one wrote since the read (the workflow persists one change at a time, so no one should).
      const written = await db
        .updateTable('contracts')
        .set(changed)
        .where('id', '=', changes.id)
        .where('revision', '=', changes.base)
        .executeTakeFirst();
      if (Number(written.numUpdatedRows) === 1) return { outcome: 'applied', previous, state: applied.state };
      const now = await db.selectFrom('contracts').select('revision').where('id', '=', changes.id).executeTakeFirst();
      return now && now.revision >= changes.revision ? { outcome: 'already-applied' } : { outcome: 'out-of-order', stored: now?.revision ?? null };
    },

    async get(id) {
      const row = await db.selectFrom('contracts').select('state').where('id', '=', id).executeTakeFirst();
      return row ? (JSON.parse(row.state) as ContractState) : null;
    },

    async list(filter) {
      const pageSize = Math.min(Math.max(Math.trunc(filter.limit ?? filter.pageSize ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
      const sort = filter.sort ?? DEFAULT_SORT;
      const cursor = filter.cursor === undefined ? null : decodeCursor(filter.cursor, sort);
      // The API checks cursors first (400); reaching here with a bad one is a caller's bug.
      if (filter.cursor !== undefined && !cursor) throw new RangeError(`The cursor is not one this list gave out for sort "${sort}"`);
      const page = cursor ? 1 : Math.max(Math.trunc(filter.page ?? 1), 1);
      const where = matches(dialect, filter);
      const { column, direction } = sortOrder(sort);
      // The page's ids first, from columns the ledger indexes carry (PostgreSQL answers from the
      // index alone, SQLite seeks no row it does not return), then those rows' summaries.
      let keys = db
        .selectFrom(source(dialect, filter, sort))
        .select(['contracts.id'])
        .where(where)
        .orderBy(column, direction)
        .orderBy('contracts.id', direction)
        // One row more than asked tells whether another page follows.
        .limit(pageSize + 1);
      keys = cursor ? keys.where(afterCursor(cursor)) : keys.offset((page - 1) * pageSize);
      // The page and the total at once: PostgreSQL answers them on two connections of the pool
      // (a short search matching thousands pays its match twice, not one after the other).
      const [keyRows, count] = await Promise.all([
        keys.execute(),
        db
          .selectFrom(source(dialect, filter, 'count'))
          .select((eb) => eb.fn.countAll().as('total'))
          .where(where)
          .executeTakeFirstOrThrow(),
      ]);
      const ids = keyRows.map((key) => key.id);
      const rows = ids.length ? await db.selectFrom('contracts').select([...SUMMARY_COLUMNS]).where('contracts.id', 'in', ids).execute() : [];
      const byId = new Map(rows.map((row) => [row.id, row]));
      const found = ids.map((id) => byId.get(id)).filter((row) => row !== undefined);
      const items = found.slice(0, pageSize);
      const last = items.at(-1);
      const nextCursor = found.length > pageSize && last ? encodeCursor({ sort, key: sortKey(sort, last), id: last.id }) : null;
      // PostgreSQL returns count(*) as a bigint string.
      return { items: items.map(toSummary), nextCursor, total: Number(count.total), page, pageSize };
    },

    async counts(filter) {
      const rows = await db
        .selectFrom(source(dialect, filter, 'count'))
        .select((eb) => ['contracts.status', eb.fn.countAll().as('n')])
        .where(matches(dialect, { ...filter, status: undefined }))
        .groupBy('contracts.status')
        .execute();
      const counts = Object.fromEntries(CONTRACT_STATUSES.map((status) => [status, 0])) as Record<ContractStatus, number>;
      let total = 0;
      for (const row of rows) {
        const n = Number(row.n);
        total += n;
        if (row.status in counts) counts[row.status as ContractStatus] = n;
      }
      return { counts, total };
    },
  };
}
