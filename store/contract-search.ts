// The ledger's (合同台账) query language over the contract projection: filters, text search
// that finds Chinese substrings of any length, sort orders and opaque keyset cursors.
// contracts.ts runs the queries; this module only builds their WHERE and ORDER BY parts.
//
// Search text is the contract's title, parties, id and source key. How it is found:
// - SQLite: the side table contract_search holds that text (lower-cased), kept up to date by
//   triggers on contracts (migration 0011), and an FTS5 trigram index over it. A query of 3+
//   characters is an FTS5 phrase (a substring match for the trigram tokenizer, answered by the
//   index); 1–2 characters cannot form a trigram, so they scan the narrow side table (instr),
//   never the wide contracts rows.
// - PostgreSQL: the same side table (kept by a trigger) with a pg_trgm GIN index over it; LIKE
//   uses it for 3+ characters (CJK needs a UTF-8 ctype, see the migration). 1–2 characters
//   look up a GIN index of each text's characters and character pairs (ledger_grams).
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { ContractStatus } from '../flows/status';
import type { DialectName } from './database';
import type { OrgUnitRepository } from './org-units';
import type { Database } from './tables';
import type { UserRepository } from './users';

export const LEDGER_SORTS = ['created', '-created', 'updated', '-updated', 'amount', '-amount'] as const;
export type LedgerSort = (typeof LEDGER_SORTS)[number];
export const DEFAULT_SORT: LedgerSort = '-created';

/** The column behind each sort name; ties are broken by id in the same direction. */
const SORT_COLUMN = { created: 'created_at', updated: 'updated_at', amount: 'amount' } as const;

/**
 * Contracts waiting on a person: a step slot naming them (`user:<id>`), or a role they hold
 * where they are its nearest holder up the tree from the contract's unit (see
 * approverSlots: the units under theirs, minus the subtrees where someone nearer holds it).
 */
export interface WaitingOnFilter {
  userId: string;
  roles: { role: string; within: string | null; except: string[] }[];
}

export interface LedgerConditions {
  status?: ContractStatus;
  flow?: string;
  /** Substring of one of the parties' names. */
  party?: string;
  amountMin?: number;
  amountMax?: number;
  /** createdAt range, inclusive, ISO-8601 UTC. */
  from?: string;
  to?: string;
  /** Started by this user. */
  initiator?: string;
  /** Only these contracts (a selection in the ledger). */
  ids?: string[];
  /** In this unit or below it (on top of the scope). */
  unitPath?: string;
  waitingOn?: WaitingOnFilter;
  /** Substring of the title, a party, the contract id or the source key, case-insensitive. */
  q?: string;
}

/** `text` as a LIKE pattern that matches it literally, with `escape` as the escape character. */
export function containsPattern(text: string, escape = '!'): string {
  const special = new RegExp(`[${escape === '\\' ? '\\\\' : escape}%_]`, 'g');
  return `%${text.replace(special, (c) => `${escape}${c}`)}%`;
}

const escapePrefix = (prefix: string) => `${prefix.replace(/[!%_]/g, (c) => `!${c}`)}%`;

/** Text whose every character is a token of contract_search_chars (its tokenizer's categories). */
const SPELLED = /^[\p{L}\p{N}\p{M}\p{P}\p{S}\p{Co}]+$/u;

/** Code points, not UTF-16 units: 𠮷 is one character. */
const length = (text: string) => [...text].length;

type Builder = ExpressionBuilder<Database, 'contracts'>;

/**
 * The contracts whose search text (or, with `parties`, whose parties' names) contain `text`:
 * a subquery on the side table, narrowed by the trigram index where the text is long enough.
 */
