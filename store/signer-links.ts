// Signers' personal links and what happens on them: the one-time code (its keyed hash,
// expiry, failures, lockouts), the pages read, the daily count of codes per mobile number,
// and the download links of signed copies. Only a token's SHA-256 is stored; the token is
// the link. Every counter is one statement (UPDATE … WHERE below-the-cap RETURNING), so a
// burst of parallel requests cannot count past its cap on SQLite or PostgreSQL.
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, SignerLinksTable } from './tables';

export interface SignerLink {
  tokenHash: string;
  contractId: string;
  signerId: string;
  expiresAt: string;
  otp: { hash: string; expiresAt: string; sentAt: string; failures: number } | null;
  otpSentAt: string | null;
  otpFailures: number;
  /** Times a code of this link was locked by wrong guesses since the last (re-)invitation. */
  otpLockouts: number;
}

/** A signer's download link for their signed copy. */
export interface SignerCopyLink {
  tokenHash: string;
  contractId: string;
  signerId: string;
  expiresAt: string;
}

export interface SignerProgress {
  signerId: string;
  openedAt: string | null;
  /** Distinct pages read, per document id. */
  pagesRead: Record<string, number>;
  lastReadAt: string | null;
}

export interface SignerLinkRepository {
  /** Creates the link unless it exists (the invitation activity may run twice). */
  ensure(link: { token: string; contractId: string; signerId: string; expiresAt: string }): Promise<void>;
  byToken(token: string): Promise<SignerLink | null>;
  forContract(contractId: string): Promise<SignerLink[]>;
  /** A new one-time code replaces any earlier one and resets the failure count. */
  setOtp(tokenHash: string, otp: { hash: string; expiresAt: string; sentAt: string }): Promise<void>;
  /**
   * Counts one wrong guess at the code whose hash is `otpHash`, unless it already has
   * `maxFailures`; the guess that reaches the cap also counts a lockout. Null: nothing was
   * counted (the code is locked already, or was replaced or used meanwhile).
   */
  failOtp(tokenHash: string, { otpHash, maxFailures }: { otpHash: string; maxFailures: number }): Promise<{ failures: number; lockouts: number } | null>;
  /** Uses up the code whose hash is `otpHash` if it is still there and not locked; false when another request did first. */
  consumeOtp(tokenHash: string, { otpHash, maxFailures }: { otpHash: string; maxFailures: number }): Promise<boolean>;
  clearOtp(tokenHash: string): Promise<void>;
  /** The sender re-invited: lockouts, failures and any outstanding code are forgotten. */
  unlock(contractId: string, signerId: string): Promise<void>;
  /** Counts one code sent to `mobile` on `day` unless `max` were sent already; returns the count, or null at the cap. Earlier days' counts are dropped. */
  countCodeSent(mobile: string, day: string, max: number): Promise<number | null>;
  /**
   * Lockouts of this signer over all of their links (a signer with a mobile number has two: the
   * email's and the SMS's), so that a second link gives no second set of tries.
   */
  lockouts(tokenHash: string): Promise<number>;
  markRead(tokenHash: string, documentId: string, page: number): Promise<void>;
  /** Pages the signer read, through any of their links: one person, one reading. */
  pagesRead(tokenHash: string): Promise<Record<string, number[]>>;
  /** Records the first time the link's page was opened (later openings change nothing). */
  markOpened(tokenHash: string): Promise<void>;
  /** Per signer of the contract (over all their links): first opened, and the pages read with the last read time. */
  progress(contractId: string): Promise<SignerProgress[]>;
  /** Creates a signed-copy download link unless it exists. */
  ensureCopy(link: { token: string; contractId: string; signerId: string; expiresAt: string }): Promise<void>;
  copyByToken(token: string): Promise<SignerCopyLink | null>;
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

function toLink(row: Selectable<SignerLinksTable>): SignerLink {
  return {
    tokenHash: row.token_hash,
    contractId: row.contract_id,
    signerId: row.signer_id,
    expiresAt: row.expires_at,
    otp: row.otp_hash && row.otp_expires_at && row.otp_sent_at ? { hash: row.otp_hash, expiresAt: row.otp_expires_at, sentAt: row.otp_sent_at, failures: row.otp_failures } : null,
    otpSentAt: row.otp_sent_at,
    otpFailures: row.otp_failures,
    otpLockouts: row.otp_lockouts,
  };
}

export function createSignerLinkRepository(db: Kysely<Database>): SignerLinkRepository {
  return {
    async ensure(link) {
      await db
        .insertInto('signer_links')
        .values({ token_hash: tokenHash(link.token), contract_id: link.contractId, signer_id: link.signerId, expires_at: link.expiresAt, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('token_hash').doNothing())
        .execute();
    },
    async byToken(token) {
      const row = await db.selectFrom('signer_links').selectAll().where('token_hash', '=', tokenHash(token)).executeTakeFirst();
      return row ? toLink(row) : null;
    },
    async forContract(contractId) {
      const rows = await db.selectFrom('signer_links').selectAll().where('contract_id', '=', contractId).orderBy('created_at').execute();
      return rows.map(toLink);
    },
    async setOtp(hash, otp) {
      await db.updateTable('signer_links').set({ otp_hash: otp.hash, otp_expires_at: otp.expiresAt, otp_sent_at: otp.sentAt, otp_failures: 0 }).where('token_hash', '=', hash).execute();
    },
    async failOtp(hash, { otpHash, maxFailures }) {
      // Right-hand sides see the row before the update, in both dialects.
      const row = await db
        .updateTable('signer_links')
        .set({
          otp_failures: sql`otp_failures + 1`,
          otp_lockouts: sql`otp_lockouts + (case when otp_failures + 1 >= ${maxFailures} then 1 else 0 end)`,
        })
        .where('token_hash', '=', hash)
        .where('otp_hash', '=', otpHash)
        .where('otp_failures', '<', maxFailures)
        .returning(['otp_failures', 'otp_lockouts'])
        .executeTakeFirst();
      return row ? { failures: row.otp_failures, lockouts: row.otp_lockouts } : null;
    },
    async consumeOtp(hash, { otpHash, maxFailures }) {
      const row = await db
        .updateTable('signer_links')
        .set({ otp_hash: null, otp_expires_at: null })
        .where('token_hash', '=', hash)
        .where('otp_hash', '=', otpHash)
        .where('otp_failures', '<', maxFailures)
        .returning('token_hash')
        .executeTakeFirst();
      return row !== undefined;
    },
    async clearOtp(hash) {
      await db.updateTable('signer_links').set({ otp_hash: null, otp_expires_at: null }).where('token_hash', '=', hash).execute();
    },
    async unlock(contractId, signerId) {
      await db
        .updateTable('signer_links')
        .set({ otp_lockouts: 0, otp_failures: 0, otp_hash: null, otp_expires_at: null })
        .where('contract_id', '=', contractId)
        .where('signer_id', '=', signerId)
        .execute();
    },
    async countCodeSent(mobile, day, max) {
      // Only today's counts matter: the table stays as small as one day's senders.
      await db.deleteFrom('otp_sends').where('day', '<', day).execute();
      const row = await db
        .insertInto('otp_sends')
        .values({ mobile, day, count: 1 })
        .onConflict((oc) => oc.columns(['mobile', 'day']).doUpdateSet({ count: sql`otp_sends.count + 1` }).where('otp_sends.count', '<', max))
        .returning('count')
        .executeTakeFirst();
      return row ? row.count : null;
    },
    async markRead(hash, documentId, page) {
      await db
        .insertInto('signer_reads')
        .values({ token_hash: hash, document_id: documentId, page, read_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(['token_hash', 'document_id', 'page']).doNothing())
        .execute();
    },
    async lockouts(hash) {
      const row = await db
        .selectFrom('signer_links as mine')
        .innerJoin('signer_links as theirs', (join) => join.onRef('theirs.contract_id', '=', 'mine.contract_id').onRef('theirs.signer_id', '=', 'mine.signer_id'))
        .where('mine.token_hash', '=', hash)
        .select((eb) => eb.fn.sum<number | string>('theirs.otp_lockouts').as('lockouts'))
        .executeTakeFirst();
      return Number(row?.lockouts ?? 0);
    },
    async markOpened(hash) {
      await db.updateTable('signer_links').set({ opened_at: new Date().toISOString() }).where('token_hash', '=', hash).where('opened_at', 'is', null).execute();
    },
    async progress(contractId) {
      const [opened, reads] = await Promise.all([
        db.selectFrom('signer_links').where('contract_id', '=', contractId).groupBy('signer_id').select((eb) => ['signer_id', eb.fn.min('opened_at').as('opened_at')]).execute(),
        db
          .selectFrom('signer_reads')
          .innerJoin('signer_links', 'signer_links.token_hash', 'signer_reads.token_hash')
          .where('signer_links.contract_id', '=', contractId)
          .groupBy(['signer_links.signer_id', 'signer_reads.document_id'])
          .select((eb) => ['signer_links.signer_id', 'signer_reads.document_id', sql<number | string>`count(distinct ${sql.ref('signer_reads.page')})`.as('pages'), eb.fn.max('signer_reads.read_at').as('last')])
          .execute(),
      ]);
      const bySigner = new Map<string, SignerProgress>();
      const entry = (signerId: string) => bySigner.get(signerId) ?? bySigner.set(signerId, { signerId, openedAt: null, pagesRead: {}, lastReadAt: null }).get(signerId)!;
      for (const row of opened) entry(row.signer_id).openedAt = (row.opened_at as string | null) ?? null;
      for (const row of reads) {
        const progress = entry(row.signer_id);
        progress.pagesRead[row.document_id] = Number(row.pages);
        if (row.last && (!progress.lastReadAt || row.last > progress.lastReadAt)) progress.lastReadAt = row.last as string;
      }
      return [...bySigner.values()];
    },
    async pagesRead(hash) {
      const rows = await db
        .selectFrom('signer_reads')
        .innerJoin('signer_links as theirs', 'theirs.token_hash', 'signer_reads.token_hash')
        .innerJoin('signer_links as mine', (join) => join.onRef('mine.contract_id', '=', 'theirs.contract_id').onRef('mine.signer_id', '=', 'theirs.signer_id'))
        .where('mine.token_hash', '=', hash)
        .select(['signer_reads.document_id', 'signer_reads.page'])
        .distinct()
        .orderBy('signer_reads.page')
        .execute();
      const read: Record<string, number[]> = {};
      for (const row of rows) (read[row.document_id] ??= []).push(row.page);
      return read;
    },
    async ensureCopy(link) {
      await db
        .insertInto('signer_copies')
        .values({ token_hash: tokenHash(link.token), contract_id: link.contractId, signer_id: link.signerId, expires_at: link.expiresAt, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('token_hash').doNothing())
        .execute();
    },
    async copyByToken(token) {
      const row = await db.selectFrom('signer_copies').selectAll().where('token_hash', '=', tokenHash(token)).executeTakeFirst();
      return row ? { tokenHash: row.token_hash, contractId: row.contract_id, signerId: row.signer_id, expiresAt: row.expires_at } : null;
    },
  };
}
