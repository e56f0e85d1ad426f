// 印章管理: signing with a company seal needs the bearer token of a user allowed to use it.
import type { SignerState } from '../../flows';
import type { Seal, Store, User } from '../../store';
import { AppError } from '../errors';

/** The user behind the request's bearer token: who applies a company seal. */
export async function sealHolder(store: Store, authorization: string | undefined, seal: string): Promise<User> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new AppError('seal_login_required', `Signing with the seal "${seal}" needs you signed in: send Authorization: Bearer <your user token>`, { status: 401 });
  const found = await store.apiKeys.authenticate(match[1]);
  if (!found) throw new AppError('seal_login_required', 'The bearer token is not valid; sign in again to use the seal', { status: 401 });
  // Applying a seal is the keeper's own act: a key narrowed to some rights (a system's) does not carry it.
  if (!found.key.scopes.includes('*')) throw new AppError('seal_not_allowed', `The key "${found.key.name}" is limited to ${found.key.scopes.join(', ')}; a seal needs the keeper's unrestricted key`, { status: 403 });
  return found.user;
}

/** The seal exists, is this company's, and this user is on its list. */
export function mustMayUseSeal(seal: Seal | null, name: string, user: User, signer: SignerState) {
  if (!seal) throw new AppError('seal_not_allowed', `The seal "${name}" is not set up on this hub; ask an administrator`, { status: 403 });
  if (!seal.users.includes(user.id)) throw new AppError('seal_not_allowed', `${user.name} may not sign with the seal "${name}"`, { status: 403 });
  if (seal.company !== signer.name.trim()) throw new AppError('seal_not_allowed', `The seal "${name}" belongs to ${seal.company}, not to ${signer.name}`, { status: 403 });
}
