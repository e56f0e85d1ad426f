// What the page offers to whom. server/access.ts decides every call; the console only hides
// buttons the hub would refuse, so a viewer or an approver is not shown "nudge" and "cancel".
import type { SessionUser } from './api';

/** Roles whose holders may nudge and cancel (the right contracts.act). */
const ACTING_ROLES = ['admin', 'tenant-admin', 'business-user'];
export const mayAct = (user: SessionUser) => user.roles.some((role) => ACTING_ROLES.includes(role));

/** Roles whose holders may download evidence packages (the right contracts.evidence). */
const EVIDENCE_ROLES = ['admin', 'tenant-admin', 'legal'];
export const mayDownloadEvidence = (user: SessionUser) => user.roles.some((role) => EVIDENCE_ROLES.includes(role));
