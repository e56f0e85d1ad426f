// Tenants and their org trees. The hub's admin opens a tenant together with its first
// tenant-admin, who then builds the tenant's units (集团 → 分公司 → 部门) and users. A unit is
// always the caller's tenant's: a parent of another tenant is "no such unit" (400), never
// a hint that it exists.
import { Type } from '@sinclair/typebox';
import { StoreError, type Store } from '../../store';
import { AppError } from '../errors';
import { hashPassword } from '../password';
import { defineRoute } from '../route';
import { CreatedUserSchema } from '../schemas';
import { Login, Name, Password } from './users';

export const CreateTenantBody = Type.Object(
  {
    name: Name,
    admin: Type.Object({ name: Name, login: Login, password: Password }, { additionalProperties: false, description: "the tenant's first tenant-admin, who signs in with this login and password" }),
  },
  { additionalProperties: false },
);

export const TenantSchema = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Type.String() });

export const CreateUnitBody = Type.Object(
  { name: Name, parentId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], { description: "the parent unit; left out or null: a root of the tenant's tree" })) },
  { additionalProperties: false },
);

export const OrgUnitSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  path: Type.String({ description: "'/<root id>/…/<own id>/': its ancestors and itself" }),
  createdAt: Type.String(),
});

export function tenantRoutes(store: Store) {
  return [
    defineRoute({
      method: 'post', path: '/api/tenants', tag: 'tenants', access: 'hub.manage', body: CreateTenantBody,
      summary: 'Open a tenant with its first tenant-admin (login and password; their personal API key is answered once)',
      responses: {
        201: { description: 'the tenant and its admin', schema: Type.Object({ tenant: TenantSchema, admin: CreatedUserSchema }) },
        400: { description: 'invalid (path says where)' },
        409: { description: 'the login is taken (/admin/login)' },
      },
      handler: async ({ body, actor }) => {
        const loginTaken = () => new AppError('conflict', `The login "${body.admin.login}" is taken`, { status: 409, details: [{ path: '/admin/login', message: 'is taken' }] });
        // Checked first for a quick answer before the (deliberately slow) password hash.
        if (await store.users.byLogin(body.admin.login)) throw loginTaken();
        const passwordHash = await hashPassword(body.admin.password);
        // One transaction: a login taken meanwhile (two requests racing past the check above) leaves no tenant behind.
        const { tenant, user, token } = await store.tenants
          .openWithAdmin(body.name, { name: body.admin.name, roles: ['tenant-admin'], orgUnit: null, login: body.admin.login, passwordHash }, actor!.id)
          .catch((error: unknown) => {
            if (error instanceof StoreError && error.code === 'conflict') throw loginTaken();
            throw error;
          });
        return { status: 201, body: { tenant, admin: { ...user, token } } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/tenants', tag: 'tenants', access: 'hub.manage',
      summary: 'Every tenant of the hub, oldest first',
      responses: { 200: { description: 'tenants', schema: Type.Object({ items: Type.Array(TenantSchema) }) } },
      handler: async () => ({ body: { items: await store.tenants.list() } }),
    }),
    defineRoute({
      method: 'get', path: '/api/units', tag: 'tenants', access: 'users.manage',
      summary: "Your tenant's org units, parents before their children",
      responses: { 200: { description: 'units', schema: Type.Object({ items: Type.Array(OrgUnitSchema) }) } },
      handler: async ({ actor }) => ({ body: { items: await store.orgUnits.list(actor!.tenantId) } }),
    }),
    defineRoute({
      method: 'post', path: '/api/units', tag: 'tenants', access: 'users.manage', body: CreateUnitBody,
      summary: "A new unit of your tenant, under parentId or as a root",
      responses: { 201: { description: 'the unit', schema: OrgUnitSchema }, 400: { description: 'invalid, or the parent is no unit of your tenant (/parentId)' } },
      handler: async ({ body, actor }) => {
        const unit = await store.orgUnits.create({ tenantId: actor!.tenantId, name: body.name, parentId: body.parentId ?? null }).catch((error: unknown) => {
          if (error instanceof StoreError && error.code === 'not_found') {
            throw new AppError('invalid_body', `There is no unit "${body.parentId}" in this tenant`, { details: [{ path: '/parentId', message: 'is not a unit of the tenant' }] });
          }
          throw error;
        });
        return { status: 201, body: unit };
      },
    }),
  ];
}
