// A readable difference between two versions of a flow, by card (the cards of the canvas):
// a tier, step, document or signer added or removed, or a card whose fields changed, each
// field with its value before and after. Lists are aligned, not compared by position, so a
// step inserted first shows as one added step, not as every step changed: tiers align by
// their bound, steps by their whole value (what is left between two matches pairs up as
// changed), documents and signers by id.
import type { FlowDefinition } from '../../../flows';

export type Where =
  | { card: 'flow' }
  | { card: 'tier'; tier: number; upTo: number | null }
  | { card: 'step'; tier: number; upTo: number | null; step: number; name: string | null }
  | { card: 'document'; id: string }
  | { card: 'signer'; id: string }
  | { card: 'signing' }
  | { card: 'archive' };

export interface FieldChange {
  /** The field's path inside its card ('approvers', 'contact/email'). */
  field: string;
  from: unknown;
  to: unknown;
}

export interface CardChange {
  change: 'added' | 'removed' | 'changed';
  where: Where;
  /** For a changed card: each field that differs. */
  fields: FieldChange[];
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Field differences of two card values; nested objects (contact, reminders, expiry) by their inner fields, lists and schemas whole. */
export function fieldChanges(a: Obj, b: Obj, skip: string[] = [], prefix = ''): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (skip.includes(key) || same(a[key], b[key])) continue;
    const field = prefix + key;
    if (isObject(a[key]) && isObject(b[key]) && key !== 'data') changes.push(...fieldChanges(a[key] as Obj, b[key] as Obj, [], `${field}/`));
    else changes.push({ field, from: a[key], to: b[key] });
  }
  return changes;
}

/** Aligns two lists: pairs [i, j] of matched items (same key), with what lies between two matches paired as changed, the rest added or removed. */
export function align<T>(a: T[], b: T[], key: (item: T) => string): [number | null, number | null][] {
  const n = a.length;
  const m = b.length;
  const ka = a.map(key);
  const kb = b.map(key);
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = ka[i] === kb[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  // Walk the longest common subsequence; between two matches, removed and added items pair up.
  const pairs: [number | null, number | null][] = [];
  let removed: number[] = [];
  let added: number[] = [];
  const settle = () => {
    const paired = Math.min(removed.length, added.length);
    for (let k = 0; k < paired; k++) pairs.push([removed[k]!, added[k]!]);
    for (const i of removed.slice(paired)) pairs.push([i, null]);
    for (const j of added.slice(paired)) pairs.push([null, j]);
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && ka[i] === kb[j]) {
      settle();
      pairs.push([i++, j++]);
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) removed.push(i++);
    else added.push(j++);
  }
  settle();
  return pairs;
}

const tierKey = (tier: { upTo?: number }) => (typeof tier.upTo === 'number' ? String(tier.upTo) : 'default');

export function diffFlows(before: FlowDefinition, after: FlowDefinition): CardChange[] {
  const out: CardChange[] = [];
  const card = (change: CardChange['change'], where: Where, fields: FieldChange[] = []) => out.push({ change, where, fields });

  // The flow's own settings (the trigger card): everything but the parts drawn as cards of their own
  const flowFields = fieldChanges(before as unknown as Obj, after as unknown as Obj, ['approval', 'documents', 'signers', 'signing', 'archive']);
  const approvalFields = fieldChanges(before.approval as unknown as Obj, after.approval as unknown as Obj, ['tiers']).map((f) => ({ ...f, field: `approval/${f.field}` }));
  if (flowFields.length || approvalFields.length) card('changed', { card: 'flow' }, [...flowFields, ...approvalFields]);

  const ta = before.approval?.tiers ?? [];
  const tb = after.approval?.tiers ?? [];
  for (const [i, j] of align(ta, tb, tierKey)) {
    const tier = j !== null ? tb[j]! : ta[i!]!;
    const at = { tier: (j ?? i)!, upTo: tier.upTo ?? null };
    if (i === null) {
      card('added', { card: 'tier', ...at });
      continue;
    }
    if (j === null) {
      card('removed', { card: 'tier', ...at });
      continue;
    }
    const fields = fieldChanges(ta[i] as unknown as Obj, tb[j] as unknown as Obj, ['steps']);
    if (fields.length) card('changed', { card: 'tier', ...at }, fields);
    const sa = ta[i]!.steps ?? [];
    const sb = tb[j]!.steps ?? [];
    for (const [x, y] of align(sa, sb, (s) => JSON.stringify(s))) {
      const step = y !== null ? sb[y]! : sa[x!]!;
      const where: Where = { card: 'step', ...at, step: (y ?? x)!, name: step.name ?? null };
      if (x === null) card('added', where);
      else if (y === null) card('removed', where);
      else if (!same(sa[x], sb[y])) card('changed', where, fieldChanges(sa[x] as unknown as Obj, sb[y] as unknown as Obj));
    }
  }

  const byId = <T extends { id: string }>(kind: 'document' | 'signer', a: T[], b: T[]) => {
    const inB = new Map(b.map((item) => [item.id, item]));
    const inA = new Map(a.map((item) => [item.id, item]));
    for (const item of a) {
      const other = inB.get(item.id);
      if (!other) card('removed', { card: kind, id: item.id });
      else if (!same(item, other)) card('changed', { card: kind, id: item.id }, fieldChanges(item as unknown as Obj, other as unknown as Obj));
    }
    for (const item of b) if (!inA.has(item.id)) card('added', { card: kind, id: item.id });
  };
  byId('document', before.documents ?? [], after.documents ?? []);
  byId('signer', before.signers ?? [], after.signers ?? []);

  for (const part of ['signing', 'archive'] as const) {
    const a = before[part] as Obj | undefined;
    const b = after[part] as Obj | undefined;
    if (same(a, b)) continue;
    if (!a) card('added', { card: part });
    else if (!b) card('removed', { card: part });
    else card('changed', { card: part }, fieldChanges(a, b));
  }
  return out;
}
