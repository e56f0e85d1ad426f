// Which messages have already been handed to SMTP / the SMS provider, by idempotency key
// (`<channel>:<key>`; the workflows build keys per contract, notice, recipient and round, e.g.
// `<contract>:<signer>:nudge:<round>`), so that a retried activity or a second worker does not
// send the same message twice.
//
// The hub's notifier keeps this record in the database (createStoredDeliveryLog): before a
// message goes out, its key is claimed there in one statement, so of two workers (or two
// attempts of one activity) that race, exactly one sends; the other waits for the outcome.
// A failed send gives the claim back and the next attempt tries again.
//
// What at-least-once delivery still allows: the claim is a lease (DEFAULT_LEASE_MS). A worker
// that dies after the SMTP server / SMS provider accepted the message but before it recorded
// "delivered" leaves a claim that another attempt takes over once the lease has run out, and
// that attempt sends again. The same happens when recording "delivered" fails (the database
// is away): the send is not undone, so it is not reported as failed either. Such a duplicate
// is recognisable: an email carries a Message-ID derived from the key (see `messageIdFor`),
// the SMS webhook gets the key as its Idempotency-Key header, so mail clients and SMS
// providers that dedupe on those drop it. Nothing is ever sent twice by two live senders.
import type { NotificationDeliveryRepository } from '../store';
import { NotifyError } from './errors';

export interface DeliveryLog {
  /**
   * Runs `deliver` unless this key was delivered already. Calls with the same key while a
   * delivery runs wait for it; a failed delivery is not recorded, so the next call tries again.
   */
  once(key: string, deliver: () => Promise<void>): Promise<'delivered' | 'already_delivered'>;
  has(key: string): Promise<boolean>;
}

/** How long a claim holds: beyond a slow SMTP exchange (three 10 s timeouts) with room to spare. */
export const DEFAULT_LEASE_MS = 120_000;
/** How long a second sender waits for the first one's outcome before failing (retryably). */
const DEFAULT_WAIT_MS = 30_000;

/**
 * Calls with the same key in this process share one attempt: its success is theirs, on its
 * failure the next one tries. `attempt` does the cross-process part (or none).
 */
function coalesce(attempt: (key: string, deliver: () => Promise<void>) => Promise<'delivered' | 'already_delivered'>) {
  const running = new Map<string, Promise<'delivered' | 'already_delivered'>>();
  return async (key: string, deliver: () => Promise<void>): Promise<'delivered' | 'already_delivered'> => {
    for (;;) {
      const inFlight = running.get(key);
      if (inFlight === undefined) break;
      if ((await inFlight.catch(() => null)) !== null) return 'already_delivered';
    }
    const run = attempt(key, deliver);
    running.set(key, run);
    try {
      return await run;
    } finally {
      running.delete(key);
    }
  };
}

/**
 * In memory, for one process (tests, a notifier without a store). `capacity`: how many
 * delivered keys to remember (oldest forgotten first); default 50 000.
 */
export function createDeliveryLog(options: { capacity?: number } = {}): DeliveryLog {
  const capacity = Math.max(1, options.capacity ?? 50_000);
  const delivered = new Set<string>();

  const once = coalesce(async (key, deliver) => {
    if (delivered.has(key)) return 'already_delivered';
    await deliver();
    delivered.add(key);
    if (delivered.size > capacity) {
      const oldest = delivered.values().next().value;
      if (oldest !== undefined) delivered.delete(oldest);
    }
    return 'delivered';
  });
  return { once, has: async (key) => delivered.has(key) };
}

export interface StoredDeliveryLogOptions {
  leaseMs?: number;
  /** How long to wait for another sender's outcome before failing retryably; default 30 s. */
  waitMs?: number;
  /** How often to look while waiting; default 200 ms. */
  pollMs?: number;
}

/** Shared by every worker on the database: see the top of this file. */
export function createStoredDeliveryLog(deliveries: NotificationDeliveryRepository, options: StoredDeliveryLogOptions = {}): DeliveryLog {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const pollMs = options.pollMs ?? 200;

  const once = coalesce(async (key, deliver) => {
    const giveUpAt = Date.now() + waitMs;
    for (;;) {
      const claim = await deliveries.claim(key, leaseMs);
      if (claim.status === 'delivered') return 'already_delivered';
      if (claim.status === 'claimed') {
        try {
          await deliver();
        } catch (error) {
          await deliveries.release(key, claim.owner).catch(() => {});
          throw error;
        }
        // The message is out: a failure to record that is not a failure to send (see the top of this file).
        await deliveries.delivered(key, claim.owner).catch(() => {});
        return 'delivered';
      }
      if (Date.now() >= giveUpAt) {
        const channel = key.startsWith('sms:') ? 'sms_failed' : 'email_failed';
        throw new NotifyError(channel, `another sender is delivering this message (claimed until ${new Date(claim.leaseUntil).toISOString()}); try again later`, { retryable: true });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, Math.min(pollMs, claim.leaseUntil - Date.now()))));
    }
  });
  return { once, has: (key) => deliveries.has(key) };
}
