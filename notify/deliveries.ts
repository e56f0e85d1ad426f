// Which messages this process has already handed to SMTP / the SMS provider, by
// idempotency key, so that a retried activity does not send the same message twice.
//
// Honest limits: the record lives in memory. It covers retries inside one worker process
// (the common case: the activity failed after delivery, e.g. on a later step, or timed out
// while the send went through) and concurrent calls with the same key. It does NOT survive
// a restart: a worker that crashes between the server accepting a message and the activity
// completing will send it again on retry. That duplicate is recognisable — an email carries
// a Message-ID derived from the key (see `messageIdFor`), the SMS webhook gets the key as
// its Idempotency-Key header — so mail clients and SMS providers that dedupe on those drop
// it. A durable record needs a `delivered_at` on the outbox row (store/), not done here.

export interface DeliveryLog {
  /**
   * Runs `deliver` unless this key was delivered already. Calls with the same key while a
   * delivery runs wait for it; a failed delivery is not recorded, so the next call tries again.
   */
  once(key: string, deliver: () => Promise<void>): Promise<'delivered' | 'already_delivered'>;
  has(key: string): boolean;
}

/** `capacity`: how many delivered keys to remember (oldest forgotten first); default 50 000. */
export function createDeliveryLog(options: { capacity?: number } = {}): DeliveryLog {
  const capacity = Math.max(1, options.capacity ?? 50_000);
  const delivered = new Set<string>();
  const running = new Map<string, Promise<void>>();

  function remember(key: string): void {
    delivered.add(key);
    if (delivered.size > capacity) {
      const oldest = delivered.values().next().value;
      if (oldest !== undefined) delivered.delete(oldest);
    }
  }

  return {
    has: (key) => delivered.has(key),

    async once(key, deliver) {
      for (;;) {
        if (delivered.has(key)) return 'already_delivered';
        const inFlight = running.get(key);
        if (inFlight === undefined) break;
        // Another call is delivering this key: its success is ours; on its failure we try.
        await inFlight.catch(() => {});
      }
      const attempt = (async () => {
        await deliver();
        remember(key);
      })();
      running.set(key, attempt);
      try {
        await attempt;
        return 'delivered';
      } finally {
        running.delete(key);
      }
    },
  };
}
