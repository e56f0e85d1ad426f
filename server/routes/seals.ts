// Seal management (印章管理): admins say which users may sign with which company seal.
// The signing route checks the list whenever a signer's flow names a seal. Seals are the
// caller's tenant's, and so must be the users who may sign with them.
import { Type } from '@sinclair/typebox';
import type { Store } from '../../store';
import { AppError, notFound } from '../errors';
import { defineRoute } from '../route';

const ADMINS = 'seals.manage' as const;

/** As flows name seals: letters (any script), digits, dashes, dots and underscores. */
const SEAL_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,99}$/u;

export const SealBody = Type.Object(
  {
    company: Type.String({ minLength: 1, maxLength: 200, description: 'the company the seal belongs to, as its company signers are named' }),
    users: Type.Array(Type.String({ minLength: 1 }), { maxItems: 1000, description: 'ids of the users allowed to sign with this seal' }),
  },
  { additionalProperties: false },
);

export const SealSchema = Type.Object({
  name: Type.String(),
  company: Type.String(),
  users: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  updatedBy: Type.String(),
});

function sealName(raw: string): string {
  if (!SEAL_NAME.test(raw)) {
    throw new AppError('invalid_params', `"${raw}" is not a seal name`, { details: [{ path: '/name', message: 'must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit' }] });
  }
  return raw;
}

export function sealRoutes(store: Store) {
  return [
    defineRoute({
      method: 'get', path: '/api/seals', tag: 'seals', access: ADMINS,
      summary: 'Every company seal and who may sign with it',
      responses: { 200: { description: 'seals by name', schema: Type.Object({ items: Type.Array(SealSchema) }) } },
      handler: async ({ actor }) => ({ body: { items: await store.seals.list(actor!.tenantId) } }),
    }),
    defineRoute({
      method: 'get', path: '/api/seals/:name', tag: 'seals', access: ADMINS,
      summary: 'One company seal and who may sign with it',
      responses: { 200: { description: 'the seal', schema: SealSchema }, 404: { description: 'no such seal' } },
      handler: async ({ params, actor }) => {
        const seal = await store.seals.get(actor!.tenantId, sealName(params.name));
        if (!seal) throw notFound(`Seal "${params.name}"`);
        return { body: seal };
      },
    }),
    defineRoute({
      method: 'put', path: '/api/seals/:name', tag: 'seals', access: ADMINS, body: SealBody,
      summary: 'Creates a company seal or replaces its company and the users allowed to sign with it',
      responses: {
        200: { description: 'replaced', schema: SealSchema },
        201: { description: 'created', schema: SealSchema },
        400: { description: "bad body; unknown or repeated user ids, and users of another tenant, are named by their path, e.g. /users/2" },
        403: { description: 'not an admin' },
      },
      handler: async ({ params, body, actor }) => {
        const name = sealName(params.name);
        const details: { path: string; message: string }[] = [];
        for (const [i, id] of body.users.entries()) {
          const first = body.users.indexOf(id);
          if (first !== i) details.push({ path: `/users/${i}`, message: `repeats /users/${first}` });
          // Another tenant's user is "no user" here too: its existence does not leak.
          else if ((await store.users.get(id))?.tenantId !== actor!.tenantId) details.push({ path: `/users/${i}`, message: `no user "${id}"` });
        }
        if (details.length) throw new AppError('invalid_body', `The request body is not valid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, { details });
        const { seal, created } = await store.seals.put(actor!.tenantId, { name, company: body.company.trim(), users: body.users, updatedBy: actor!.id });
        return { status: created ? 201 : 200, body: seal };
      },
    }),
  ];
}
