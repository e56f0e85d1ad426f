// Verified identities (实名认证 records) and the multi-step verifications that lead to them.
// The rules (which level satisfies which, how long a record lives, how many tries a transfer
// gets) live in identity/; this file keeps rows and makes the two races safe: a retried call
// does not add a second record, and two concurrent tries cannot both take the last one.
import type { Kysely, Selectable } from 'kysely';
import type { Database, IdentityFlowsTable, IdentityRecordsTable } from './tables';

export interface IdentitySubjectFacts {
  kind: 'person' | 'company';
  name: string;
  /** Hex HMAC-SHA256 of the normalised ID number; never the number. */
  idNumberHmac: string | null;
  mobileMasked: string | null;
  creditCode: string | null;
  legalRepresentative: string | null;
}

export interface IdentityRecord {
  id: string;
  subjectKey: string;
  level: string;
  method: string;
  provider: string;
  providerReference: string;
  subject: IdentitySubjectFacts;
  verifiedAt: string;
  expiresAt: string;
  evidenceDigest: string;
  idempotencyKey: string;
}

export type IdentityFlowStatus = IdentityFlowsTable['status'];

export interface IdentityFlowRecord {
  id: string;
  provider: string;
  providerFlowId: string;
  method: string;
  level: string;
  subjectKey: string;
  subject: IdentitySubjectFacts;
  status: IdentityFlowStatus;
  step: string;
  tries: number;
  maxTries: number;
  /** Idempotency key of the input that took the last try. */
  lastInputKey: string | null;
  windowEndsAt: string;
  details: Record<string, unknown> | null;
  evidenceDigests: string[];
  recordId: string | null;
  idempotencyKey: string;
  createdAt: string;
  updatedAt: string;
  /** Who started it: "contract:<id>:<signer>" for a signer's link; null when started elsewhere. */
  owner: string | null;
}

export type NewIdentityFlow = Omit<IdentityFlowRecord, 'tries' | 'lastInputKey' | 'recordId' | 'updatedAt' | 'owner'> & { owner?: string | null };

export interface IdentityRepository {
  /** Stores a record; when one with the same idempotency key exists, returns that one instead. */
  saveRecord(record: IdentityRecord): Promise<IdentityRecord>;
  /** The most recently verified record of the subject at one of the levels, still valid at `at`. */
  findValidRecord(subjectKey: string, levels: readonly string[], at: string): Promise<IdentityRecord | null>;
  getRecord(id: string): Promise<IdentityRecord | null>;
  /** Stores a flow; when one with the same idempotency key exists, returns that one instead. */
  createFlow(flow: NewIdentityFlow): Promise<IdentityFlowRecord>;
  getFlow(id: string): Promise<IdentityFlowRecord | null>;
  /** The flows that ended in this record (a multi-step verification), oldest first: their evidence digests go into evidence packages. */
  flowsOfRecord(recordId: string): Promise<IdentityFlowRecord[]>;
  /**
   * Takes one try of a pending flow whose window is open at `at`, in one statement, so two
   * concurrent submissions cannot both take the last try. `replayed` when the input with this
   * idempotency key already took the last try (a double click, a retried request): it takes
   * none again. `refused` when no try is left.
   */
  claimTry(id: string, at: string, inputKey: string): Promise<'claimed' | 'replayed' | 'refused'>;
  /** Gives back a try the provider never answered (it was down), so an outage costs nobody a try. */
  releaseTry(id: string, at: string): Promise<void>;
  /** Sets the state a provider answered; a flow that is no longer pending is left as it is. */
  updateFlow(id: string, change: { status: IdentityFlowStatus; step: string; details?: Record<string, unknown> | null; evidenceDigest?: string; recordId?: string | null }, at: string): Promise<IdentityFlowRecord | null>;
  /** Names the record a contract's signer proved on their link (replacing an earlier one): the record their certificate is issued from. */
  bindSigner(contractId: string, signerId: string, recordId: string, at: string): Promise<void>;
  /** The record bound to a contract's signer, with when it was bound; null when they proved nobody yet. */
  signerRecord(contractId: string, signerId: string): Promise<(IdentityRecord & { boundAt: string }) | null>;
}

const facts = (row: { name: string; id_number_hmac: string | null; mobile_masked: string | null; credit_code: string | null; legal_representative: string | null }, kind: 'person' | 'company'): IdentitySubjectFacts => ({
  kind,
  name: row.name,
  idNumberHmac: row.id_number_hmac,
  mobileMasked: row.mobile_masked,
  creditCode: row.credit_code,
  legalRepresentative: row.legal_representative,
});

function toRecord(row: Selectable<IdentityRecordsTable>): IdentityRecord {
  return {
    id: row.id,
    subjectKey: row.subject_key,
    level: row.level,
    method: row.method,
    provider: row.provider,
    providerReference: row.provider_reference,
    subject: facts(row, row.kind),
    verifiedAt: row.verified_at,
    expiresAt: row.expires_at,
    evidenceDigest: row.evidence_digest,
    idempotencyKey: row.idempotency_key,
  };
}

