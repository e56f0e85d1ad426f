// The dev outbox: every notification also lands here, so a person or a test can read the
// message (and follow its signing link) without a mail server. Adds are idempotent
// because the activity that sends may be retried by Temporal.
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, OutboxTable } from './tables';

export interface OutboxMessage {
  id: string;
  channel: 'email' | 'sms' | 'inbox';
  to: string;
  subject: string;
  body: string;
  contractId: string | null;
  createdAt: string;
}

export interface OutboxFilter {
  to?: string;
  contractId?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface OutboxRepository {
  /** The same idempotency key again adds nothing and returns the first message. */
  add(message: Omit<OutboxMessage, 'id' | 'createdAt'>, idempotencyKey: string): Promise<OutboxMessage>;
  /** Newest first. */
  list(filter?: OutboxFilter): Promise<OutboxMessage[]>;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function toMessage(row: Selectable<OutboxTable>): OutboxMessage {
  return {
    id: row.id,
    channel: row.channel,
    to: row.recipient,
    subject: row.subject,
    body: row.body,
    contractId: row.contract_id,
    createdAt: row.created_at,
  };
}

export function createOutboxRepository(db: Kysely<Database>): OutboxRepository {
  return {
    async add(message, idempotencyKey) {
      // Insert-or-nothing then read back: whoever inserted first, every caller with this
      // key gets that same row, also when two of them race.
      await db
        .insertInto('outbox')
        .values({
          id: `m_${randomBytes(12).toString('base64url')}`,
          idempotency_key: idempotencyKey,
          channel: message.channel,
          recipient: message.to,
          subject: message.subject,
          body: message.body,
          contract_id: message.contractId,
          created_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
      const row = await db.selectFrom('outbox').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirstOrThrow();
      return toMessage(row);
    },

    async list(filter = {}) {
      const limit = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
      let query = db.selectFrom('outbox').selectAll();
      if (filter.to !== undefined) query = query.where('recipient', '=', filter.to);
      if (filter.contractId !== undefined) query = query.where('contract_id', '=', filter.contractId);
      const rows = await query.orderBy('created_at', 'desc').orderBy('seq', 'desc').limit(limit).execute();
      return rows.map(toMessage);
    },
  };
}
