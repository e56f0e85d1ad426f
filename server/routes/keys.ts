// API keys for systems and scripts. Users manage their own; users.manage manages every key of
// the tenant. A key carries its user's rights narrowed to its scopes (hasRight intersects),
// and a scoped key cannot mint a broader one.
import { Type } from '@sinclair/typebox';
import type { ApiKey, Store, User } from '../../store';
import { hasRight, rightsOf, type Principal, type Right } from '../access';
import { AppError, notFound } from '../errors';
import { defineRoute } from '../route';

/** Every right there is: the bootstrap admin holds them all. */
const RIGHTS = [...rightsOf(['admin'])].sort();
const Scope = Type.Unsafe<string>({ type: 'string', enum: ['*', ...RIGHTS], description: "a right from server/access.ts, or '*' for all the user's rights" });

export const CreateKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: RIGHTS.length + 1, uniqueItems: true }),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'whose key (users.manage); default the caller' })),
  },
  { additionalProperties: false },
);
export const KeysQuery = Type.Object({ userId: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false });
export const ApiKeySchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  createdBy: Type.String(),
});
const IssuedKeySchema = Type.Intersect([ApiKeySchema, Type.Object({ token: Type.String({ description: 'the key; shown only now, only its hash is stored' }) })]);

const manages = (actor: Principal) => hasRight(actor, 'users.manage');

export function keyRoutes(store: Store) {
  /** The user whose key this is to be; another tenant's user or, without users.manage, anyone else's is not found. */
  const ownerFor = async (actor: Principal, userId: string | undefined): Promise<User> => {
    const id = userId ?? actor.id;
    if (id === actor.id && actor.via === 'admin-token') throw new AppError('invalid_body', 'The bootstrap admin token belongs to no user: name the user whose key it is', { details: [{ path: '/userId', message: 'is required with the admin token' }] });
    if (id !== actor.id && !manages(actor)) throw notFound(`The user "${id}"`);
    const user = await store.users.get(id);
    if (!user || user.tenantId !== actor.tenantId) throw notFound(`The user "${id}"`);
    if (user.disabled) throw new AppError('invalid_body', `${user.name} is disabled`, { details: [{ path: '/userId', message: 'is disabled' }] });
    return user;
  };
  /** A key the caller may manage: their own, or (users.manage) any of the tenant's; others are not found. */
  const manageable = async (actor: Principal, id: string): Promise<ApiKey> => {
    const key = await store.apiKeys.get(actor.tenantId, id);
    if (!key || (key.userId !== actor.id && !manages(actor))) throw notFound(`The API key "${id}"`);
    // Rotating hands out the key's secret: a narrowed key must not reach a broader one.
    if (actor.via === 'api-key' && !actor.scopes.includes('*') && !key.scopes.every((scope) => actor.scopes.includes(scope))) {
      throw new AppError('forbidden', 'The calling key is narrower than this one', { status: 403 });
    }
    if (key.userId !== actor.id && !actor.roles.includes('admin')) {
      const owner = await store.users.get(key.userId);
      if (owner?.roles.includes('admin')) throw new AppError('forbidden', "Only an admin manages an admin's keys", { status: 403 });
    }
    return key;
  };

  return [
    defineRoute({
      method: 'post', path: '/api/keys', tag: 'keys', access: 'user', body: CreateKeyBody,
      summary: 'Make an API key for yourself (or, with users.manage, for a user of your tenant); the key is shown only in this answer',
      responses: { 201: { description: 'made', schema: IssuedKeySchema }, 400: { description: 'invalid (path says where)' }, 404: { description: 'no such user in your tenant' } },
      handler: async ({ actor, body }) => {
        const owner = await ownerFor(actor!, body.userId);
        const scopes = body.scopes.includes('*') ? ['*'] : body.scopes;
        const held = rightsOf(owner.roles);
        const issues = body.scopes.flatMap((scope, at) => (scope !== '*' && !held.has(scope as Right) ? [{ path: `/scopes/${at}`, message: `is not a right of ${owner.name}'s roles` }] : []));
        // A key narrowed to some rights must not be the way to a key with more.
        if (actor!.via === 'api-key' && !actor!.scopes.includes('*')) {
          body.scopes.forEach((scope, at) => {
            if (!actor!.scopes.includes(scope)) issues.push({ path: `/scopes/${at}`, message: 'is broader than the calling key' });
          });
        }
        if (body.expiresAt !== undefined && Date.parse(body.expiresAt) <= Date.now()) issues.push({ path: '/expiresAt', message: 'is in the past' });
        if (issues.length) throw new AppError('invalid_body', `The key cannot be made: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { details: issues });
        const expiresAt = body.expiresAt === undefined ? null : new Date(body.expiresAt).toISOString();
        const { key, token } = await store.apiKeys.create({ tenantId: owner.tenantId, userId: owner.id, name: body.name, scopes, expiresAt, createdBy: actor!.id });
        return { status: 201, body: { ...key, token } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/keys', tag: 'keys', access: 'user', query: KeysQuery,
      summary: 'Your API keys (with users.manage: every key of your tenant, or one user’s with ?userId=)',
      responses: { 200: { description: 'keys, without their secrets', schema: Type.Object({ items: Type.Array(ApiKeySchema) }) } },
      handler: async ({ actor, query }) => {
        const userId = manages(actor!) ? query.userId : actor!.id;
        return { body: { items: await store.apiKeys.list({ tenantId: actor!.tenantId, userId }) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/keys/:id/revoke', tag: 'keys', access: 'user',
      summary: 'Revoke a key: it stops working at once',
      responses: { 200: { description: 'the key, revoked', schema: ApiKeySchema }, 404: { description: 'no such key of yours or your tenant' } },
      handler: async ({ actor, params }) => {
        const key = await manageable(actor!, params.id);
        return { body: await store.apiKeys.revoke(actor!.tenantId, key.id) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/keys/:id/rotate', tag: 'keys', access: 'user',
      summary: 'A new secret for a key (name, scopes, expiry kept); the old one stops working at once',
      responses: { 200: { description: 'the key and its new secret, shown only now', schema: IssuedKeySchema }, 404: { description: 'no such key of yours or your tenant' }, 409: { description: 'the key is revoked' } },
      handler: async ({ actor, params }) => {
        const key = await manageable(actor!, params.id);
        const rotated = await store.apiKeys.rotate(actor!.tenantId, key.id);
        if (!rotated) throw new AppError('revoked', 'A revoked key cannot be rotated; make a new one', { status: 409 });
        return { body: { ...rotated.key, token: rotated.token } };
      },
    }),
  ];
}
