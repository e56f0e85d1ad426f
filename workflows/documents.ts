// Contract documents at the hub level: the shipped templates (templates/ on disk) and the
// ones IT uploaded (store), rendered from a contract's data for exactly the signers who
// receive each document, and kept content-addressed in the store.
//
// Tenants: the shipped templates are global, read-only defaults every tenant uses; uploaded
// ones belong to the tenant that uploaded them, and no tenant may take a shipped id (so a
// flow's template id means the same shipped document everywhere). Every call names the
// tenant whose templates it looks in: a contract's is its owner's (ContractState.owner).
import { evaluate, ExpressionError, simulateFlow, validateAgainstSchema, type ContractDocument, type FlowDefinition, type FlowDocument, type Simulation, type ValidationIssue } from '../flows';
import type { Store } from '../store';
import { signatureLines, TemplateError, type DocumentRenderer, type RenderedDocument, type SignerSlot, type TemplateIssue, type TemplateSource } from '../templates';

export interface TemplateSummary {
  id: string;
  title: string;
  origin: 'shipped' | 'uploaded';
  schema: object;
  signers: { id: string; party: 'company' | 'person'; label: string }[];
}

export interface TemplateUpload {
  id: string;
  title: string;
  source: string;
  schema: Record<string, unknown>;
  sample?: Record<string, unknown> | null;
}

/** Template signer roles of an uploaded template come from its `::: signature <id>` lines. */
function uploadedSigners(source: string): TemplateSummary['signers'] {
  return signatureLines(source).map(({ id, label }) => ({ id, party: 'company' as const, label }));
}

/**
 * Each included document with what its template gets: the variables (the contract data, or
 * what the document's `data` expression makes of it) and its signers under the template's role ids.
 */
async function documentPlans(flow: FlowDefinition, data: Record<string, unknown>, simulation: Simulation) {
  const plans = [];
  for (const [index, doc] of (flow.documents ?? []).entries()) {
    const simulated = simulation.documents[index];
    if (!simulated.included) continue;
    plans.push({ index, doc, title: simulated.title, variables: await variablesOf(doc, index, data), ...signersOf(doc, simulation) });
  }
  return plans;
}

async function variablesOf(doc: FlowDocument, index: number, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (!doc.data) return data;
  const variables = await evaluate(doc.data, data, `/documents/${index}/data`);
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
    throw new ExpressionError(`/documents/${index}/data`, `${doc.data} must give an object of template variables, gave ${JSON.stringify(variables) ?? 'nothing'}`);
  }
  return variables as Record<string, unknown>;
}

function signersOf(doc: FlowDocument, simulation: Simulation) {
  const roleOf = new Map(Object.entries(doc.roles ?? {}).map(([role, signer]) => [signer, role]));
  const signerOf = new Map(Object.entries(doc.roles ?? {}));
  const signers = simulation.signers.filter((s) => s.documents.includes(doc.id)).map(({ id, name, party }) => ({ id: roleOf.get(id) ?? id, name, party, flowSigner: id }));
  return { signers, flowSignerOf: (role: string) => signerOf.get(role) ?? role };
}

