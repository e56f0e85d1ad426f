// Who is calling: the bootstrap admin's token from configuration, or an API key from the
// store. (Browser sessions join here too, see issue 11.) What the caller may then do is
// server/access.ts's to say.
import { createHash, timingSafeEqual } from 'node:crypto';
import { DEFAULT_TENANT } from '../flows';
import type { Store } from '../store';
import { hasRight, type Principal, type Right } from './access';
import { AppError } from './errors';

export const ADMIN_PRINCIPAL: Principal = { id: 'admin', name: 'Administrator', roles: ['admin'], tenantId: DEFAULT_TENANT, unit: null, via: 'admin-token', scopes: ['*'] };

/** Who may call a route: anyone, any signed-in user, or callers holding this right. */
export type Access = 'public' | 'user' | Right;

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createAuthenticator({ store, adminToken }: { store: Store; adminToken: string | null }) {
  const adminDigest = adminToken ? digest(adminToken) : null;

  return async function authenticate(header: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) throw new AppError('unauthorized', 'Send an Authorization: Bearer <token> header', { status: 401 });
    const token = match[1];
    if (adminDigest && timingSafeEqual(digest(token), adminDigest)) return ADMIN_PRINCIPAL;
    const user = await store.users.byToken(token);
    if (!user) throw new AppError('unauthorized', 'The bearer token is not valid', { status: 401 });
    const unit = user.orgUnit ? await store.orgUnits.get(user.tenantId, user.orgUnit) : null;
    return { id: user.id, name: user.name, roles: user.roles, tenantId: user.tenantId, unit: unit ? { id: unit.id, path: unit.path } : null, via: 'api-key', scopes: ['*'] };
  };
}

export function authorize(principal: Principal, access: Access): void {
  if (access === 'public' || access === 'user') return;
  if (hasRight(principal, access)) return;
  throw new AppError('forbidden', `This needs the right "${access}", which the caller's roles${principal.via === 'api-key' ? ' or API key scopes' : ''} do not grant`, { status: 403 });
}
