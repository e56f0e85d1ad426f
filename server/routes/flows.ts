import { FlowDefinitionSchema, requiredIdentity, simulateFlow, validateContractData, validateFlow, type FlowDefinition, type IdentityLevel } from '../../flows';
import { StoreError, type Store } from '../../store';
import type { DocumentService } from '../../workflows';
import { AppError, asRoutingError, notFound } from '../errors';
import { defineRoute } from '../route';
import { FlowBody, FlowQuery, FlowVersionSchema, SimulateBody } from '../schemas';

const DESIGNERS = 'flows.write' as const;
const READERS = 'flows.read' as const;

// Flows are the caller's tenant's: another tenant's flow of the same key is invisible (404),
// and creating one of the same key is no conflict.

/** The flow language's own checks, then that every document names a template that exists for this tenant. */
async function checkedFlow(tenantId: string, body: unknown, documents: DocumentService): Promise<FlowDefinition> {
  const result = validateFlow(body);
  const issues = result.ok ? [] : result.issues;
  if (result.ok) {
    for (const [index, doc] of (result.value.documents ?? []).entries()) {
      if (!(await documents.find(tenantId, doc.template))) issues.push({ path: `/documents/${index}/template`, message: `names template "${doc.template}", which does not exist` });
    }
  }
  if (!result.ok || issues.length) throw new AppError('invalid_flow', `The flow definition has ${issues.length} problem(s)`, { details: issues });
  return result.value;
}

function storeError(error: unknown): never {
  if (error instanceof StoreError) throw new AppError(error.code, error.message, { status: error.code === 'not_found' ? 404 : 409 });
  throw error;
}

/** A flow whose signers need real-name verification is published only on a hub with a provider of each level it asks. */
function mustBeAbleToVerify(flow: FlowDefinition, { identityLevels }: { identityLevels: readonly IdentityLevel[] }) {
  const details = (flow.signers ?? []).flatMap((signer, index) => {
    const level = requiredIdentity(signer);
    if (!level || identityLevels.includes(level)) return [];
    // The retired verify 'face' is named where the flow says it.
    return [{ path: `/signers/${index}/${signer.identity ? 'identity' : 'verify'}`, message: `asks for identity level "${level}", which no identity provider of this hub offers (SEALFLOW_IDENTITY_PROVIDERS)` }];
  });
  if (details.length) throw new AppError('identity_provider_missing', 'This flow asks for real-name verification this hub cannot do: configure an identity provider that offers it first', { status: 409, details });
}

export function flowRoutes(store: Store, documents: DocumentService, hub: { identityLevels: readonly IdentityLevel[] }) {
  return [
    defineRoute({
      method: 'post', path: '/api/flows', tag: 'flows', access: DESIGNERS, body: FlowBody,
      summary: 'Create a flow (version 1, draft)',
      responses: { 201: { description: 'created', schema: FlowVersionSchema }, 409: { description: 'a flow with this key exists' } },
      handler: async ({ body, actor }) => ({ status: 201, body: await store.flows.create(actor!.tenantId, await checkedFlow(actor!.tenantId, body, documents), actor!.id).catch(storeError) }),
    }),
    defineRoute({
      method: 'get', path: '/api/flows', tag: 'flows', access: READERS,
      summary: 'List flows with their latest and published versions',
      responses: { 200: { description: 'flows' } },
      handler: async ({ actor }) => ({ body: { items: await store.flows.list(actor!.tenantId) } }),
    }),
    defineRoute({
      method: 'get', path: '/api/flows/:key', tag: 'flows', access: READERS, query: FlowQuery,
      summary: 'A flow version (the latest unless ?version=), with the list of versions',
      responses: { 200: { description: 'the flow', schema: FlowVersionSchema }, 404: { description: 'no such flow or version' } },
      handler: async ({ params, query, actor }) => {
        const flow = await store.flows.get(actor!.tenantId, params.key, query.version);
        if (!flow) throw notFound(query.version ? `Version ${query.version} of flow "${params.key}"` : `Flow "${params.key}"`);
        const versions = (await store.flows.versions(actor!.tenantId, params.key)).map(({ version, status, publishedAt }) => ({ version, status, publishedAt }));
        return { body: { ...flow, versions } };
      },
    }),
    defineRoute({
      method: 'put', path: '/api/flows/:key', tag: 'flows', access: DESIGNERS, body: FlowBody,
      summary: 'Save the draft: edits the latest draft, or opens a new draft version after a publish',
      responses: { 200: { description: 'the draft', schema: FlowVersionSchema }, 404: { description: 'no such flow' } },
      handler: async ({ params, body, actor }) => {
        const flow = await checkedFlow(actor!.tenantId, body, documents);
        if (flow.key !== params.key) throw new AppError('invalid_flow', `The body's key "${flow.key}" differs from the URL's "${params.key}"`, { details: [{ path: '/key', message: `must be "${params.key}"` }] });
        return { body: await store.flows.saveDraft(actor!.tenantId, params.key, flow, actor!.id).catch(storeError) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/flows/:key/publish', tag: 'flows', access: DESIGNERS,
      summary: 'Publish the latest draft; new contracts use it, running ones keep theirs',
      responses: {
        200: { description: 'the published version', schema: FlowVersionSchema },
        404: { description: 'no such flow' },
        409: { description: 'nothing to publish, or the flow needs what this hub cannot do (identity_provider_missing, naming /signers/N/identity)' },
      },
      handler: async ({ params, actor }) => {
        const latest = await store.flows.get(actor!.tenantId, params.key);
        if (latest) mustBeAbleToVerify(latest.definition, hub);
        return { body: await store.flows.publish(actor!.tenantId, params.key, actor!.id).catch(storeError) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/flows/:key/simulate', tag: 'flows', access: READERS, body: SimulateBody,
      summary: 'Which tier, approvers, documents and signers the given data would get; starts nothing',
      responses: { 200: { description: 'the simulation' }, 404: { description: 'no such flow' } },
      handler: async ({ params, body, actor }) => {
        const flow = await store.flows.get(actor!.tenantId, params.key, body.version);
        if (!flow) throw notFound(body.version ? `Version ${body.version} of flow "${params.key}"` : `Flow "${params.key}"`);
        const data = validateContractData(flow.definition, body.data);
        if (!data.ok) throw new AppError('invalid_data', 'The data does not fit the flow', { details: data.issues });
        const simulation = await simulateFlow(flow.definition, data.value).catch(asRoutingError);
        return { body: { flow: { key: flow.key, version: flow.version, status: flow.status }, ...simulation } };
      },
    }),
  ];
}

export const FlowSchemaRoute = defineRoute({
  method: 'get', path: '/api/schemas/flow.json', tag: 'flows', access: 'public',
  summary: 'The JSON Schema of flow definitions (what the designer validates against)',
  responses: { 200: { description: 'JSON Schema' } },
  handler: async () => ({ body: FlowDefinitionSchema }),
});
