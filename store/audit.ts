// The audit trail (操作留痕): who did what to which object, when and from where. Rows are
// only ever added; reads are per tenant, newest first, paged by a cursor on (at, id) so
// that a page stays stable while new rows arrive.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { AuditEventsTable, Database } from './tables';

export interface AuditEvent {
  id: string;
  tenantId: string;
  at: string;
  actor: { id: string; name: string };
  /** e.g. `post /api/contracts/:id/nudge`, `session.login`. */
  action: string;
  target: { type: string; id: string } | null;
  /** Safe fields only (never a password, token or request body with secrets). */
  details: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
}

export interface NewAuditEvent {
  tenantId: string;
  actor: { id: string; name: string };
  action: string;
  target?: { type: string; id: string } | null;
  details?: Record<string, unknown> | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Default now. */
  at?: string;
}

export interface AuditFilter {
  tenantId: string;
  /** `at` range, inclusive, ISO-8601 UTC. */
  from?: string;
  to?: string;
  /** Actor id. */
  actor?: string;
  /** Exact action, or a prefix ending in `*` (`post /api/contracts*`). */
  action?: string;
  targetId?: string;
  /** From a previous page's nextCursor. */
  cursor?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

export interface AuditRepository {
  record(event: NewAuditEvent): Promise<AuditEvent>;
  /** Newest first. Throws `invalid_cursor` for a cursor this repository did not make. */
  list(filter: AuditFilter): Promise<AuditPage>;
}

export const MAX_AUDIT_PAGE = 500;

export class AuditCursorError extends Error {}

const encodeCursor = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) return value as [string, string];
  } catch {
    // falls through
  }
  throw new AuditCursorError('The cursor is not one this list gave out');
}

function toEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    at: row.at,
    actor: { id: row.actor_id, name: row.actor_name },
    action: row.action,
    target: row.target_type !== null && row.target_id !== null ? { type: row.target_type, id: row.target_id } : null,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

const likePrefix = (prefix: string) => `${prefix.replace(/[!%_]/g, (c) => `!${c}`)}%`;

export function createAuditRepository(db: Kysely<Database>): AuditRepository {
  return {
    async record(event) {
      const row: Selectable<AuditEventsTable> = {
        id: `ae_${randomBytes(12).toString('base64url')}`,
        tenant_id: event.tenantId,
        at: event.at ?? new Date().toISOString(),
        actor_id: event.actor.id,
        actor_name: event.actor.name,
        action: event.action,
        target_type: event.target?.type ?? null,
        target_id: event.target?.id ?? null,
        details: event.details ? JSON.stringify(event.details) : null,
        ip: event.ip ?? null,
        // A header anyone can fill: kept to a sane length.
        user_agent: event.userAgent ? event.userAgent.slice(0, 512) : null,
      };
      await db.insertInto('audit_events').values(row).execute();
      return toEvent(row);
    },

    async list(filter) {
      const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 50), 1), MAX_AUDIT_PAGE);
      let query = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', filter.tenantId);
      if (filter.from) query = query.where('at', '>=', filter.from);
      if (filter.to) query = query.where('at', '<=', filter.to);
      if (filter.actor) query = query.where('actor_id', '=', filter.actor);
      if (filter.targetId) query = query.where('target_id', '=', filter.targetId);
      if (filter.action) {
        const action = filter.action;
        query = action.endsWith('*') ? query.where(sql<boolean>`${sql.ref('action')} like ${likePrefix(action.slice(0, -1))} escape '!'`) : query.where('action', '=', action);
      }
      if (filter.cursor) {
        const [at, id] = decodeCursor(filter.cursor);
        query = query.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]));
      }
      const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toEvent);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.at, last.id) : null };
    },
  };
}
