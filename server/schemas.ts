// Payload schemas of the REST API: ajv validates requests with them and the OpenAPI
// document publishes them.
import { Type } from '@sinclair/typebox';
import { FlowDefinitionSchema } from '../flows';

const StringEnum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });

const DATE_OR_TIME = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2}))?$';

export const CONTRACT_STATUSES = ['in_approval', 'approved', 'rejected', 'cancelled'] as const;

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
    status: StringEnum(CONTRACT_STATUSES),
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

export const ContractListQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(CONTRACT_STATUSES)),
    flow: Type.Optional(Type.String()),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    from: Type.Optional(Type.String({ pattern: DATE_OR_TIME, description: 'created at or after: a date (2026-11-01) or an ISO time' })),
    to: Type.Optional(Type.String({ pattern: DATE_OR_TIME, description: 'created at or before: a date (whole day included) or an ISO time' })),
    page: Type.Optional(Type.Integer({ minimum: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
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
