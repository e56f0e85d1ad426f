// Who may fill an approver slot: `role:<role>` anyone holding the role, `user:<id>` that user.

export interface Approver {
  id: string;
  roles: readonly string[];
}

export function parseApprover(slot: string): { kind: 'role' | 'user'; name: string } {
  const colon = slot.indexOf(':');
  const kind = slot.slice(0, colon);
  if (colon < 1 || (kind !== 'role' && kind !== 'user')) throw new RangeError(`"${slot}" is not an approver; write role:<role> or user:<id>`);
  return { kind, name: slot.slice(colon + 1) };
}

export function approverMatches(slot: string, user: Approver): boolean {
  const { kind, name } = parseApprover(slot);
  return kind === 'role' ? user.roles.includes(name) : user.id === name;
}