function toFlow(row: Selectable<IdentityFlowsTable>): IdentityFlowRecord {
  return {
    id: row.id,
    provider: row.provider,
    providerFlowId: row.provider_flow_id,
    method: row.method,
    level: row.level,
    subjectKey: row.subject_key,
    subject: JSON.parse(row.subject) as IdentitySubjectFacts,
    status: row.status,
    step: row.step,
    tries: Number(row.tries),
    maxTries: Number(row.max_tries),
    lastInputKey: row.last_input_key,
    windowEndsAt: row.window_ends_at,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
    evidenceDigests: JSON.parse(row.evidence_digests) as string[],
    recordId: row.record_id,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    owner: row.owner ?? null,
  };
}

export function createIdentityRepository(db: Kysely<Database>): IdentityRepository {
  const getRecord = async (id: string) => {
    const row = await db.selectFrom('identity_records').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  };
  const getFlow = async (id: string) => {
    const row = await db.selectFrom('identity_flows').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toFlow(row) : null;
  };

  return {
    async saveRecord(record) {
      await db
        .insertInto('identity_records')
        .values({
          id: record.id,
          subject_key: record.subjectKey,
          kind: record.subject.kind,
          level: record.level,
          method: record.method,
          provider: record.provider,
          provider_reference: record.providerReference,
          name: record.subject.name,
          id_number_hmac: record.subject.idNumberHmac,
          mobile_masked: record.subject.mobileMasked,
          credit_code: record.subject.creditCode,
          legal_representative: record.subject.legalRepresentative,
          verified_at: record.verifiedAt,
          expires_at: record.expiresAt,
          evidence_digest: record.evidenceDigest,
          idempotency_key: record.idempotencyKey,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
      const row = await db.selectFrom('identity_records').selectAll().where('idempotency_key', '=', record.idempotencyKey).executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async findValidRecord(subjectKey, levels, at) {
      if (levels.length === 0) return null;
      const row = await db
        .selectFrom('identity_records')
        .selectAll()
        .where('subject_key', '=', subjectKey)
        .where('level', 'in', [...levels])
        .where('expires_at', '>', at)
        .orderBy('verified_at', 'desc')
        .orderBy('id')
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    getRecord,
    async createFlow(flow) {
      await db
        .insertInto('identity_flows')
        .values({
          id: flow.id,
          provider: flow.provider,
          provider_flow_id: flow.providerFlowId,
          method: flow.method,
          level: flow.level,
          subject_key: flow.subjectKey,
          subject: JSON.stringify(flow.subject),
          status: flow.status,
          step: flow.step,
          max_tries: flow.maxTries,
          last_input_key: null,
          window_ends_at: flow.windowEndsAt,
          details: flow.details === null ? null : JSON.stringify(flow.details),
          evidence_digests: JSON.stringify(flow.evidenceDigests),
          record_id: null,
          idempotency_key: flow.idempotencyKey,
          created_at: flow.createdAt,
          updated_at: flow.createdAt,
          owner: flow.owner ?? null,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
      const row = await db.selectFrom('identity_flows').selectAll().where('idempotency_key', '=', flow.idempotencyKey).executeTakeFirstOrThrow();
      return toFlow(row);
    },
    getFlow,
    async flowsOfRecord(recordId) {
      return (await db.selectFrom('identity_flows').selectAll().where('record_id', '=', recordId).orderBy('created_at').execute()).map(toFlow);
    },
    async claimTry(id, at, inputKey) {
      const result = await db
        .updateTable('identity_flows')
        .set((eb) => ({ tries: eb('tries', '+', 1), last_input_key: inputKey, updated_at: at }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('window_ends_at', '>', at)
        .whereRef('tries', '<', 'max_tries')
        .where((eb) => eb.or([eb('last_input_key', 'is', null), eb('last_input_key', '!=', inputKey)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return 'claimed';
      const row = await db.selectFrom('identity_flows').select('last_input_key').where('id', '=', id).executeTakeFirst();
      return row?.last_input_key === inputKey ? 'replayed' : 'refused';
    },
    async releaseTry(id, at) {
      await db
        .updateTable('identity_flows')
        .set((eb) => ({ tries: eb('tries', '-', 1), last_input_key: null, updated_at: at }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('tries', '>', 0)
        .execute();
    },
    async updateFlow(id, change, at) {
      const current = await getFlow(id);
      if (!current) return null;
      const evidence = change.evidenceDigest ? [...current.evidenceDigests, change.evidenceDigest] : current.evidenceDigests;
      await db
        .updateTable('identity_flows')
        .set({
          status: change.status,
          step: change.step,
          ...(change.details !== undefined ? { details: change.details === null ? null : JSON.stringify(change.details) } : {}),
          evidence_digests: JSON.stringify(evidence),
          ...(change.recordId !== undefined ? { record_id: change.recordId } : {}),
          updated_at: at,
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      return getFlow(id);
    },
    async bindSigner(contractId, signerId, recordId, at) {
      await db
        .insertInto('identity_signers')
        .values({ contract_id: contractId, signer_id: signerId, record_id: recordId, bound_at: at })
        .onConflict((oc) => oc.columns(['contract_id', 'signer_id']).doUpdateSet({ record_id: recordId, bound_at: at }))
        .execute();
    },
    async signerRecord(contractId, signerId) {
      const bound = await db.selectFrom('identity_signers').select(['record_id', 'bound_at']).where('contract_id', '=', contractId).where('signer_id', '=', signerId).executeTakeFirst();
      const record = bound ? await getRecord(bound.record_id) : null;
      return record ? { ...record, boundAt: bound!.bound_at } : null;
    },
  };
}
