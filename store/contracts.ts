// The contract projection: the latest state each workflow has reported, plus the few
// columns the tracking list filters and sorts on. Temporal owns the state; this table
// only mirrors it, so writes are upserts guarded by the state's revision.
import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool } from 'kysely';
import { sql } from 'kysely';
import { contractOwner, type ContractState } from '../flows/contract';
import type { ContractStatus } from '../flows/status';
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

export interface ContractFilter {
  scope: ContractScope;
  status?: ContractStatus;
  flow?: string;
  /** Case-insensitive substring of title, id or source key. */
  q?: string;
  /** createdAt range, inclusive, ISO-8601 UTC. */
  from?: string;
  to?: string;
  /** 1-based. */
  page?: number;
  /** Default 50, at most 200. */
  pageSize?: number;
}

export interface ContractPage {
  items: ContractSummary[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ContractRepository {
  /** True when inserted, false when a contract with this id already exists. */
  insertIfAbsent(state: ContractState): Promise<boolean>;
  /** Upsert; ignored when the stored revision is the same or newer. */
  save(state: ContractState): Promise<void>;
  get(id: string): Promise<ContractState | null>;
  /** Newest first. */
  list(filter: ContractFilter): Promise<ContractPage>;
}

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
    parties: state.signers.map((s) => s.name).join('\n'),
  };
}

type SummaryRow = Pick<Selectable<ContractsTable>, 'id' | 'flow_key' | 'flow_version' | 'source_key' | 'status' | 'title' | 'amount' | 'current_step' | 'waiting_on' | 'created_at' | 'updated_at'>;

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
  };
}

/** `q` as a LIKE pattern that matches it literally ('!' is the escape character). */
function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

function matches(filter: ContractFilter) {
  return (eb: ExpressionBuilder<Database, 'contracts'>) => {
    const { scope } = filter;
    const conditions = [eb('tenant_id', '=', scope.tenantId)];
    if (scope.unitPath !== null) {
      const mine: Expression<SqlBool>[] = [sql<boolean>`${sql.ref('unit_path')} like ${`${scope.unitPath.replace(/[!%_]/g, (c) => `!${c}`)}%`} escape '!'`];
      if (scope.userId) {
        mine.push(eb('initiator_id', '=', scope.userId));
        mine.push(sql<boolean>`${sql.ref('waiting_on')} like ${containsPattern(`"user:${scope.userId}"`)} escape '!'`);
      }
      conditions.push(eb.or(mine));
    }
    if (filter.status) conditions.push(eb('status', '=', filter.status));
    if (filter.flow) conditions.push(eb('flow_key', '=', filter.flow));
    if (filter.from) conditions.push(eb('created_at', '>=', filter.from));
    if (filter.to) conditions.push(eb('created_at', '<=', filter.to));
    if (filter.q) {
      const pattern = containsPattern(filter.q);
      // lower() on both sides works in both dialects (ILIKE is PostgreSQL only); note that
      // SQLite's lower() folds ASCII letters only.
      const like = (column: 'title' | 'id' | 'source_key') => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '!'`;
      conditions.push(eb.or([like('title'), like('id'), like('source_key')]));
    }
    return eb.and(conditions);
  };
}

export function createContractRepository(db: Kysely<Database>): ContractRepository {
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

    async get(id) {
      const row = await db.selectFrom('contracts').select('state').where('id', '=', id).executeTakeFirst();
      return row ? (JSON.parse(row.state) as ContractState) : null;
    },

    async list(filter) {
      const pageSize = Math.min(Math.max(Math.trunc(filter.pageSize ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
      const page = Math.max(Math.trunc(filter.page ?? 1), 1);
      const where = matches(filter);
      const [items, count] = await Promise.all([
        db
          .selectFrom('contracts')
          .select(['id', 'flow_key', 'flow_version', 'source_key', 'status', 'title', 'amount', 'current_step', 'waiting_on', 'created_at', 'updated_at'])
          .where(where)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(pageSize)
          .offset((page - 1) * pageSize)
          .execute(),
        db
          .selectFrom('contracts')
          .select((eb) => eb.fn.countAll().as('total'))
          .where(where)
          .executeTakeFirstOrThrow(),
      ]);
      // PostgreSQL returns count(*) as a bigint string.
      return { items: items.map(toSummary), total: Number(count.total), page, pageSize };
    },
  };
}
