// Connector instances: what IT configures, its health, a mapping preview and a manual sync.
// Handlers are thin; server/connectors.ts does the work, in the caller's tenant.
import { Type } from '@sinclair/typebox';
import type { ConnectorInstanceBody, ConnectorService, ConnectorUpdateBody } from '../connectors';
import { defineRoute } from '../route';
import { ConnectorInstanceViewSchema, ConnectorSyncSummarySchema, CreateConnectorBody, PreviewMappingBody, UpdateConnectorBody } from '../schemas';

/** Integration staff (and admins) configure connectors. */
const INTEGRATORS = 'connectors.manage' as const;

export function connectorRoutes(connectors: ConnectorService) {
  return [
    defineRoute({
      method: 'get', path: '/api/connectors', tag: 'connectors', access: INTEGRATORS,
      summary: 'The connectors Sealflow ships (settings schemas, secret fields, triggers) and the configured instances with their health',
      responses: { 200: { description: 'connector types and instances', schema: Type.Object({ connectors: Type.Array(Type.Object({}, { additionalProperties: true })), instances: Type.Array(ConnectorInstanceViewSchema) }) } },
      handler: async ({ actor }) => ({ body: await connectors.list(actor!.tenantId) }),
    }),
    defineRoute({
      method: 'post', path: '/api/connectors', tag: 'connectors', access: INTEGRATORS, body: CreateConnectorBody,
      summary: 'Configure a connector instance: settings (secrets are sealed at rest), trigger, flow and JSONata mapping; a polling instance starts syncing at once',
      responses: { 201: { description: 'created; secrets are never returned', schema: ConnectorInstanceViewSchema }, 409: { description: 'an instance with this id exists' } },
      handler: async ({ body, actor }) => ({ status: 201, body: await connectors.create(body as ConnectorInstanceBody, actor!) }),
    }),
    defineRoute({
      method: 'get', path: '/api/connectors/:id', tag: 'connectors', access: INTEGRATORS,
      summary: 'A connector instance: public settings, which secrets are set, and its health (last sync, records read, contracts started, errors)',
      responses: { 200: { description: 'the instance', schema: ConnectorInstanceViewSchema }, 404: { description: 'no such instance' } },
      handler: async ({ params, actor }) => ({ body: await connectors.get(actor!.tenantId, params.id) }),
    }),
    defineRoute({
      method: 'put', path: '/api/connectors/:id', tag: 'connectors', access: INTEGRATORS, body: UpdateConnectorBody,
      summary: 'Change a connector instance; fields left out (and secret settings left out) keep their value',
      responses: { 200: { description: 'the instance', schema: ConnectorInstanceViewSchema }, 404: { description: 'no such instance' } },
      handler: async ({ params, body, actor }) => ({ body: await connectors.update(params.id, body as ConnectorUpdateBody, actor!) }),
    }),
    defineRoute({
      method: 'post', path: '/api/connectors/:id/preview', tag: 'connectors', access: INTEGRATORS, body: PreviewMappingBody,
      summary: "Try the mapping on a sample record: the data the flow would get and which of the flow's schema rules it breaks",
      responses: { 200: { description: 'ok, or the issues (a mapping error names the expression and where in it)' }, 404: { description: 'no such instance' } },
      handler: async ({ params, body, actor }) => ({ body: await connectors.preview(actor!.tenantId, params.id, body.sample, body.mapping) }),
    }),
    defineRoute({
      method: 'post', path: '/api/connectors/:id/check', tag: 'connectors', access: INTEGRATORS,
      summary: "Test the connection: the settings against the connector's schema, then a live check against the system",
      responses: { 200: { description: '{valid: true} or {valid: false, error}' }, 404: { description: 'no such instance' } },
      handler: async ({ params, actor }) => ({ body: await connectors.check(actor!.tenantId, params.id) }),
    }),
    defineRoute({
      method: 'post', path: '/api/connectors/:id/sync', tag: 'connectors', access: INTEGRATORS,
      summary: 'Sync a polling instance now (after the sync in flight, if any) and answer with what it did',
      responses: {
        200: { description: 'what the sync read, started and reported', schema: ConnectorSyncSummarySchema },
        202: { description: 'the sync is still running; its result lands in the health' },
        404: { description: 'no such instance' },
        409: { description: 'the instance is disabled or triggered by webhooks' },
      },
      handler: async ({ params, actor }) => connectors.sync(actor!.tenantId, params.id),
    }),
  ];
}
