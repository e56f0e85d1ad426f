// Every successful call that changes something is written to the audit trail (操作留痕):
// the route (`post /api/contracts/:id/nudge`), the object it named, who, and from where.
// Request bodies are not copied: only fields known to be safe to keep, so a password, a
// token or a connector secret never lands in the trail.
import type { Request } from 'express';
import type { Store } from '../store';
import type { Principal } from './access';
import { redact } from './redact';
import type { RouteSpec } from './route';

/** Body fields worth keeping in the trail and safe to: decisions, reasons, names, roles. Anything else is left out. */
const SAFE_FIELDS = ['decision', 'comment', 'reason', 'signer', 'name', 'roles', 'orgUnit', 'parentId', 'scopes', 'expiresAt', 'flow', 'sourceKey', 'userId', 'login', 'ids', 'enabled'] as const;

/** At most this many ids of a bulk selection are kept; the count always is. */
const MAX_IDS_KEPT = 200;

export interface AuditedCall {
  route: Pick<RouteSpec, 'method' | 'path'>;
  actor: Principal | null;
  params: Record<string, string>;
  req: Request;
}

export type AuditHook = (call: AuditedCall) => Promise<void>;

/** `post /api/contracts/:id/nudge` → contract; `/api/users/:id/disable` → user: the collection the id belongs to. */
function targetOf(path: string, params: Record<string, string>): { type: string; id: string } | null {
  const segments = path.split('/');
  const at = segments.findIndex((s) => s.startsWith(':'));
  if (at <= 0) return null;
  const name = segments[at].slice(1).replace(/\..*$/, '');
  const id = params[name];
  if (!id) return null;
  return { type: segments[at - 1].replace(/ies$/, 'y').replace(/s$/, ''), id };
}

function safeDetails(body: unknown): Record<string, unknown> | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const details: Record<string, unknown> = {};
  for (const field of SAFE_FIELDS) {
    const value = (body as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (field === 'ids' && Array.isArray(value)) {
      details.count = value.length;
      details.ids = value.slice(0, MAX_IDS_KEPT);
    } else details[field] = typeof value === 'string' ? value.slice(0, 1000) : value;
  }
  // That a password was set is worth knowing; the password is not.
  if (['password', 'next'].some((field) => typeof (body as Record<string, unknown>)[field] === 'string')) details.passwordSet = true;
  return Object.keys(details).length ? details : null;
}

/** What a route records itself besides the hook's row: an export, each contract of a bulk action. */
export interface AuditedAct {
  actor: Principal;
  req: Request;
  action: string;
  target?: { type: string; id: string } | null;
  details?: Record<string, unknown> | null;
}

/** Writes one row for an act; a failed write is logged, not thrown (the act itself has happened). */
export async function recordAct(store: Store, { actor, req, action, target = null, details = null }: AuditedAct, log: (message: string) => void = console.error): Promise<void> {
  try {
    await store.audit.record({ tenantId: actor.tenantId, actor: { id: actor.id, name: actor.name }, action, target, details, ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });
  } catch (error) {
    log(redact(`[audit] recording ${action} failed: ${(error as Error)?.message ?? String(error)}`));
  }
}

/**
 * The hook server/route.ts calls after a handler succeeded. Reads (GET) and calls without a
 * signed-in caller (signer pages, webhooks: their acts are in the contract's own timeline)
 * are not recorded; reads that matter (exports) record themselves with recordAct.
 */
export function createAuditHook({ store, log = console.error }: { store: Store; log?: (message: string) => void }): AuditHook {
  return async ({ route, actor, params, req }) => {
    if (route.method === 'get' || actor === null) return;
    await recordAct(store, { actor, req, action: `${route.method} ${route.path}`, target: targetOf(route.path, params), details: safeDetails(req.body) }, log);
  };
}