function searchMatch(dialect: DialectName, text: string, within: 'body' | 'parties' = 'body'): Expression<SqlBool> {
  const trigram = length(text) >= 3;
  if (dialect === 'postgres') {
    // pg_trgm's GIN index on body serves LIKE for 3+ characters (the parties are in the body
    // too), the grams index 1–2 characters. Backslash is PostgreSQL's default LIKE escape.
    const pattern = containsPattern(text, '\\');
    // 1–2 characters are one gram of contract_search_grams_idx; the LIKE then checks the rest.
    const grams = trigram ? sql`true` : sql`ledger_grams(s.body) @> array[lower(${text})]::text[]`;
    const onBody = within === 'body' || trigram ? sql`s.body like lower(${pattern}) and ${grams}` : grams;
    const onParties = within === 'parties' ? sql`s.parties like lower(${pattern})` : sql`true`;
    // OFFSET 0 fences the subquery: PostgreSQL computes the matches once (a scan, or the GIN
    // index) instead of probing contract_search once per contract it walks, which it would do
    // on a guess that matches are many (a search that finds nothing then cost 100,000 probes).
    return sql<boolean>`${sql.ref('contracts.id')} in (select s.contract_id from contract_search s where ${onBody} and ${onParties} offset 0)`;
  }
  // instr is a plain substring test: no pattern to escape, and faster than LIKE.
  const onParties = within === 'parties' ? sql`instr(s.parties, lower(${text})) > 0` : sql`true`;
  if (trigram) {
    // A phrase of the trigram tokenizer is a case-insensitive substring match; inside double
    // quotes every character is literal, so % and _ need nothing.
    const phrase = `"${text.replace(/"/g, '""')}"`;
    return sql<boolean>`${sql.ref('contracts.id')} in (select s.contract_id from contract_search s where s.seq in (select rowid from contract_search_fts where contract_search_fts match ${phrase}) and ${onParties})`;
  }
  const onBody = within === 'body' ? sql`instr(s.body, lower(${text})) > 0` : sql`true`;
  // 1–2 characters that are all token characters of contract_search_chars: a token or a phrase
  // of two there (adjacent even across a line break between fields, so instr checks the text).
  if (SPELLED.test(text)) {
    const phrase = `"${[...text].join(' ').replace(/"/g, '""')}"`;
    const candidates = sql`s.seq in (select rowid from contract_search_chars where contract_search_chars match ${phrase})`;
    return sql<boolean>`${sql.ref('contracts.id')} in (select s.contract_id from contract_search s where ${candidates} and ${onBody} and ${onParties})`;
  }
  return sql<boolean>`${sql.ref('contracts.id')} in (select s.contract_id from contract_search s where ${onBody} and ${onParties})`;
}

/** Every condition of the filter (not the scope, not the cursor), ANDed. */
export function ledgerConditions(dialect: DialectName, filter: LedgerConditions) {
  return (eb: Builder): Expression<SqlBool>[] => {
    const conditions: Expression<SqlBool>[] = [];
    if (filter.status) conditions.push(eb('contracts.status', '=', filter.status));
    if (filter.flow) conditions.push(eb('contracts.flow_key', '=', filter.flow));
    if (filter.amountMin !== undefined) conditions.push(eb('contracts.amount', '>=', filter.amountMin));
    if (filter.amountMax !== undefined) conditions.push(eb('contracts.amount', '<=', filter.amountMax));
    if (filter.from) conditions.push(eb('contracts.created_at', '>=', filter.from));
    if (filter.to) conditions.push(eb('contracts.created_at', '<=', filter.to));
    if (filter.initiator) conditions.push(eb('contracts.initiator_id', '=', filter.initiator));
    if (filter.ids) conditions.push(eb('contracts.id', 'in', filter.ids.length ? filter.ids : ['']));
    if (filter.unitPath) conditions.push(sql<boolean>`${sql.ref('contracts.unit_path')} like ${escapePrefix(filter.unitPath)} escape '!'`);
    if (filter.q) conditions.push(searchMatch(dialect, filter.q));
    if (filter.party) conditions.push(searchMatch(dialect, filter.party, 'parties'));
    if (filter.waitingOn) conditions.push(waitingOnMatch(eb, filter.waitingOn));
    return conditions;
  };
}

/**
 * What "waiting on this user" means in the user's tenant: their own slot, and each role they
 * hold in the units where they are its nearest holder (their unit and below, minus the
 * subtrees of units below theirs where someone else holds it). Null when the tenant has no
 * such user. Disabled users hold no role, as in nearestHolders.
 */
