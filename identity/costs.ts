// Counting what providers are asked. The hub counts in the database (store.identityCosts: one
// upsert per call, every server adds to the same rows); a router built without a store (unit
// tests, a script) counts in its own memory with the same shape.
import type { IdentityCostEntry, IdentityCostRepository, IdentityCostRow } from '../store';
import type { Capability } from './provider';

export type CostCounter = IdentityCostRepository;

export interface ProviderCosts {
  /** Calls that reached the provider and were answered (these are what providers bill). */
  answered: number;
  /** Calls that failed (transport, 5xx, balance, refused). */
  failed: number;
  /** Sum of the provider's prices for the answered calls, in fen. */
  fen: number;
  byCapability: Partial<Record<Capability, { answered: number; failed: number; fen: number }>>;
}

/** This process's count, for a router without a database. */
export function memoryCostCounter(): CostCounter {
  const rows = new Map<string, IdentityCostRow>();
  return {
    async count({ provider, capability, outcome, fen }: IdentityCostEntry) {
      const key = `${provider}\u0000${capability}`;
      const row = rows.get(key) ?? { provider, capability, answered: 0, failed: 0, fen: 0 };
      if (outcome === 'answered') {
        row.answered += 1;
        row.fen += fen;
      } else row.failed += 1;
      rows.set(key, row);
    },
    async totals() {
      return [...rows.values()].map((row) => ({ ...row })).sort((a, b) => a.provider.localeCompare(b.provider) || a.capability.localeCompare(b.capability));
    },
  };
}

/** Rows per (provider, capability) → per provider, with every configured provider present (zeros when never asked). */
export function costsByProvider(rows: IdentityCostRow[], providers: readonly string[] = []): Record<string, ProviderCosts> {
  const out: Record<string, ProviderCosts> = {};
  for (const id of providers) out[id] = { answered: 0, failed: 0, fen: 0, byCapability: {} };
  for (const row of rows) {
    const costs = (out[row.provider] ??= { answered: 0, failed: 0, fen: 0, byCapability: {} });
    costs.answered += row.answered;
    costs.failed += row.failed;
    costs.fen += row.fen;
    costs.byCapability[row.capability as Capability] = { answered: row.answered, failed: row.failed, fen: row.fen };
  }
  return out;
}
