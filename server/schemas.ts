// Payload schemas of the REST API: ajv validates requests with them and the OpenAPI
// document publishes them.
import { Type } from '@sinclair/typebox';
import { ConnectorInstanceSchema, WebhookAuthSchema } from '../connectors';
import { CONTRACT_STATUSES, ContractStatusSchema, FlowDefinitionSchema, type ContractStatus } from '../flows';
import { DEFAULT_PAGE_SIZE, LEDGER_SORTS, MAX_PAGE_SIZE } from '../store';

const StringEnum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });

const DATE_OR_TIME = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2}))?$';
/** Search text: no control characters (they separate the fields of the stored search text). */
const SEARCH_TEXT = '^[^\\u0000-\\u001f]*$';

export const Role = Type.String({ pattern: '^[A-Za-z0-9_.\\-]+$', minLength: 1, maxLength: 64 });

export const CreateUserBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), roles: Type.Array(Role, { maxItems: 50 }), orgUnit: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])) },
  { additionalProperties: false },
);

export const UserSchema = Type.Object({ id: Type.String(), name: Type.String(), roles: Type.Array(Type.String()), orgUnit: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String() });
export const CreatedUserSchema = Type.Intersect([UserSchema, Type.Object({ token: Type.String({ description: 'bearer token; shown once, only its hash is stored' }) })]);

/** A flow body is checked by validateFlow for its precise paths; here it only has to be an object. */
export const FlowBody = Type.Object({}, { additionalProperties: true, description: 'a flow definition, see the FlowDefinition schema' });

export const FlowVersionSchema = Type.Object({
  key: Type.String(),
  version: Type.Integer(),
  status: StringEnum(['draft', 'published'] as const),
  name: Type.String(),
  definition: FlowDefinitionSchema,
  createdAt: Type.String(),
  createdBy: Type.String(),
  publishedAt: Type.Union([Type.String(), Type.Null()]),
  publishedBy: Type.Union([Type.String(), Type.Null()]),
});

export const FlowQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });

export const SimulateBody = Type.Object(
  { data: Type.Object({}, { additionalProperties: true }), version: Type.Optional(Type.Integer({ minimum: 1, description: 'defaults to the latest version, draft or published' })) },
  { additionalProperties: false },
);

export const StartContractBody = Type.Object(
  {
    flow: Type.String({ minLength: 1, description: 'key of a published flow' }),
    data: Type.Object({}, { additionalProperties: true, description: 'contract data; checked against the flow’s data schema' }),
    sourceKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the source record (e.g. a PO number); the same flow + sourceKey always yields the same contract' })),
    orgUnit: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "the org unit the contract belongs to: the caller's own (the default) or one below it" })),
  },
  { additionalProperties: false },
);

