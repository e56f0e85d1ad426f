// The flow language (v1) as one JSON Schema. TypeBox gives us the schema that ajv
// checks, the TypeScript types, and the document the designer and OpenAPI publish,
// all from this single declaration.
import { Type, type Static } from '@sinclair/typebox';
import { IDENTITY_LEVELS } from './identity-levels';

/** A string enum as plain `enum`, so a wrong value gets one clear error instead of one per alternative. */
function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** `=expr` is a JSONata expression over the contract data; anything else is a literal. */
const Expression = Type.String({ pattern: '^=', minLength: 2, description: 'JSONata expression over the contract data, prefixed with "="' });

/** ISO 8601 duration, e.g. P7D, PT12H, P1DT6H. Weeks, months and years are refused: they have no fixed length. */
export const DURATION_PATTERN = '^P(?!$)(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$';
const Duration = Type.String({ pattern: DURATION_PATTERN, description: 'ISO 8601 duration (days, hours, minutes, seconds), e.g. P2D or PT12H' });

/** `role:<role>` is anyone holding the role; `user:<id>` is one named user. */
export const APPROVER_PATTERN = '^(role|user):[A-Za-z0-9_.\\-]+$';
const Approver = Type.String({ pattern: APPROVER_PATTERN, description: '"role:<role>" or "user:<userId>"' });

const TimeoutAction = StringEnum(['escalate', 'remind', 'reject'] as const, { description: 'what happens when a step waits longer than its timeout' });

const TimeoutPolicy = {
  timeout: Type.Optional(Duration),
  onTimeout: Type.Optional(TimeoutAction),
  escalateTo: Type.Optional(Type.Array(Approver, { minItems: 1, description: 'who is added to a step when it times out with onTimeout "escalate"' })),
  maxReminders: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'with onTimeout "remind": how many reminders before the step just waits' })),
};

/** An approval step handed to a business system (a connector instance with a delegated-approval action, e.g. OA). */
const DelegateTo = Type.Object(
  {
    connector: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: 'id of the connector instance that takes the approval, e.g. "oa-prod"' }),
    pollEvery: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: 'ISO 8601 duration: how often Sealflow asks the system for its decision (default PT1M)' })),
  },
  {
    additionalProperties: false,
    description:
      'delegate the step to a business system: a request is created there and its decision (read by poll) ends the step as a decision by connector:<id>; people holding the step\'s approvers may still decide in Sealflow, the first decision wins',
  },
);

export const ApprovalStepSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    approvers: Type.Array(Approver, { minItems: 1 }),
    rule: Type.Optional(StringEnum(['any', 'all'] as const, { description: 'any (default): the first decision decides; all: every approver must approve' })),
    delegateTo: Type.Optional(DelegateTo),
    ...TimeoutPolicy,
  },
  { additionalProperties: false },
);

export const ApprovalTierSchema = Type.Object(
  {
    upTo: Type.Optional(Type.Number({ description: 'inclusive upper bound of the amount; the last tier may omit it' })),
    steps: Type.Array(ApprovalStepSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const ApprovalSchema = Type.Object(
  {
    amount: Expression,
    tiers: Type.Array(ApprovalTierSchema, { minItems: 1 }),
    allowInitiator: Type.Optional(
      Type.Boolean({ description: 'maker-checker opt-out: true lets the user who started a contract approve its steps (default false: they cannot)' }),
    ),
    ...TimeoutPolicy,
  },
  { additionalProperties: false },
);

const ValueOrExpression = Type.String({ minLength: 1 });

/** The languages a signer's notices and page come in. */
export const LOCALES = ['zh', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh';

export const DocumentSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$' }),
    template: Type.String({ minLength: 1 }),
    title: Type.Optional(ValueOrExpression),
    when: Type.Optional(Expression),
    data: Type.Optional(Type.String({ pattern: '^=', minLength: 2, description: "JSONata expression giving the template's variables from the contract data; default: the contract data itself" })),
    roles: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]+$' }), Type.String(), {
        description: 'template signer role → flow signer id, e.g. {"discloser": "buyer"}; default: the same ids',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SignerSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$' }),
    party: StringEnum(['company', 'person'] as const),
    name: ValueOrExpression,
    seal: Type.Optional(Type.String({ minLength: 1 })),
    contact: Type.Optional(
      Type.Object({ email: Type.Optional(ValueOrExpression), mobile: Type.Optional(ValueOrExpression) }, { additionalProperties: false }),
    ),
    order: Type.Optional(Type.Integer({ minimum: 1 })),
    documents: Type.Array(Type.String(), { minItems: 1 }),
    verify: Type.Optional(StringEnum(['none', 'sms-otp', 'face'] as const, { description: "how the signer confirms their intent: none or sms-otp. 'face' is retired: it reads as identity 'face' (see requiredIdentity)" })),
    identity: Type.Optional(
      StringEnum(IDENTITY_LEVELS, {
        description: 'real-name verification (实名认证) the signer must have passed before a certificate is issued to them: person two-factor | telecom | bank | face; company company-three-factor | company-four-factor | company-transfer | company-reverse-payment | company-authorisation',
      }),
    ),
    mustRead: Type.Optional(Type.Boolean()),
    prompt: Type.Optional(Type.String()),
    creditCode: Type.Optional(ValueOrExpression),
    idNumber: Type.Optional(ValueOrExpression),
    locale: Type.Optional(StringEnum(LOCALES, { description: 'language of the signer\'s invitation, notices and page: zh (default) or en' })),
  },
  { additionalProperties: false },
);

export const FlowDefinitionSchema = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: 'stable identifier, lower-case letters, digits and dashes' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String()),
    data: Type.Optional(Type.Object({ type: Type.Literal('object') }, { additionalProperties: true, description: 'JSON Schema of the contract data' })),
    title: Type.Optional(ValueOrExpression),
    approval: ApprovalSchema,
    documents: Type.Optional(Type.Array(DocumentSchema)),
    signers: Type.Optional(Type.Array(SignerSchema)),
    signing: Type.Optional(
      Type.Object(
        {
          deadline: Type.Optional(Duration),
          reminders: Type.Optional(Type.Object({ every: Duration, max: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
    ),
    archive: Type.Optional(
      Type.Object(
        {
          folder: Type.Optional(ValueOrExpression),
          retention: Type.Optional(Type.String({ pattern: '^P(\\d+Y)?(\\d+M)?(\\d+D)?$' })),
          expiry: Type.Optional(Type.Object({ date: ValueOrExpression, remindBefore: Type.Optional(Duration) }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, $id: 'https://sealflow.dev/schemas/flow-v1.json', title: 'Sealflow flow definition v1' },
);

export type FlowDefinition = Static<typeof FlowDefinitionSchema>;
export type Approval = Static<typeof ApprovalSchema>;
export type ApprovalTier = Static<typeof ApprovalTierSchema>;
export type ApprovalStep = Static<typeof ApprovalStepSchema>;
export type DelegateTo = Static<typeof DelegateTo>;
export type TimeoutAction = Static<typeof TimeoutAction>;
export type FlowDocument = Static<typeof DocumentSchema>;
export type FlowSigner = Static<typeof SignerSchema>;
