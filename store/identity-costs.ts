// What the identity providers were asked, per provider and capability, counted in the database so
// that every server adds to one count and a restart forgets nothing (issue 12): providers bill
// the hub per answered call, and the admin reads the totals (GET /api/identity/costs). Each
// count is one upsert that adds in the row itself (… ON CONFLICT DO UPDATE SET answered =
// answered + 1), so two servers counting at once are serialised by the row, never a lost
// read-modify-write.
import { sql, type Kysely } from 'kysely';
import type { Database } from './tables';

/** One call's count: answered (billed at `fen`) or failed. */
export interface IdentityCostEntry {
  provider: string;
  capability: string;
  outcome: 'answered' | 'failed';
  /** The provider's price of this call, in fen (0 for a failed call). */
  fen: number;
}

export interface IdentityCostRow {
  provider: string;
  capability: string;
  answered: number;
  failed: number;
  fen: number;
}

export interface IdentityCostRepository {
  count(entry: IdentityCostEntry): Promise<void>;
  /** Every (provider, capability) counted so far, ordered by provider then capability. */
  totals(): Promise<IdentityCostRow[]>;
}

export function createIdentityCostRepository(db: Kysely<Database>): IdentityCostRepository {
  return {
    async count({ provider, capability, outcome, fen }) {
      const answered = outcome === 'answered' ? 1 : 0;
      const failed = outcome === 'failed' ? 1 : 0;
      const price = outcome === 'answered' ? fen : 0;
      await db
        .insertInto('identity_costs')
        .values({ provider, capability, answered, failed, fen: price })
        .onConflict((oc) =>
          oc.columns(['provider', 'capability']).doUpdateSet({
            answered: sql`identity_costs.answered + excluded.answered`,
            failed: sql`identity_costs.failed + excluded.failed`,
            fen: sql`identity_costs.fen + excluded.fen`,
          }),
        )
        .execute();
    },
    async totals() {
      const rows = await db.selectFrom('identity_costs').selectAll().orderBy('provider').orderBy('capability').execute();
      return rows.map((row) => ({ provider: row.provider, capability: row.capability, answered: Number(row.answered), failed: Number(row.failed), fen: Number(row.fen) }));
    },
  };
}
