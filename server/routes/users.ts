// User administration within the caller's tenant (users.manage): create, change roles, unit
// and name, set a login and password, disable and enable. Another tenant's user is a 404.
import { Type } from '@sinclair/typebox';
import { StoreError, type Store, type User } from '../../store';
import type { Principal } from '../access';
import { AppError, notFound } from '../errors';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../password';
import { defineRoute } from '../route';
import { CreatedUserSchema, OutboxQuery } from '../schemas';

const ADMINS = 'users.manage' as const;

/** System roles (server/access.ts) and business roles (`dept-manager`) share one shape. */
const Role = Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$', description: 'a system role (tenant-admin, legal…) or a business approver role such as dept-manager' });
export const Login = Type.String({ minLength: 1, maxLength: 200, pattern: '^\\S(.*\\S)?$', description: 'global and unique, compared without case' });
export const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
const OrgUnit = Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'a unit of the tenant; null = the tenant’s top' });

export const CreateUserBody = Type.Object(
  { name: Name, roles: Type.Array(Role, { maxItems: 50 }), orgUnit: Type.Optional(OrgUnit), login: Type.Optional(Login), password: Type.Optional(Password) },
  { additionalProperties: false },
);
export const UpdateUserBody = Type.Object(
  { name: Type.Optional(Name), roles: Type.Optional(Type.Array(Role, { maxItems: 50 })), orgUnit: Type.Optional(OrgUnit), login: Type.Optional(Type.Union([Login, Type.Null()])), password: Type.Optional(Password) },
  { additionalProperties: false, minProperties: 1 },
);
export const UserSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  login: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  orgUnit: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
});

const holdsAdmin = (roles: readonly string[]) => roles.includes('admin');

/**
 * The rules of granting: only `admin` grants `admin` or changes a user who holds it (a
 * tenant-admin of the default tenant must not take over the hub).
 */
function mayTouch(actor: Principal, target: { roles: readonly string[] } | null, roles: readonly string[] | undefined) {
  if (holdsAdmin(actor.roles)) return;
  if ((roles && holdsAdmin(roles)) || (target && holdsAdmin(target.roles))) {
    throw new AppError('forbidden', 'Only an admin grants the admin role or changes an admin', { status: 403, details: roles && holdsAdmin(roles) ? [{ path: `/roles/${roles.indexOf('admin')}`, message: 'only an admin grants admin' }] : [] });
  }
}

