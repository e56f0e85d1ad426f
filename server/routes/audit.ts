// 操作留痕: the audit trail of the caller's tenant, searchable and exportable by those who audit.
import { Type, type Static } from '@sinclair/typebox';
import { AuditCursorError, MAX_AUDIT_PAGE, type AuditEvent, type AuditFilter, type Store } from '../../store';
import type { Principal } from '../access';
import { AppError } from '../errors';
import { recordAct } from '../audit';
import { defineRoute } from '../route';
import { ContractListQuery } from '../schemas';
import { csvStream } from './ledger-export';

const AuditFilters = {
  // The same date-or-time strings the ledger takes.
  from: ContractListQuery.properties.from,
  to: ContractListQuery.properties.to,
  actor: Type.Optional(Type.String({ maxLength: 200, description: 'the actor’s user id' })),
  action: Type.Optional(Type.String({ maxLength: 200, description: 'exact (`post /api/contracts/:id/nudge`), or a prefix ending in * (`post /api/contracts*`)' })),
  target: Type.Optional(Type.String({ maxLength: 200, description: 'the id of the object acted on (a contract id, a user id)' })),
};
export const AuditQuery = Type.Object(
  { ...AuditFilters, cursor: Type.Optional(Type.String({ maxLength: 400 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AUDIT_PAGE })) },
  { additionalProperties: false },
);
export const AuditExportQuery = Type.Object(AuditFilters, { additionalProperties: false });

/** Rows an audit export holds at most. */
const MAX_AUDIT_EXPORT = 100_000;

const endOf = (to: string | undefined) => (to && /^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59.999Z` : to);

function auditFilter(query: Static<typeof AuditExportQuery>, principal: Principal): AuditFilter {
  return { tenantId: principal.tenantId, from: query.from, to: endOf(query.to), actor: query.actor, action: query.action, targetId: query.target };
}

async function* everyEvent(store: Store, filter: AuditFilter): AsyncGenerator<AuditEvent> {
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await store.audit.list({ ...filter, cursor, limit: MAX_AUDIT_PAGE });
    for (const event of page.items) {
      if (++count > MAX_AUDIT_EXPORT) return;
      yield event;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

async function* auditRows(store: Store, filter: AuditFilter): AsyncGenerator<unknown[]> {
  for await (const e of everyEvent(store, filter)) {
    yield [e.at, e.actor.id, e.actor.name, e.action, e.target?.type ?? null, e.target?.id ?? null, e.details ? JSON.stringify(e.details) : null, e.ip, e.userAgent];
  }
}

export function auditRoutes(store: Store) {
  return [
    defineRoute({
      method: 'get', path: '/api/audit', tag: 'audit', access: 'audit.read', query: AuditQuery,
      summary: 'The audit trail of the caller’s tenant, newest first: who did what to which object, when and from where',
      responses: { 200: { description: '{items, nextCursor}' }, 400: { description: 'a malformed filter or cursor' } },
      handler: async ({ query, actor }) => {
        try {
          return { body: await store.audit.list({ ...auditFilter(query, actor!), cursor: query.cursor, limit: query.limit }) };
        } catch (error) {
          if (error instanceof AuditCursorError) throw new AppError('invalid_query', error.message, { details: [{ path: '/cursor', message: 'is not a cursor this list gave out' }] });
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'get', path: '/api/audit/export.csv', tag: 'audit', access: 'audit.read', query: AuditExportQuery,
      summary: `The filtered audit trail as CSV (UTF-8 with BOM), newest first, at most ${MAX_AUDIT_EXPORT} rows`,
      responses: { 200: { description: 'the CSV file', contentType: 'text/csv' } },
      handler: async ({ query, actor, req }) => {
        await recordAct(store, { actor: actor!, req, action: 'get /api/audit/export.csv', details: { filters: query } });
        return {
          body: csvStream(['at', 'actorId', 'actorName', 'action', 'targetType', 'targetId', 'details', 'ip', 'userAgent'], auditRows(store, auditFilter(query, actor!))),
          contentType: 'text/csv; charset=utf-8',
          headers: { 'content-disposition': `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`, 'cache-control': 'no-store' },
        };
      },
    }),
  ];
}