const Decision = Type.Object({ approver: Type.String(), userId: Type.String(), userName: Type.String(), decision: Type.String(), comment: Type.Union([Type.String(), Type.Null()]), at: Type.String() });
export const ContractSchema = Type.Object(
  {
    id: Type.String(),
    flowKey: Type.String(),
    flowVersion: Type.Integer(),
    flowName: Type.String(),
    sourceKey: Type.Union([Type.String(), Type.Null()]),
    title: Type.Union([Type.String(), Type.Null()]),
    status: ContractStatusSchema,
    amount: Type.Number(),
    tier: Type.Object({ index: Type.Integer(), upTo: Type.Union([Type.Number(), Type.Null()]) }),
    data: Type.Object({}, { additionalProperties: true }),
    steps: Type.Array(
      Type.Object({
        index: Type.Integer(),
        name: Type.String(),
        rule: StringEnum(['any', 'all'] as const),
        approvers: Type.Array(Type.String()),
        escalatedTo: Type.Array(Type.String()),
        status: Type.String(),
        decisions: Type.Array(Decision),
        startedAt: Type.Union([Type.String(), Type.Null()]),
        endedAt: Type.Union([Type.String(), Type.Null()]),
        dueAt: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    currentStep: Type.Union([Type.Integer(), Type.Null()]),
    timeline: Type.Array(Type.Object({ at: Type.String(), type: Type.String(), actor: Type.String(), message: Type.String() })),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { additionalProperties: true },
);

/** Filters of the ledger (合同台账), shared by the list, its counts and its exports. */
export const LedgerFilterProperties = {
  flow: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'flow key' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: SEARCH_TEXT, description: 'text in the title, a party, the contract id or the source key; any substring, Chinese included, case-insensitive; % and _ are literal' })),
  party: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: SEARCH_TEXT, description: "part of a party's (signer's) name" })),
  amountMin: Type.Optional(Type.Number({ description: 'amount at least' })),
  amountMax: Type.Optional(Type.Number({ description: 'amount at most' })),
  from: Type.Optional(Type.String({ pattern: DATE_OR_TIME, description: 'created at or after: a date (2026-11-01, from 00:00 UTC) or an ISO time' })),
  to: Type.Optional(Type.String({ pattern: DATE_OR_TIME, description: 'created at or before: a date (whole day included, UTC) or an ISO time' })),
  mine: Type.Optional(Type.Boolean({ description: 'only contracts the caller started' })),
  team: Type.Optional(Type.Boolean({ description: "only contracts of the caller's unit and the units below it" })),
  waitingOn: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "a user id: contracts whose current approval step waits on that user (named, or by a role they hold for the contract's unit)" })),
};

export const ContractListQuery = Type.Object(
  {
    status: Type.Optional(ContractStatusSchema),
    ...LedgerFilterProperties,
    sort: Type.Optional(StringEnum(LEDGER_SORTS)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: `rows per page (default ${DEFAULT_PAGE_SIZE})` })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page (same sort and filters)' })),
    page: Type.Optional(Type.Integer({ minimum: 1, description: 'page number, for callers that do not use cursors' })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: 'older name of limit' })),
  },
  { additionalProperties: false },
);

export const ContractCountsQuery = Type.Object(LedgerFilterProperties, { additionalProperties: false });

export const ContractSummarySchema = Type.Object({
  id: Type.String(),
  flowKey: Type.String(),
  flowVersion: Type.Integer(),
  title: Type.Union([Type.String(), Type.Null()]),
  status: ContractStatusSchema,
  amount: Type.Number(),
  sourceKey: Type.Union([Type.String(), Type.Null()]),
  currentStep: Type.Union([Type.Integer(), Type.Null()]),
  waitingOn: Type.Array(Type.String(), { description: 'approver slots of the current step still to decide (user:<id>, role:<name>)' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  parties: Type.Array(Type.String(), { description: "the signers' names" }),
  orgUnit: Type.Union([Type.String(), Type.Null()], { description: "the unit it belongs to; null: the tenant's top" }),
  initiator: Type.Union([Type.String(), Type.Null()], { description: 'the user who started it; null: a connector' }),
});

export const ContractListSchema = Type.Object({
  items: Type.Array(ContractSummarySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as cursor for the next page; null on the last one' }),
  total: Type.Integer({ description: 'contracts matching the filters' }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

export const ContractCountsSchema = Type.Object({
  counts: Type.Object(Object.fromEntries(CONTRACT_STATUSES.map((status) => [status, Type.Integer()])), { description: 'contracts per status; every status is present' }),
  total: Type.Integer(),
});

/** How long a GET of one contract waits by default, and at most: each long poll holds a connection. */
export const DEFAULT_WAIT_SECONDS = 30;
export const MAX_WAIT_SECONDS = 60;

export const ContractWaitQuery = Type.Object(
  {
    wait: Type.Optional(
      Type.Unsafe<ContractStatus>({
        type: 'string',
        enum: [...CONTRACT_STATUSES],
        description:
          'answer once the contract has this status or has gone past it (in_approval → approved → signing → completed), or has ended otherwise (rejected, cancelled, failed, declined, expired: at once); "signing" means the current round\'s invitations have gone out. Without it, the answer is immediate',
      }),
    ),
    signer: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'with wait=signing: wait until this signer\'s invitation has gone out (or they signed)' })),
    timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_WAIT_SECONDS, default: DEFAULT_WAIT_SECONDS, description: `seconds to wait at most (default ${DEFAULT_WAIT_SECONDS}, at most ${MAX_WAIT_SECONDS}); then the contract is returned as it is, with x-sealflow-wait: timeout` })),
  },
  { additionalProperties: false },
);

