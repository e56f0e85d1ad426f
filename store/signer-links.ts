// Signers' personal links and what happens on them: the one-time code (its hash, expiry,
// failures) and the pages read. Only a token's SHA-256 is stored; the token is the link.
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
}

export interface SignerLinkRepository {
  /** Creates the link unless it exists (the invitation activity may run twice). */
  ensure(link: { token: string; contractId: string; signerId: string; expiresAt: string }): Promise<void>;
  byToken(token: string): Promise<SignerLink | null>;
  forContract(contractId: string): Promise<SignerLink[]>;
  /** A new one-time code replaces any earlier one and resets the failure count. */
  setOtp(tokenHash: string, otp: { hash: string; expiresAt: string; sentAt: string }): Promise<void>;
  /** Counts a wrong code; returns the failures so far. */
  failOtp(tokenHash: string): Promise<number>;
  clearOtp(tokenHash: string): Promise<void>;
  markRead(tokenHash: string, documentId: string, page: number): Promise<void>;
  pagesRead(tokenHash: string): Promise<Record<string, number[]>>;
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
    async failOtp(hash) {
      // One statement, so two wrong codes at once both count.
      await db.updateTable('signer_links').set({ otp_failures: sql`otp_failures + 1` }).where('token_hash', '=', hash).execute();
      const row = await db.selectFrom('signer_links').select('otp_failures').where('token_hash', '=', hash).executeTakeFirstOrThrow();
      return row.otp_failures;
    },
    async clearOtp(hash) {
      await db.updateTable('signer_links').set({ otp_hash: null, otp_expires_at: null }).where('token_hash', '=', hash).execute();
    },
    async markRead(hash, documentId, page) {
      await db
        .insertInto('signer_reads')
        .values({ token_hash: hash, document_id: documentId, page, read_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(['token_hash', 'document_id', 'page']).doNothing())
        .execute();
    },
    async pagesRead(hash) {
      const rows = await db.selectFrom('signer_reads').select(['document_id', 'page']).where('token_hash', '=', hash).orderBy('page').execute();
      const read: Record<string, number[]> = {};
      for (const row of rows) (read[row.document_id] ??= []).push(row.page);
      return read;
    },
  };
}