export function createDocumentService({ store, renderer }: { store: Store; renderer: DocumentRenderer }) {
  let shipped: Promise<Map<string, TemplateSummary>> | undefined;
  const shippedTemplates = () =>
    (shipped ??= renderer.listTemplates().then(
      (list) => new Map(list.map((t) => [t.id, { id: t.id, title: t.title, origin: 'shipped' as const, schema: t.schema as object, signers: t.signers.map(({ id, party, label }) => ({ id, party, label })) }])),
    ));

  async function find(tenantId: string, id: string): Promise<{ summary: TemplateSummary; source?: TemplateSource; sample?: Record<string, unknown> | null } | null> {
    const builtIn = (await shippedTemplates()).get(id);
    if (builtIn) return { summary: builtIn };
    const uploaded = await store.templates.get(tenantId, id);
    if (!uploaded) return null;
    return {
      summary: { id, title: uploaded.title, origin: 'uploaded', schema: uploaded.schema, signers: uploadedSigners(uploaded.source) },
      source: { id, hbs: uploaded.source, schema: uploaded.schema, title: uploaded.title },
      sample: uploaded.sample,
    };
  }

  /** A document without a `title` of its own is called by its template's title (采购合同, 保密协议). */
  async function titleOf(tenantId: string, plan: { doc: FlowDocument; title: string | null }): Promise<string> {
    if (plan.title?.trim()) return plan.title;
    return (await find(tenantId, plan.doc.template))?.summary.title || plan.doc.id;
  }

  async function render(tenantId: string, templateId: string, data: Record<string, unknown>, signers: SignerSlot[], title?: string): Promise<RenderedDocument> {
    const template = await find(tenantId, templateId);
    if (!template) throw new TemplateError('template_not_found', templateId, `no template "${templateId}"`);
    return renderer.renderTemplate({ templateId, data, signers, title, source: template.source });
  }

  return {
    /** The shipped templates, then the tenant's own. */
    async list(tenantId: string): Promise<TemplateSummary[]> {
      const uploaded = await store.templates.list(tenantId);
      return [...(await shippedTemplates()).values(), ...uploaded.map((t) => ({ id: t.id, title: t.title, origin: 'uploaded' as const, schema: t.schema, signers: uploadedSigners(t.source) }))];
    },

    find,
    render,

    /** Problems of an upload (compile errors with their line), or nothing when it was saved. */
    async upload(tenantId: string, upload: TemplateUpload, by: string): Promise<TemplateIssue[] | 'shipped'> {
      if ((await shippedTemplates()).has(upload.id)) return 'shipped';
      const issues = renderer.checkTemplateSource({ id: upload.id, hbs: upload.source, schema: upload.schema, title: upload.title, sample: upload.sample ?? undefined });
      if (issues.length) return issues;
      await store.templates.save(tenantId, { id: upload.id, title: upload.title, source: upload.source, schema: upload.schema, sample: upload.sample ?? null, updatedBy: by });
      return [];
    },

    async preview(tenantId: string, templateId: string, data?: Record<string, unknown>): Promise<RenderedDocument> {
      const template = await find(tenantId, templateId);
      if (!template) throw new TemplateError('template_not_found', templateId, `no template "${templateId}"`);
      if (!data && !template.source) return renderer.previewTemplate(templateId);
      const sample = data ?? template.sample ?? {};
      return render(tenantId, templateId, sample, template.summary.signers.map((s) => ({ id: s.id, party: s.party, name: s.label })));
    },

    /**
     * What the contract data gets wrong for the templates of the documents it will have,
     * checked before the contract starts so a bad record is refused at the door.
     */
    async checkContractData(tenantId: string, flow: FlowDefinition, data: Record<string, unknown>): Promise<ValidationIssue[]> {
      const issues: ValidationIssue[] = [];
      for (const { doc, index, variables } of await documentPlans(flow, data, await simulateFlow(flow, data))) {
        const template = await find(tenantId, doc.template);
        if (!template) {
          issues.push({ path: `/documents/${index}/template`, message: `names template "${doc.template}", which does not exist` });
          continue;
        }
        // Without a mapping the template reads the contract data itself, so its paths are the caller's.
        const prefix = doc.data ? `/documents/${index}/data` : '/data';
        for (const issue of validateAgainstSchema(template.summary.schema, variables, prefix)) {
          issues.push({ path: issue.path, message: `${issue.message} (template "${doc.template}" of document "${doc.id}")` });
        }
      }
      return issues;
    },

    /** One document of a contract rendered from its data as it stands, not stored: the preview before generation. */
    async previewContractDocument(tenantId: string, flow: FlowDefinition, data: Record<string, unknown>, documentId: string): Promise<RenderedDocument | null> {
      const plan = (await documentPlans(flow, data, await simulateFlow(flow, data))).find((p) => p.doc.id === documentId);
      if (!plan) return null;
      return render(tenantId, plan.doc.template, plan.variables, plan.signers.map(({ id, name, party }) => ({ id, name, party })), await titleOf(tenantId, plan));
    },

    /** Renders every document the flow includes for this data and stores it; one entry per document. */
    async generate(tenantId: string, flow: FlowDefinition, data: Record<string, unknown>, generatedAt: string): Promise<ContractDocument[]> {
      const documents: ContractDocument[] = [];
      for (const plan of await documentPlans(flow, data, await simulateFlow(flow, data))) {
        const title = await titleOf(tenantId, plan);
        const rendered = await render(tenantId, plan.doc.template, plan.variables, plan.signers.map(({ id, name, party }) => ({ id, name, party })), title);
        const { sha256, size } = await store.documents.put(rendered.pdf, 'application/pdf');
        documents.push({
          id: plan.doc.id,
          template: plan.doc.template,
          title,
          sha256,
          size,
          pages: rendered.pages,
          signers: plan.signers.map((s) => s.flowSigner),
          // The signing stage knows flow signers, not template roles.
          signatureAreas: rendered.signatureAreas.map((area) => ({ ...area, signerId: plan.flowSignerOf(area.signerId) })),
          generatedAt,
        });
      }
      return documents;
    },
  };
}

export type DocumentService = ReturnType<typeof createDocumentService>;
