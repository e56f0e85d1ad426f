// Who may see and do what: the one definition of roles and rights. Routes name the right
// they need; contract reads and actions are also limited to the caller's tenant and unit.
// What a caller may not see answers 404 (not 403), so its existence does not leak.
import { contractOwner, type ContractOwner, type ContractState } from '../flows';
import type { ContractScope } from '../store';
import type { Actor } from '../workflows';

/** Roles the hub itself knows; any other role string is a business role an approval step can name (`role:finance-director`). */
export const SYSTEM_ROLES = ['admin', 'tenant-admin', 'flow-designer', 'integration-admin', 'business-user', 'approver', 'legal', 'viewer'] as const;
export type SystemRole = (typeof SYSTEM_ROLES)[number];

export type Right =
  | 'contracts.read'
  | 'contracts.start'
  /** nudge and cancel */
  | 'contracts.act'
  | 'contracts.approve'
  /** evidence reports and packages */
  | 'contracts.evidence'
  | 'flows.read'
  | 'flows.write'
  | 'connectors.manage'
  | 'seals.manage'
  | 'users.manage'
  | 'audit.read'
  /** across every tenant: create tenants, read the dev outbox */
  | 'hub.manage'
  /** GET /metrics: counts across every tenant; meant for a Prometheus key scoped to it alone */
  | 'metrics.read'
  /** GET /api/identity/costs: what the hub's identity providers were asked and bill, across every tenant */
  | 'identity.costs';

const ALL: Right[] = ['contracts.read', 'contracts.start', 'contracts.act', 'contracts.approve', 'contracts.evidence', 'flows.read', 'flows.write', 'connectors.manage', 'seals.manage', 'users.manage', 'audit.read'];

const ROLE_RIGHTS: Record<SystemRole, readonly Right[]> = {
  admin: [...ALL, 'hub.manage', 'metrics.read', 'identity.costs'],
  'tenant-admin': ALL,
  'flow-designer': ['flows.read', 'flows.write', 'contracts.read'],
  'integration-admin': ['connectors.manage', 'flows.read'],
  'business-user': ['contracts.read', 'contracts.start', 'contracts.act', 'flows.read'],
  approver: ['contracts.read', 'contracts.approve', 'flows.read'],
  legal: ['contracts.read', 'contracts.approve', 'contracts.evidence', 'flows.read', 'audit.read'],
  viewer: ['contracts.read', 'flows.read'],
};
/** A business role (dept-manager, finance-director…) makes its holder an approver. */
const BUSINESS_ROLE_RIGHTS = ROLE_RIGHTS.approver;

/** Roles that see the whole tenant whatever their unit. */
const TENANT_WIDE: readonly string[] = ['admin', 'tenant-admin', 'legal'];
/** Roles that see signers' ID numbers and mobiles unmasked. */
const PERSONAL_DATA: readonly string[] = ['admin', 'tenant-admin', 'legal'];

/** The authenticated caller. */
export interface Principal extends Actor {
  tenantId: string;
  /** The unit the user belongs to; null = the tenant's top. */
  unit: { id: string; path: string } | null;
  via: 'admin-token' | 'api-key' | 'session';
  /** What an API key may call: ['*'] or rights; a session or the admin token carries ['*']. */
  scopes: string[];
}

export function isSystemRole(role: string): role is SystemRole {
  return (SYSTEM_ROLES as readonly string[]).includes(role);
}

export function rightsOf(roles: readonly string[]): Set<Right> {
  const rights = new Set<Right>();
  for (const role of roles) for (const right of isSystemRole(role) ? ROLE_RIGHTS[role] : BUSINESS_ROLE_RIGHTS) rights.add(right);
  return rights;
}

/** Whether the caller's roles grant the right and, for an API key, its scopes allow it. */
export function hasRight(principal: Principal, right: Right): boolean {
  if (!rightsOf(principal.roles).has(right)) return false;
  return principal.scopes.includes('*') || principal.scopes.includes(right);
}

/** The contracts this caller may see, as the store filters them. */
export function contractScope(principal: Principal): ContractScope {
  const wide = principal.unit === null || principal.roles.some((role) => TENANT_WIDE.includes(role));
  return { tenantId: principal.tenantId, unitPath: wide ? null : principal.unit!.path, userId: principal.id };
}

/** The same rule as contractScope, for one contract in hand. */
export function canSeeContract(principal: Principal, contract: ContractState): boolean {
  const owner: ContractOwner = contractOwner(contract);
  if (owner.tenantId !== principal.tenantId || !hasRight(principal, 'contracts.read')) return false;
  const scope = contractScope(principal);
  if (scope.unitPath === null) return true;
  if (owner.unit?.path.startsWith(scope.unitPath)) return true;
  if (contract.startedBy === principal.id) return true;
  return contract.steps.some((step) => [...step.approvers, ...step.escalatedTo].includes(`user:${principal.id}`));
}

export function seesPersonalData(principal: Principal): boolean {
  return principal.roles.some((role) => PERSONAL_DATA.includes(role));
}
