// The store's public surface: server and worker import only this file.
import { sql } from 'kysely';
import { createConnectorRepository, type ConnectorRepository } from './connectors';
import { createContractRepository, type ContractRepository } from './contracts';
import { openDatabase, type DialectName, type StoreOptions } from './database';
import { createAnchorRepository, type AnchorRepository } from './anchors';
import { createDocumentRepository, type DocumentRepository } from './documents';
import { createFlowRepository, type FlowRepository } from './flows';
import { createIdentityRepository, type IdentityRepository } from './identities';
import { createIdentityCostRepository, type IdentityCostRepository } from './identity-costs';
import { migrateToLatest } from './migrations';
import { createOutboxRepository, type OutboxRepository } from './outbox';
import { createSealRepository, type SealRepository } from './seals';
import { createSignerLinkRepository, type SignerLinkRepository } from './signer-links';
import { createSigningKeyRepository, type SigningKeyRepository } from './signing-keys';
import { createTemplateRepository, type TemplateRepository } from './templates';
import { createUserRepository, type UserRepository } from './users';
import { createSessionRepository, type SessionRepository } from './sessions';
import { createApiKeyRepository, type ApiKeyRepository } from './api-keys';
import { createOrgUnitRepository, type OrgUnitRepository } from './org-units';
import { createTenantRepository, type TenantRepository } from './tenants';
import { createAuditRepository, type AuditRepository } from './audit';
import { createStatsRepository, type StatsRepository } from './stats';
import { createRateLimitRepository, type RateLimitRepository } from './rate-limits';
import { createNotificationDeliveryRepository, type NotificationDeliveryRepository } from './notification-deliveries';

export { isDatabaseUnavailable, StoreError, type StoreErrorCode } from './errors';
export { DEFAULT_SQLITE_PATH, type DialectName, type StoreOptions } from './database';
export { migrateToLatest, migrationNames } from './migrations';
export { backupSqlite, exportPostgres, importPostgres, installSqlite, postgresState, sqliteHasData, type MigrationLevel, type TableSink, type TableSource } from './backup';
export type { FlowRepository, FlowSummary, FlowVersion } from './flows';
export { normalizeLogin, type NewUser, type User, type UserChanges, type UserRepository } from './users';
export type { Session, SessionPolicy, SessionRepository, SignInThrottle } from './sessions';
export type { ApiKey, ApiKeyRepository, NewApiKey } from './api-keys';
export { isWithinUnit, unitPathIds, type OrgUnit, type OrgUnitRepository } from './org-units';
export type { Tenant, TenantRepository } from './tenants';
export { AuditCursorError, MAX_AUDIT_PAGE, type AuditEvent, type AuditFilter, type AuditPage, type AuditRepository, type NewAuditEvent } from './audit';
export type { ChangedContract, ProjectionFilter, StartedCount, StatsRepository } from './stats';
export { waitingOn, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ContractChangeResult, type ContractCounts, type ContractFilter, type ContractPage, type ContractScope, type ContractRepository, type ContractSummary } from './contracts';
export { approverSlots, decodeCursor, LEDGER_SORTS, type LedgerSort, type WaitingOnFilter } from './contract-search';
export type { OutboxFilter, OutboxMessage, OutboxRepository } from './outbox';
export { secondsUntilToken, type BucketLimit, type RateLimitRepository } from './rate-limits';
export type { DeliveryClaim, NotificationDeliveryRepository } from './notification-deliveries';
export type { Anchor, AnchorLeaf, AnchorRepository } from './anchors';
export type { DocumentRepository, StoredDocument } from './documents';
export type { StoredTemplate, TemplateRepository } from './templates';
export type { KeyRecordRow, SigningKeyRepository } from './signing-keys';
export { tokenHash, type SignerCopyLink, type SignerLink, type SignerLinkRepository, type SignerProgress } from './signer-links';
export type { Seal, SealInput, SealRepository } from './seals';
export type { ConnectorHealthRecord, ConnectorInstanceInput, ConnectorInstanceRecord, ConnectorRepository, ConnectorRun, ConnectorTrigger, ConnectorWebhookAuth, OpenedConnectorInstance } from './connectors';
export { openSecret, sealSecret, secretAad, SecretError } from './secrets';
export type { IdentityCostEntry, IdentityCostRepository, IdentityCostRow } from './identity-costs';
export type { IdentityFlowRecord, IdentityFlowStatus, IdentityRecord, IdentityRepository, IdentitySubjectFacts, NewIdentityFlow } from './identities';

export interface Store {
  readonly dialect: DialectName;
  /** Where this store's database is (what ops/ backup copies). */
  readonly location: StoreOptions;
  /** Throws if the database does not answer. */
  ping(): Promise<void>;
  /** Closes the connection(s); calling it again does nothing. */
  close(): Promise<void>;
  readonly flows: FlowRepository;
  readonly tenants: TenantRepository;
  readonly orgUnits: OrgUnitRepository;
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly contracts: ContractRepository;
  readonly outbox: OutboxRepository;
  readonly documents: DocumentRepository;
  readonly templates: TemplateRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly signerLinks: SignerLinkRepository;
  readonly connectors: ConnectorRepository;
  readonly seals: SealRepository;
  readonly identities: IdentityRepository;
  /** Identity providers' calls and costs, per provider and capability, counted by every server. */
  readonly identityCosts: IdentityCostRepository;
  readonly audit: AuditRepository;
  /** Reads over the contract projection: statistics, needs attention, live events. */
  readonly stats: StatsRepository;
  /** Token buckets shared by every server process (public endpoints, webhooks, sign-in). */
  readonly rateLimits: RateLimitRepository;
  /** Notifications claimed and delivered, shared by every worker: a message goes out once. */
  readonly notificationDeliveries: NotificationDeliveryRepository;
  /** Merkle roots over new evidence events, each with its RFC 3161 timestamp (全链路存证). */
  readonly anchors: AnchorRepository;
}

/** Opens the database named by the options and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const { db, dialect, release } = openDatabase(options);
  try {
    await migrateToLatest(db, dialect);
  } catch (error) {
    await release().catch(() => {});
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    dialect,
    location: options.databaseUrl ? { databaseUrl: options.databaseUrl } : { sqlitePath: options.sqlitePath },
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      // pg's Pool.end() throws when called twice; shutdown paths may well do that.
      closing ??= release();
      return closing;
    },
    flows: createFlowRepository(db),
    tenants: createTenantRepository(db),
    orgUnits: createOrgUnitRepository(db),
    users: createUserRepository(db, dialect),
    sessions: createSessionRepository(db),
    apiKeys: createApiKeyRepository(db),
    contracts: createContractRepository(db, dialect),
    outbox: createOutboxRepository(db),
    documents: createDocumentRepository(db),
    templates: createTemplateRepository(db),
    signingKeys: createSigningKeyRepository(db),
    signerLinks: createSignerLinkRepository(db),
    connectors: createConnectorRepository(db),
    seals: createSealRepository(db),
    identities: createIdentityRepository(db),
    identityCosts: createIdentityCostRepository(db),
    audit: createAuditRepository(db),
    stats: createStatsRepository(db),
    rateLimits: createRateLimitRepository(db, dialect),
    notificationDeliveries: createNotificationDeliveryRepository(db),
    anchors: createAnchorRepository(db),
  };
}