export const ApprovalBody = Type.Object(
  { decision: StringEnum(['approve', 'reject'] as const), comment: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

export const CancelBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });

export const OutboxQuery = Type.Object({ to: Type.Optional(Type.String()), contractId: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false });

export const HealthSchema = Type.Object({ ok: Type.Boolean(), temporal: StringEnum(['up', 'down'] as const), database: StringEnum(['up', 'down'] as const) });

// Connectors. The instance body is the connector kit's own schema (settings are then checked
// against the chosen connector's settings schema, with JSON paths under /settings).
export const CreateConnectorBody = ConnectorInstanceSchema;

const PollTrigger = ConnectorInstanceSchema.properties.trigger.anyOf[0];
export const UpdateConnectorBody = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    settings: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'secret settings left out keep their value' })),
    trigger: Type.Optional(Type.Union([PollTrigger, Type.Object({ kind: Type.Literal('webhook'), auth: Type.Optional(WebhookAuthSchema) }, { additionalProperties: false })])),
    flow: Type.Optional(ConnectorInstanceSchema.properties.flow),
    mapping: Type.Optional(ConnectorInstanceSchema.properties.mapping),
    enabled: Type.Optional(Type.Boolean()),
    orgUnit: ConnectorInstanceSchema.properties.orgUnit,
  },
  { additionalProperties: false, description: 'fields left out keep their value' },
);

export const PreviewMappingBody = Type.Object(
  {
    sample: Type.Unknown({ description: 'a source record, as the connector reads it' }),
    mapping: Type.Optional(Type.String({ minLength: 1, description: "a mapping to try instead of the instance's" })),
  },
  { additionalProperties: false, required: ['sample'] },
);

const ConnectorHealthSchema = Type.Object({
  instance: Type.String(),
  lastSyncAt: Type.Optional(Type.String()),
  lastSuccessAt: Type.Optional(Type.String()),
  recordsRead: Type.Integer(),
  contractsStarted: Type.Integer(),
  changesReported: Type.Integer(),
  skipped: Type.Integer(),
  errors: Type.Integer(),
  consecutiveFailures: Type.Integer(),
  lastError: Type.Optional(Type.Object({ at: Type.String(), code: Type.String(), message: Type.String(), sourceKey: Type.Optional(Type.String()) })),
});

export const ConnectorInstanceViewSchema = Type.Object({
  id: Type.String(),
  connector: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  flow: Type.String(),
  mapping: Type.String(),
  trigger: Type.Union([Type.Object({ kind: Type.Literal('poll'), everyMinutes: Type.Integer() }), Type.Object({ kind: Type.Literal('webhook') })]),
  enabled: Type.Boolean(),
  orgUnit: Type.Union([Type.String(), Type.Null()], { description: "the org unit its contracts belong to; null: the tenant's top" }),
  publicSettings: Type.Record(Type.String(), Type.Unknown(), { description: 'settings that are not secret' }),
  secretsSet: Type.Array(Type.String(), { description: 'secret settings that hold a value; values are never returned' }),
  webhook: Type.Union([Type.Object({ url: Type.String(), auth: Type.String() }), Type.Null()]),
  health: Type.Union([ConnectorHealthSchema, Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ConnectorSyncSummarySchema = Type.Object({
  instance: Type.String(),
  active: Type.Boolean(),
  read: Type.Integer(),
  started: Type.Integer(),
  changed: Type.Integer(),
  skipped: Type.Integer(),
  errors: Type.Array(Type.Object({ sourceKey: Type.Optional(Type.String()), code: Type.String(), message: Type.String() })),
  hasMore: Type.Boolean(),
  failure: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  everyMinutes: Type.Integer(),
  at: Type.String(),
});
