// Notifications. Today every message lands in the dev outbox (a table an admin reads at
// GET /api/outbox); SMTP and SMS providers plug in behind the same `send`.
import type { OutboxMessage, Store } from '../store';

export type Message = Omit<OutboxMessage, 'id' | 'createdAt'>;

export interface Notifier {
  send(message: Message, idempotencyKey: string): Promise<void>;
}

export function createOutboxNotifier(store: Store): Notifier {
  return {
    async send(message, idempotencyKey) {
      await store.outbox.add(message, idempotencyKey);
    },
  };
}
