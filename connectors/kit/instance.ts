// A connector instance: what IT configures (which system, its settings, trigger, flow and
// mapping). One TypeBox schema gives the API's validation, the TypeScript type and the
// OpenAPI document.
import { Type, type Static } from '@sinclair/typebox';

export const PollTriggerConfigSchema = Type.Object(
  { kind: Type.Literal('poll'), everyMinutes: Type.Integer({ minimum: 1, maximum: 1440, description: 'minutes between two syncs' }) },
  { additionalProperties: false },
);

export const WebhookAuthSchema = Type.Union([
  Type.Object({ kind: Type.Literal('hmac-sha256'), secret: Type.String({ minLength: 16, writeOnly: true }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('bearer'), token: Type.String({ minLength: 16, writeOnly: true }) }, { additionalProperties: false }),
]);

export const WebhookTriggerConfigSchema = Type.Object(
  { kind: Type.Literal('webhook'), auth: WebhookAuthSchema },
  { additionalProperties: false },
);

export const ConnectorInstanceSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: 'stable identifier of this instance, e.g. "sap-prod"' }),
    connector: Type.String({ pattern: '^[a-z][a-z0-9_]*$', description: 'connector id, e.g. "sap_purchase_orders"' }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    settings: Type.Record(Type.String(), Type.Unknown(), { description: "the connector's settings; secret ones are write-only" }),
    trigger: Type.Union([PollTriggerConfigSchema, WebhookTriggerConfigSchema]),
    flow: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: 'key of the flow a record starts' }),
    mapping: Type.String({ minLength: 1, description: "JSONata expression from a source record to the flow's data" }),
    enabled: Type.Optional(Type.Boolean()),
    orgUnit: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Null()], { description: "the org unit (of the instance's tenant) its contracts belong to: a unit id, or =JSONata on the mapped record giving one per record; default the tenant's top" })),
  },
  { additionalProperties: false },
);

export type ConnectorInstance = Static<typeof ConnectorInstanceSchema>;
export type WebhookAuth = Static<typeof WebhookAuthSchema>;
