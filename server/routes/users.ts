import { Type } from '@sinclair/typebox';
import type { Store } from '../../store';
import { defineRoute } from '../route';
import { CreatedUserSchema, CreateUserBody, OutboxQuery, UserSchema } from '../schemas';

const ADMINS = 'users.manage' as const;

export function userRoutes(store: Store) {
  return [
    defineRoute({
      method: 'post', path: '/api/users', tag: 'users', access: ADMINS, body: CreateUserBody,
      summary: 'Create a user with roles; answers with their bearer token, shown only this once',
      responses: { 201: { description: 'created', schema: CreatedUserSchema }, 403: { description: 'not an admin' } },
      handler: async ({ body }) => {
        const { user, token } = await store.users.create({ name: body.name, roles: body.roles, orgUnit: body.orgUnit ?? null });
        return { status: 201, body: { ...user, token } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/users', tag: 'users', access: ADMINS,
      summary: 'List users',
      responses: { 200: { description: 'users', schema: Type.Object({ items: Type.Array(UserSchema) }) } },
      handler: async () => ({ body: { items: await store.users.list() } }),
    }),
    defineRoute({
      method: 'get', path: '/api/me', tag: 'users', access: 'user',
      summary: 'The calling user',
      responses: { 200: { description: 'who the token belongs to' } },
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
