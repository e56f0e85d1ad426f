// A connector is a value: what it is called, which settings it needs (secret ones marked),
// how it is triggered and what it can do. The designer lists connectors and renders their
// settings from `describeConnector()` without running any connector code; heavy clients
// are imported inside the trigger and action functions only.
import type { Static, TObject } from '@sinclair/typebox';
import type { ConnectorError } from './errors';

export type ValidationOutcome = { valid: true } | { valid: false; error: string };

/** Everything a trigger or action gets: the instance's settings (secrets decrypted) and a deadline. */
export interface ConnectorContext<S> {
  settings: S;
  /** Aborted when the caller (e.g. a Temporal activity) gives up. */
  signal?: AbortSignal;
}

export interface ConnectorAuth<T extends TObject = TObject> {
  /** JSON Schema of the settings; secret fields carry `writeOnly: true` (see `Secret()`). */
  schema: T;
  /** A live check (reach the system, log in). Must not throw; the kit also catches if it does. */
  check?(settings: Static<T>): Promise<ValidationOutcome>;
}

/** One record from the source, as the kit sees it. */
export interface SourceItem {
  /** Stable key of the record in its system (PO number, OA request id, employee hire key). */
  sourceKey: string;
  /** What the record looks like now, before mapping. */
  record: unknown;
  /** Version of the record (e.g. SAP LastChangeDateTime); a new version of a started record is a change. */
  version?: string;
  /** Cursor positioned just after this item; lets the kit advance item by item. */
  cursor?: string;
  /** Set when the source says this record must not start anything (e.g. a PO that is not released). */
  skip?: string;
}

export interface SourcePage {
  items: SourceItem[];
  /** Where the next fetch starts; the kit stores it only once every item of the page is handled. */
  nextCursor: string | null;
  /** False when the source has nothing after this page. Default: another fetch if the page had items. */
  hasMore?: boolean;
}

export interface PollTrigger<S> {
  kind: 'poll';
  /** Suggested interval for new instances. */
  defaultEveryMinutes: number;
  fetchSince(ctx: ConnectorContext<S>, cursor: string | null): Promise<SourcePage>;
}

export interface WebhookTrigger<S> {
  kind: 'webhook';
  /** Turns a verified, parsed webhook payload into items (fetching from the source if the event carries only a key). */
  itemsFromPayload(ctx: ConnectorContext<S>, payload: unknown): Promise<SourceItem[]>;
}

export type ContractOutcome = 'completed' | 'declined' | 'expired';

export interface WriteBackRequest {
  sourceKey: string;
  contractId: string;
  outcome: ContractOutcome;
  /** Same key for the same contract outcome, however often it is retried. */
  idempotencyKey: string;
  /** A line for people reading the source system. */
  message: string;
  at: string;
}

export interface WriteBackResult {
  /** False when the source already had this write-back (idempotency key seen). */
  written: boolean;
  reference?: string;
}

export interface DelegatedApprovalRequest {
  contractId: string;
  idempotencyKey: string;
  title: string;
  amount?: number;
  /** Who starts the request in the other system (its user id). */
  requester?: string;
  fields: Record<string, string>;
  /** Where the other system should post its decision, if it can. */
  callbackUrl?: string;
}

export type ApprovalDecision =
  | { status: 'pending'; requestId: string }
  | { status: 'approved' | 'rejected'; requestId: string; decidedBy?: string; comment?: string; decidedAt?: string };

export interface ConnectorActions<S> {
  writeBack?(ctx: ConnectorContext<S>, request: WriteBackRequest): Promise<WriteBackResult>;
  /** Creates an approval request in the other system; idempotent by `idempotencyKey`. */
  delegateApproval?(ctx: ConnectorContext<S>, request: DelegatedApprovalRequest): Promise<{ requestId: string }>;
  /** Asks the other system for the decision on a delegated approval (poll). */
  approvalDecision?(ctx: ConnectorContext<S>, requestId: string): Promise<ApprovalDecision>;
  /** Reads a decision the other system posted to us (callback). */
  parseApprovalCallback?(payload: unknown): ApprovalDecision | ConnectorError;
}

export interface ConnectorDefinition<T extends TObject = TObject> {
  /** Stable snake_case id, stored in instances; never shown to people. */
  id: string;
  displayName: string;
  description: string;
  auth: ConnectorAuth<T>;
  triggers: { poll?: PollTrigger<Static<T>>; webhook?: WebhookTrigger<Static<T>> };
  actions: ConnectorActions<Static<T>>;
  /** A JSONata mapping to start from, for the flow this connector usually feeds. */
  defaultMapping?: string;
}

/**
 * Any connector, whatever its settings type; what registries and the kit hold. (Triggers
 * and actions are declared as methods so that a connector with specific settings is
 * assignable here; the kit validates settings against `auth.schema` before calling them.)
 */
export type AnyConnector = ConnectorDefinition<TObject>;

const ID_PATTERN = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

export function defineConnector<T extends TObject>(definition: ConnectorDefinition<T>): ConnectorDefinition<T> {
  if (!ID_PATTERN.test(definition.id)) throw new Error(`connector id "${definition.id}" must be snake_case`);
  if (!definition.triggers.poll && !definition.triggers.webhook) throw new Error(`connector ${definition.id} has no trigger`);
  return Object.freeze(definition);
}

/** What the designer and `GET /api/connectors` show: data only, no functions. */
export interface ConnectorDescription {
  id: string;
  displayName: string;
  description: string;
  settings: TObject;
  secretFields: string[];
  triggers: Array<{ kind: 'poll'; defaultEveryMinutes: number } | { kind: 'webhook' }>;
  actions: string[];
  defaultMapping?: string;
}

export function describeConnector(connector: AnyConnector): ConnectorDescription {
  const triggers: ConnectorDescription['triggers'] = [];
  if (connector.triggers.poll) triggers.push({ kind: 'poll', defaultEveryMinutes: connector.triggers.poll.defaultEveryMinutes });
  if (connector.triggers.webhook) triggers.push({ kind: 'webhook' });
  return {
    id: connector.id,
    displayName: connector.displayName,
    description: connector.description,
    // Plain JSON Schema: TypeBox's symbol markers stay behind.
    settings: JSON.parse(JSON.stringify(connector.auth.schema)) as TObject,
    secretFields: secretFields(connector.auth.schema),
    triggers,
    actions: Object.entries(connector.actions)
      .filter(([, action]) => typeof action === 'function')
      .map(([name]) => name),
    defaultMapping: connector.defaultMapping,
  };
}

/** Names of the settings marked secret (`writeOnly`). */
export function secretFields(schema: TObject): string[] {
  return Object.entries(schema.properties)
    .filter(([, property]) => (property as { writeOnly?: boolean }).writeOnly === true)
    .map(([name]) => name);
}

/**
 * Names of the settings that say where the connector sends requests (and with them its
 * secrets): `format: "uri"` (the kit's `Url()`), or a name ending in "url".
 */
export function destinationFields(schema: TObject): string[] {
  return Object.entries(schema.properties)
    .filter(([name, property]) => (property as { format?: string }).format === 'uri' || /url$/i.test(name))
    .map(([name]) => name);
}
