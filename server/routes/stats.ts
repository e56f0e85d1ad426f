// 用量统计: how many contracts were started and completed, how long they took, and how long
// each stage took, by flow, by org unit and by month, within the caller's scope. Counts come
// from SQL (GROUP BY); durations from each contract's timeline, read in batches.
import { Type } from '@sinclair/typebox';
import type { ContractState, ContractStatus } from '../../flows';
import type { Store } from '../../store';
import { contractScope } from '../access';
import { AppError } from '../errors';
import { defineRoute } from '../route';
import { ContractListQuery } from '../schemas';
import { instant } from './contracts';

export const StatsQuery = Type.Object({ from: ContractListQuery.properties.from, to: ContractListQuery.properties.to }, { additionalProperties: false });

/** count, median and mean of durations, in milliseconds. */
export interface DurationFigures {
  count: number;
  medianMs: number | null;
  averageMs: number | null;
}

export interface StatsFigures {
  started: number;
  completed: number;
  byStatus: Partial<Record<ContractStatus, number>>;
  timeToComplete: DurationFigures;
  stages: { approval: DurationFigures; signing: DurationFigures };
}

/** Without `from`, the figures cover the last year. */
const DEFAULT_SPAN_MS = 365 * 24 * 3600 * 1000;

function figuresOf(durations: number[]): DurationFigures {
  if (durations.length === 0) return { count: 0, medianMs: null, averageMs: null };
  const sorted = [...durations].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { count: sorted.length, medianMs: Math.round(median), averageMs: Math.round(sorted.reduce((s, d) => s + d, 0) / sorted.length) };
}

/** How long a contract spent in each stage, from its timeline (null where it has not been through it). */
export function stageDurations(contract: ContractState): { total: number | null; approval: number | null; signing: number | null } {
  const at = (types: string[]) => {
    const event = contract.timeline.find((e) => types.includes(e.type));
    return event ? Date.parse(event.at) : null;
  };
  const started = Date.parse(contract.createdAt);
  const approvalEnded = at(['approved', 'rejected']);
  const signingStarted = at(['signing_started']);
  const completed = at(['completed']);
  return {
    total: completed === null ? null : completed - started,
    approval: approvalEnded === null ? null : approvalEnded - started,
    signing: signingStarted === null || completed === null ? null : completed - signingStarted,
  };
}

/** One group's running tallies (a flow, a unit, a month, or everything). */
class Tally {
  started = 0;
  completed = 0;
  byStatus: Partial<Record<ContractStatus, number>> = {};
  total: number[] = [];
  approval: number[] = [];
  signing: number[] = [];

  figures(): StatsFigures {
    return { started: this.started, completed: this.completed, byStatus: this.byStatus, timeToComplete: figuresOf(this.total), stages: { approval: figuresOf(this.approval), signing: figuresOf(this.signing) } };
  }
}

export function statsRoutes(store: Store) {
  return [
    defineRoute({
      method: 'get', path: '/api/stats', tag: 'contracts', access: 'contracts.read', query: StatsQuery,
      summary: '用量统计 of the contracts started in [from, to] (default: the last year) that the caller may see: started, completed, by status, time to complete and time in approval and in signing (median and mean), by flow, by org unit and by month (UTC)',
      responses: { 200: { description: '{from, to, ...figures, byFlow, byUnit, byMonth}' }, 400: { description: 'from after to, or not a date' } },
      handler: async ({ query, actor }) => {
        // The ledger's reading of a date or time: 2026-14-05 or T93:55 is a 400 with its path, not a RangeError.
        const to = instant(query.to, 'end', '/to') ?? new Date().toISOString();
        const from = instant(query.from, 'start', '/from') ?? new Date(Date.parse(to) - DEFAULT_SPAN_MS).toISOString();
        if (from > to) throw new AppError('invalid_query', '`from` is after `to`', { details: [{ path: '/from', message: 'is after to' }] });
        const scope = contractScope(actor!);

        const all = new Tally();
        const groups = { flow: new Map<string, Tally>(), unit: new Map<string, Tally>(), month: new Map<string, Tally>() };
        const tallyOf = (kind: keyof typeof groups, key: string) => groups[kind].get(key) ?? groups[kind].set(key, new Tally()).get(key)!;
        const unitKey = (unit: string | null) => unit ?? '';

        for (const row of await store.stats.startedCounts({ scope, from, to })) {
          for (const tally of [all, tallyOf('flow', row.flowKey), tallyOf('unit', unitKey(row.orgUnit)), tallyOf('month', row.month)]) {
            tally.started += row.count;
            tally.byStatus[row.status] = (tally.byStatus[row.status] ?? 0) + row.count;
            if (row.status === 'completed') tally.completed += row.count;
          }
        }
        // Durations: only contracts that got past approval have any.
        const flowNames = new Map<string, string>();
        for await (const batch of store.stats.states({ scope, from, to, statuses: ['approved', 'rejected', 'signing', 'completed', 'declined', 'expired', 'cancelled', 'failed'] })) {
          for (const contract of batch) {
            flowNames.set(contract.flowKey, contract.flowName);
            const { total, approval, signing } = stageDurations(contract);
            const unit = contract.owner?.unit?.id ?? null;
            for (const tally of [all, tallyOf('flow', contract.flowKey), tallyOf('unit', unitKey(unit)), tallyOf('month', contract.createdAt.slice(0, 7))]) {
              if (total !== null) tally.total.push(total);
              if (approval !== null) tally.approval.push(approval);
              if (signing !== null) tally.signing.push(signing);
            }
          }
        }
        const unitNames = new Map((await store.orgUnits.list(actor!.tenantId)).map((u) => [u.id, u.name]));
        return {
          body: {
            from,
            to,
            ...all.figures(),
            byFlow: [...groups.flow].sort(([a], [b]) => a.localeCompare(b)).map(([flowKey, t]) => ({ flowKey, name: flowNames.get(flowKey) ?? null, ...t.figures() })),
            byUnit: [...groups.unit].map(([unit, t]) => ({ orgUnit: unit || null, name: unit ? (unitNames.get(unit) ?? null) : null, ...t.figures() })).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '', 'zh')),
            byMonth: [...groups.month].sort(([a], [b]) => a.localeCompare(b)).map(([month, t]) => ({ month, ...t.figures() })),
          },
        };
      },
    }),
  ];
}