export async function approverSlots(repos: { users: UserRepository; orgUnits: OrgUnitRepository }, tenantId: string, userId: string): Promise<WaitingOnFilter | null> {
  const user = await repos.users.get(userId);
  if (!user || user.tenantId !== tenantId) return null;
  const paths = new Map((await repos.orgUnits.list(tenantId)).map((unit) => [unit.id, unit.path]));
  const own = user.orgUnit === null ? null : paths.get(user.orgUnit);
  const roles: WaitingOnFilter['roles'] = [];
  // A unit that no longer exists places the user nowhere: only their own slot is theirs.
  if (user.disabled || own === undefined) return { userId, roles };
  for (const role of user.roles) {
    if (role === 'admin') continue;
    const nearer = new Set<string>();
    for (const holder of await repos.users.withRole(role, tenantId)) {
      const path = holder.orgUnit === null ? undefined : paths.get(holder.orgUnit);
      if (holder.id !== user.id && path !== undefined && path !== own && (own === null || path.startsWith(own))) nearer.add(path);
    }
    roles.push({ role, within: own, except: [...nearer] });
  }
  return { userId, roles };
}

const slotPattern = (slot: string) => containsPattern(JSON.stringify(slot));

function waitingOnMatch(eb: Builder, { userId, roles }: WaitingOnFilter): Expression<SqlBool> {
  const waits = (slot: string) => sql<boolean>`${sql.ref('contracts.waiting_on')} like ${slotPattern(slot)} escape '!'`;
  const under = (path: string) => sql<boolean>`${sql.ref('contracts.unit_path')} like ${escapePrefix(path)} escape '!'`;
  const alternatives: Expression<SqlBool>[] = [waits(`user:${userId}`)];
  for (const { role, within, except } of roles) {
    const parts: Expression<SqlBool>[] = [waits(`role:${role}`)];
    if (within !== null) parts.push(under(within));
    // A contract of the tenant's top (no unit) lies under no unit's path: only holders at the
    // top fill it, and `within` already keeps it out for everyone else.
    for (const path of except) parts.push(eb.or([eb('contracts.unit_path', 'is', null), eb.not(under(path))]));
    alternatives.push(eb.and(parts));
  }
  return eb.or(alternatives);
}

/** Where a page ends: the sort key and id of its last row. */
export interface LedgerCursor {
  sort: LedgerSort;
  key: string | number;
  id: string;
}

export function encodeCursor(cursor: LedgerCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id])).toString('base64url');
}

/** The cursor, or null when the text is not one this module wrote for `sort`. */
export function decodeCursor(text: string, sort: LedgerSort): LedgerCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [named, key, id] = value as unknown[];
    if (named !== sort || typeof id !== 'string') return null;
    const numeric = SORT_COLUMN[sortField(sort)] === 'amount';
    if (numeric ? typeof key !== 'number' || !Number.isFinite(key) : typeof key !== 'string') return null;
    return { sort, key: key as string | number, id };
  } catch {
    return null;
  }
}

const sortField = (sort: LedgerSort) => sort.replace('-', '') as keyof typeof SORT_COLUMN;

export function sortOrder(sort: LedgerSort) {
  const column = `contracts.${SORT_COLUMN[sortField(sort)]}` as const;
  const direction = sort.startsWith('-') ? ('desc' as const) : ('asc' as const);
  return { column, direction };
}

/** The sort key of a row, as the cursor keeps it. */
export function sortKey(sort: LedgerSort, row: { created_at: string; updated_at: string; amount: number | string }): string | number {
  const field = sortField(sort);
  return field === 'amount' ? Number(row.amount) : field === 'created' ? row.created_at : row.updated_at;
}

/** Rows after the cursor in the sort order: (key, id) strictly past the cursor's. */
export function afterCursor(cursor: LedgerCursor) {
  return (eb: Builder): Expression<SqlBool> => {
    const { column, direction } = sortOrder(cursor.sort);
    const past = direction === 'desc' ? '<' : '>';
    return eb.or([eb(column, past, cursor.key), eb.and([eb(column, '=', cursor.key), eb('contracts.id', past, cursor.id)])]);
  };
}
