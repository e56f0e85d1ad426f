// Row shapes as the database holds them. JSON lives in TEXT columns and timestamps are
// ISO-8601 strings in both dialects, so one set of types (and one set of queries)
// serves SQLite and PostgreSQL alike; the repositories convert to domain objects.
import type { Generated } from 'kysely';

export interface FlowsTable {
  /** The tenant that owns it ('default' for rows from before tenants). */
  tenant_id: Generated<string>;
  key: string;
  /** Name of the latest version, so the list needs no join. */
  name: string;
  latest_version: number;
  published_version: number | null;
  created_at: string;
  updated_at: string;
}

export interface FlowVersionsTable {
  /** The tenant that owns it ('default' for rows from before tenants). */
  tenant_id: Generated<string>;
  flow_key: string;
  version: number;
  status: 'draft' | 'published';
  name: string;
  /** FlowDefinition as JSON. */
  definition: string;
  created_at: string;
  created_by: string;
  published_at: string | null;
  published_by: string | null;
}

export interface TenantsTable {
  id: string;
  name: string;
  created_at: string;
}

/** A unit of the org tree (集团 → 分公司 → 部门). */
export interface OrgUnitsTable {
  id: string;
  tenant_id: string;
  parent_id: string | null;
  name: string;
  /** '/<root id>/…/<own id>/': the unit's ancestors and itself; a subtree is a prefix. */
  path: string;
  created_at: string;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  name: string;
  /** What the user signs in with; null for users who only use API keys. */
  login: string | null;
  /** argon2id (PHC string); null when no password was set. */
  password_hash: string | null;
  /** string[] as JSON. */
  roles: string;
  /** The unit the user belongs to and holds their roles in; null = the tenant's top. */
  org_unit: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A bearer key for a system (or a user's script): named, scoped, expiring, revocable. */
export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  /** Whose rights the key carries (never more than theirs). */
  user_id: string;
  name: string;
  /** sha256 of the key, hex; the key itself is shown once and never stored. */
  token_hash: string;
  /** string[] as JSON: ['*'] or scopes. */
  scopes: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  created_by: string;
}

/** A browser session; its id travels in an httpOnly cookie and is stored only as a sha256. */
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  tenant_id: string;
  /** Sent back in the x-csrf-token header of every state-changing request. */
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

/** Failed sign-ins of one login within the current window (see store/sessions.ts). */
export interface SignInFailuresTable {
  login: string;
  failures: number;
  first_failed_at: string;
}

/** 操作留痕: one row per action. */
export interface AuditEventsTable {
  id: string;
  tenant_id: string;
  at: string;
  actor_id: string;
  actor_name: string;
  /** e.g. 'contract.nudge', 'user.disable', 'session.login'. */
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** JSON or null. */
  details: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ContractsTable {
  id: string;
  flow_key: string;
  flow_version: number;
  source_key: string | null;
  status: string;
  title: string | null;
  amount: number;
  current_step: number | null;
  /** string[] as JSON, derived from the state on every save. */
  waiting_on: string;
  /** The full ContractState as JSON. */
  state: string;
  revision: number;
  created_at: string;
  updated_at: string;
  tenant_id: string;
  /** The unit that started the contract, and that unit's path (see OrgUnitsTable). */
  org_unit: string | null;
  unit_path: string | null;
  /** The user who started it; null when a connector did. */
  initiator_id: string | null;
  /** The parties' names (signers), for search. */
  parties: string;
}

export interface OutboxTable {
  /** Insertion order: breaks ties between messages written in the same millisecond. */
  seq: Generated<number>;
  id: string;
  idempotency_key: string;
  channel: 'email' | 'sms' | 'inbox';
  /** `to` is a reserved word in SQL. */
  recipient: string;
  subject: string;
  body: string;
  contract_id: string | null;
  created_at: string;
}

export interface DocumentsTable {
  sha256: string;
  media_type: string;
  size: number;
  content: Uint8Array;
  created_at: string;
}

export interface TemplatesTable {
  /** The tenant that owns it ('default' for rows from before tenants). */
  tenant_id: Generated<string>;
  id: string;
  title: string;
  /** Handlebars source. */
  source: string;
  /** JSON Schema of the template's variables, as JSON. */
  schema: string;
  /** Sample data as JSON, for previews. */
  sample: string | null;
  updated_at: string;
  updated_by: string;
}

export interface SigningKeysTable {
  id: string;
  kind: string;
  /** The signing engine's record as JSON: ciphertext and public material only. */
  record: string;
  updated_at: string;
}

export interface ConnectorsTable {
  /** The tenant that owns it ('default' for rows from before tenants). */
  tenant_id: Generated<string>;
  /** Global: the webhook URL and the sync workflow name it. The default tenant's equal their key. */
  id: string;
  /** The name IT gave the instance, unique within its tenant (migration 0012). */
  key: string;
  /** The org unit its contracts belong to; null: the tenant's top. */
  org_unit: string | null;
  /** Connector id (e.g. sap_purchase_orders). */
  connector: string;
  name: string | null;
  flow: string;
  /** JSONata mapping from a source record to the flow's data. */
  mapping: string;
  /** `{kind: 'poll', everyMinutes} | {kind: 'webhook'}` as JSON. */
  trigger: string;
  /** The settings that are not secret, as JSON. */
  settings: string;
  /** `{field: sealed value}` as JSON; AES-256-GCM, never in clear (store/secrets.ts). */
  secrets: string;
  /** `{kind, sealed}` as JSON, or null when the instance takes no webhooks. */
  webhook_auth: string | null;
  /** 1 or 0. */
  enabled: number;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

/** A signed webhook delivery seen recently (its id), so that a replay is refused. */
export interface WebhookDeliveriesTable {
  instance_id: string;
  delivery_id: string;
  received_at: string;
}

/** Per connector instance: where the next sync starts, and its health counters. */
export interface ConnectorStatusTable {
  instance_id: string;
  cursor: string | null;
  cursor_at: string | null;
  last_sync_at: string | null;
  last_success_at: string | null;
  records_read: number;
  contracts_started: number;
  changes_reported: number;
  skipped: number;
  errors: number;
  consecutive_failures: number;
  /** `{at, code, message, sourceKey?}` as JSON. */
  last_error: string | null;
}

export interface SignerLinksTable {
  /** sha256 of the link token, hex. */
  token_hash: string;
  contract_id: string;
  signer_id: string;
  expires_at: string;
  created_at: string;
  /** HMAC of the current one-time code; null when none is outstanding. */
  otp_hash: string | null;
  otp_expires_at: string | null;
  otp_sent_at: string | null;
  otp_failures: Generated<number>;
  /** Times the code was locked by wrong guesses since the last (re-)invitation. */
  otp_lockouts: Generated<number>;
  /** When the signer first opened their page through this link. */
  opened_at: Generated<string | null>;
}

/** Codes sent to one mobile number on one day (YYYY-MM-DD, China time). */
export interface OtpSendsTable {
  mobile: string;
  day: string;
  count: number;
}

/** A signer's download link for the signed copy of a completed contract. */
export interface SignerCopiesTable {
  token_hash: string;
  contract_id: string;
  signer_id: string;
  expires_at: string;
  created_at: string;
}

export interface SignerReadsTable {
  token_hash: string;
  document_id: string;
  page: number;
  read_at: string;
}

export interface SealsTable {
  /** The tenant that owns it ('default' for rows from before tenants). */
  tenant_id: Generated<string>;
  /** As flows name it (`signers[].seal`). */
  name: string;
  company: string;
  /** Ids of the users allowed to sign with it: string[] as JSON. */
  users: string;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

/**
 * A verified identity (实名认证 result). A person is keyed by an HMAC of their ID number, never
 * the number; a company by its credit code. Reused until expires_at.
 */
export interface IdentityRecordsTable {
  id: string;
  /** "person:<id-number HMAC>" or "company:<credit code>". */
  subject_key: string;
  kind: 'person' | 'company';
  /** The level this proves, e.g. "telecom", "company-transfer". */
  level: string;
  /** The provider capability used, e.g. "person.telecom". */
  method: string;
  provider: string;
  provider_reference: string;
  name: string;
  id_number_hmac: string | null;
  /** e.g. 138****8000 */
  mobile_masked: string | null;
  credit_code: string | null;
  legal_representative: string | null;
  verified_at: string;
  expires_at: string;
  /** SHA-256 of the provider's answer(s). */
  evidence_digest: string;
  /** The call that made it: a retried call finds the record instead of adding one. */
  idempotency_key: string;
}

/** A multi-step verification in progress (SMS code, 对公打款, face, reverse payment, authorisation). */
export interface IdentityFlowsTable {
  id: string;
  provider: string;
  provider_flow_id: string;
  method: string;
  level: string;
  subject_key: string;
  /** The subject facts the record will hold (no raw ID number): JSON. */
  subject: string;
  status: 'pending' | 'passed' | 'failed' | 'expired';
  step: string;
  /** Inputs tried (transfer amounts, SMS codes). */
  tries: Generated<number>;
  max_tries: number;
  /** Idempotency key of the input that took the last try: the same input sent again takes none. */
  last_input_key: string | null;
  /** After this the flow accepts nothing (对公打款: 7 days). */
  window_ends_at: string;
  /** Provider-side details the page needs (redirect URL, where to pay): JSON or null. */
  details: string | null;
  evidence_digests: string;
  record_id: string | null;
  idempotency_key: string;
  created_at: string;
  updated_at: string;
  /** Who started it, e.g. "contract:<id>:<signer>" for a signer's link (0016); null for flows started elsewhere. */
  owner: string | null;
}

/** Which verified identity a contract's signer proved on their link: the record their certificate names. */
export interface IdentitySignersTable {
  contract_id: string;
  signer_id: string;
  record_id: string;
  bound_at: string;
}

/** Calls to one identity provider for one capability, counted by every server (store/identity-costs.ts). */
export interface IdentityCostsTable {
  provider: string;
  capability: string;
  answered: number;
  failed: number;
  /** Sum of the provider's prices of the answered calls, in fen. */
  fen: number;
}

/** A token bucket of one rate-limited key (store/rate-limits.ts); times in epoch ms. */
export interface RateLimitsTable {
  key: string;
  tokens: number;
  at: number;
  /** 1 when the last take got a token. */
  granted: number;
  /** When the bucket is full again at the latest: after that the row means nothing and is purged. */
  full_at: number;
}

/** A notification claimed for sending, then delivered (store/notification-deliveries.ts, notify/deliveries.ts). */
export interface NotificationDeliveriesTable {
  /** `<channel>:<idempotency key>`. */
  key: string;
  /** Who holds the claim (a random id per claim). */
  owner: string;
  state: 'sending' | 'delivered';
  /** A 'sending' claim whose lease ran out (its sender died) may be taken over; epoch ms. */
  lease_until: number;
  claimed_at: string;
  delivered_at: string | null;
}

export interface Database {
  flows: FlowsTable;
  flow_versions: FlowVersionsTable;
  tenants: TenantsTable;
  org_units: OrgUnitsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  sign_in_failures: SignInFailuresTable;
  audit_events: AuditEventsTable;
  contracts: ContractsTable;
  outbox: OutboxTable;
  documents: DocumentsTable;
  templates: TemplatesTable;
  signing_keys: SigningKeysTable;
  signer_links: SignerLinksTable;
  signer_reads: SignerReadsTable;
  otp_sends: OtpSendsTable;
  signer_copies: SignerCopiesTable;
  connectors: ConnectorsTable;
  connector_status: ConnectorStatusTable;
  webhook_deliveries: WebhookDeliveriesTable;
  rate_limits: RateLimitsTable;
  notification_deliveries: NotificationDeliveriesTable;
  seals: SealsTable;
  identity_records: IdentityRecordsTable;
  identity_flows: IdentityFlowsTable;
  identity_signers: IdentitySignersTable;
  identity_costs: IdentityCostsTable;
}