export function userRoutes(store: Store) {
  const unitOfTenant = async (tenantId: string, orgUnit: string | null | undefined) => {
    if (orgUnit === undefined || orgUnit === null) return;
    if (!(await store.orgUnits.get(tenantId, orgUnit))) throw new AppError('invalid_body', `There is no unit "${orgUnit}" in this tenant`, { details: [{ path: '/orgUnit', message: 'is not a unit of the tenant' }] });
  };
  const loginTaken = (error: unknown): never => {
    if (error instanceof StoreError && error.code === 'conflict') throw new AppError('conflict', error.message, { status: 409, details: [{ path: '/login', message: 'is taken' }] });
    throw error;
  };
  const userInTenant = async (actor: Principal, id: string): Promise<User> => {
    const user = await store.users.get(id);
    if (!user || user.tenantId !== actor.tenantId) throw notFound(`The user "${id}"`);
    return user;
  };
  const notYourself = (actor: Principal, user: User) => {
    if (actor.id === user.id) throw new AppError('invalid_request', 'You cannot disable yourself; ask another administrator', { status: 400 });
  };

  return [
    defineRoute({
      method: 'post', path: '/api/users', tag: 'users', access: ADMINS, body: CreateUserBody,
      summary: 'Create a user of your tenant, with roles and optionally a login and password; answers with their personal API key, shown only this once',
      responses: { 201: { description: 'created', schema: CreatedUserSchema }, 400: { description: 'invalid (path says where)' }, 403: { description: 'not a user administrator, or granting admin' }, 409: { description: 'the login is taken' } },
      handler: async ({ body, actor }) => {
        mayTouch(actor!, null, body.roles);
        await unitOfTenant(actor!.tenantId, body.orgUnit);
        if (body.password !== undefined && body.login === undefined) throw new AppError('invalid_body', 'A password needs a login to sign in with', { details: [{ path: '/password', message: 'needs a login' }] });
        const passwordHash = body.password === undefined ? null : await hashPassword(body.password);
        const { user, token } = await store.users
          .create({ tenantId: actor!.tenantId, name: body.name, roles: body.roles, orgUnit: body.orgUnit ?? null, login: body.login ?? null, passwordHash }, actor!.id)
          .catch(loginTaken);
        return { status: 201, body: { ...user, token } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/users', tag: 'users', access: ADMINS,
      summary: 'The users of your tenant',
      responses: { 200: { description: 'users', schema: Type.Object({ items: Type.Array(UserSchema) }) } },
      handler: async ({ actor }) => ({ body: { items: await store.users.list(actor!.tenantId) } }),
    }),
    defineRoute({
      method: 'get', path: '/api/users/:id', tag: 'users', access: ADMINS,
      summary: 'One user of your tenant',
      responses: { 200: { description: 'the user', schema: UserSchema }, 404: { description: 'no such user in your tenant' } },
      handler: async ({ actor, params }) => ({ body: await userInTenant(actor!, params.id) }),
    }),
    defineRoute({
      method: 'put', path: '/api/users/:id', tag: 'users', access: ADMINS, body: UpdateUserBody,
      summary: 'Change a user’s name, roles, unit, login or password (a new password ends their sessions)',
      responses: { 200: { description: 'the user as changed', schema: UserSchema }, 400: { description: 'invalid (path says where)' }, 404: { description: 'no such user in your tenant' }, 409: { description: 'the login is taken' } },
      handler: async ({ actor, params, body }) => {
        const user = await userInTenant(actor!, params.id);
        mayTouch(actor!, user, body.roles);
        await unitOfTenant(actor!.tenantId, body.orgUnit);
        if (body.password !== undefined && !(body.login !== undefined ? body.login : user.login)) throw new AppError('invalid_body', 'A password needs a login to sign in with', { details: [{ path: '/password', message: 'needs a login' }] });
        const changed = await store.users.update(user.id, { name: body.name, roles: body.roles, orgUnit: body.orgUnit, login: body.login }).catch(loginTaken);
        if (body.password !== undefined) {
          await store.users.setPasswordHash(user.id, await hashPassword(body.password));
          await store.sessions.deleteForUser(user.id);
        }
        return { body: changed };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/users/:id/disable', tag: 'users', access: ADMINS,
      summary: 'Disable a user: their sessions end and their API keys stop working',
      responses: { 200: { description: 'the user, disabled', schema: UserSchema }, 404: { description: 'no such user in your tenant' } },
      handler: async ({ actor, params }) => {
        const user = await userInTenant(actor!, params.id);
        mayTouch(actor!, user, undefined);
        notYourself(actor!, user);
        return { body: await store.users.setDisabled(user.id, true) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/users/:id/enable', tag: 'users', access: ADMINS,
      summary: 'Enable a disabled user again (they sign in anew; their keys work again)',
      responses: { 200: { description: 'the user, enabled', schema: UserSchema }, 404: { description: 'no such user in your tenant' } },
      handler: async ({ actor, params }) => {
        const user = await userInTenant(actor!, params.id);
        mayTouch(actor!, user, undefined);
        return { body: await store.users.setDisabled(user.id, false) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/me', tag: 'users', access: 'user',
      summary: 'The calling user',
      responses: { 200: { description: 'who the token or session belongs to' } },
      handler: async ({ actor }) => ({ body: actor }),
    }),
    defineRoute({
      method: 'get', path: '/api/outbox', tag: 'notifications', access: 'hub.manage', query: OutboxQuery,
      summary: 'The dev outbox: every notification the hub sent, newest first',
      responses: { 200: { description: 'messages' } },
      handler: async ({ query }) => ({ body: { items: await store.outbox.list(query) } }),
    }),
  ];
}
