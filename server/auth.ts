// Bearer tokens: the bootstrap admin's from configuration, everyone else's from the store.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store';
import type { Actor } from '../workflows';
import { AppError } from './errors';

export const ADMIN_ACTOR: Actor = { id: 'admin', name: 'Administrator', roles: ['admin'] };

/** Who may call a route: anyone, any signed-in user, or holders of one of these roles (admins always may). */
export type Access = 'public' | 'user' | { roles: string[] };

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createAuthenticator({ store, adminToken }: { store: Store; adminToken: string | null }) {
  const adminDigest = adminToken ? digest(adminToken) : null;

  return async function authenticate(header: string | undefined): Promise<Actor> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) throw new AppError('unauthorized', 'Send an Authorization: Bearer <token> header', { status: 401 });
    const token = match[1];
    if (adminDigest && timingSafeEqual(digest(token), adminDigest)) return ADMIN_ACTOR;
    const user = await store.users.byToken(token);
    if (!user) throw new AppError('unauthorized', 'The bearer token is not valid', { status: 401 });
    return { id: user.id, name: user.name, roles: user.roles };
  };
}

export function authorize(actor: Actor, access: Access): void {
  if (access === 'public' || access === 'user') return;
  if (actor.roles.includes('admin') || access.roles.some((role) => actor.roles.includes(role))) return;
  throw new AppError('forbidden', `This needs one of the roles: ${['admin', ...access.roles].join(', ')}`, { status: 403 });
}
