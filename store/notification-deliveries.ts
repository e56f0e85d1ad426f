// Which notifications went out, by `<channel>:<idempotency key>`, shared by every worker: a
// message is claimed in the database before it is handed to SMTP or the SMS provider, so two
// workers (or a retried activity on another worker) never both send it. The claim is a lease:
// a sender that dies mid-send leaves a 'sending' row that another may take over once the
// lease has run out (notify/deliveries.ts says what that still allows).
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './tables';

export type DeliveryClaim =
  /** This caller holds the claim: send, then `delivered` (or `release` on failure). */
  | { status: 'claimed'; owner: string }
  | { status: 'delivered' }
  /** Another sender holds it until `leaseUntil` (epoch ms). */
  | { status: 'sending'; leaseUntil: number };

export interface NotificationDeliveryRepository {
  claim(key: string, leaseMs: number, now?: number): Promise<DeliveryClaim>;
  /** Marks the claimed message as delivered; false when the claim was no longer this owner's. */
  delivered(key: string, owner: string, now?: number): Promise<boolean>;
  /** Gives a claim up after a failed send, so that the next attempt may send at once. */
  release(key: string, owner: string): Promise<void>;
  has(key: string): Promise<boolean>;
  /** Forgets deliveries claimed before `before`. Returns how many went. */
  purge(before: Date): Promise<number>;
}

/** How long delivered keys are remembered: far longer than Temporal retries an activity. */
export const DELIVERY_MEMORY_MS = 90 * 24 * 3600_000;

export function createNotificationDeliveryRepository(db: Kysely<Database>): NotificationDeliveryRepository {
  let purgedAt = 0;
  const repository: NotificationDeliveryRepository = {
    async claim(key, leaseMs, now = Date.now()) {
      const owner = randomBytes(9).toString('base64url');
      const lease = sql<number>`cast(${now + leaseMs} as double precision)`;
      // One statement: a new key is inserted as ours; an existing one becomes ours only when it is
      // a 'sending' claim whose lease ran out. RETURNING answers only when the row is ours.
      const taken = await db
        .insertInto('notification_deliveries')
        .values({ key, owner, state: 'sending', lease_until: lease, claimed_at: new Date(now).toISOString(), delivered_at: null })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ owner: sql`excluded.owner`, lease_until: sql`excluded.lease_until`, claimed_at: sql`excluded.claimed_at` })
            .where('notification_deliveries.state', '=', 'sending')
            .where('notification_deliveries.lease_until', '<', sql<number>`cast(${now} as double precision)`),
        )
        .returning('owner')
        .executeTakeFirst();
      if (now - purgedAt > 3600_000) {
        purgedAt = now;
        repository.purge(new Date(now - DELIVERY_MEMORY_MS)).catch(() => {});
      }
      if (taken?.owner === owner) return { status: 'claimed', owner };
      const row = await db.selectFrom('notification_deliveries').select(['state', 'lease_until']).where('key', '=', key).executeTakeFirst();
      // Released between the two statements: the caller simply claims again.
      if (!row) return { status: 'sending', leaseUntil: now };
      return row.state === 'delivered' ? { status: 'delivered' } : { status: 'sending', leaseUntil: Number(row.lease_until) };
    },

    async delivered(key, owner, now = Date.now()) {
      const result = await db
        .updateTable('notification_deliveries')
        .set({ state: 'delivered', delivered_at: new Date(now).toISOString() })
        .where('key', '=', key)
        .where('owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async release(key, owner) {
      await db.deleteFrom('notification_deliveries').where('key', '=', key).where('owner', '=', owner).where('state', '=', 'sending').execute();
    },

    async has(key) {
      const row = await db.selectFrom('notification_deliveries').select('key').where('key', '=', key).where('state', '=', 'delivered').executeTakeFirst();
      return row !== undefined;
    },

    async purge(before) {
      const result = await db.deleteFrom('notification_deliveries').where('claimed_at', '<', before.toISOString()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
  return repository;
}
