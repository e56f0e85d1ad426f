// The evidence report (签约存证报告): an A4 PDF listing the contract, the SHA-256 of every
// document version and every event of the contract's hash chain, with the chain's head
// and how to check it all. The chain is verified while rendering: a chain broken by an
// edit in the database is printed as broken, in a red banner and at the first link that fails.
// The events are also attached as evidence.json, so the chain can be recomputed from the
// signed report alone. sealEvidenceReport() then signs and timestamps the result.
// Laid out by the document engine (templates/) from evidence-report.hbs, like a contract:
// this module only turns the input into the template's data (strings, formatted).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatLocalTime } from '../appearance/person-signature';
import { canonicalJson } from './canonical-json';
import { chainGenesis, verifyEventChain, type ChainedEvent, type ChainVerification } from './event-chain';
import { A4, createDocumentRenderer, FontLibrary, type DocumentRenderer, type TemplateSource } from '../../templates';
import { ACTION_LABELS, INTENT_LABELS, STATUS_LABELS, TEXT } from './report-text';

export interface EvidenceContract {
  id: string;
  title: string;
  flowKey: string;
  flowVersion: number | string;
  status: string;
  createdAt: string | Date;
  completedAt?: string | Date | null;
  parties: { name: string; role: string }[];
}

export interface EvidenceDocument {
  id: string;
  title: string;
  /** SHA-256 of the document version's file, hex. */
  sha256: string;
  pages: number;
  version?: number | string;
}

export interface EvidenceReportInput {
  contract: EvidenceContract;
  documents: EvidenceDocument[];
  events: ChainedEvent[];
  generatedAt: Date;
  /** The document engine's fonts (a renderer's FontLibrary, to share its subset cache); the default Noto Sans SC when omitted. */
  fonts?: FontLibrary;
}

/** The report's page margins (points): narrower than a contract's, for the 7-column event table. */
const MARGINS = { top: 44, right: 40, bottom: 52, left: 40 } as const;
const SEAL_SIZE = { width: 150, height: 58 } as const;

/**
 * The area left blank at the top right of page 1 for the platform's visible signature
 * (PDF points, origin bottom left; page from 1); sealEvidenceReport() puts it there. The
 * template reserves it (`::: area platform`), and rendering checks the two agree.
 */
export const EVIDENCE_SEAL_AREA = {
  page: 1,
  x: A4.width - MARGINS.right - SEAL_SIZE.width,
  y: A4.height - MARGINS.top - SEAL_SIZE.height,
  width: SEAL_SIZE.width,
  height: SEAL_SIZE.height,
} as const;

/** China Standard Time; Asia/Shanghai has had no daylight saving time since 1991. */
const UTC_OFFSET_MINUTES = 480;
const ATTACHMENT_NAME = 'evidence.json';
/** Event hashes are shown to 16 hex digits; evidence.json has them whole. */
const SHORT_HASH = 16;

const TEMPLATE_FILE = fileURLToPath(new URL('./evidence-report.hbs', import.meta.url));
// The data is built below, not sent by a user: the schema only names what the template reads.
const SCHEMA = {
  type: 'object',
  required: ['page', 't', 'sections', 'contract', 'contractRows', 'documentColumns', 'documents', 'eventColumns', 'events', 'chainRows', 'verify'],
} as const;

let source: TemplateSource | undefined;
const templateSource = (): TemplateSource => (source ??= { id: 'evidence-report', hbs: readFileSync(TEMPLATE_FILE, 'utf8'), schema: SCHEMA, title: TEXT.title });

// One renderer per font library (the worker passes its own): it keeps the compiled template.
const renderers = new WeakMap<FontLibrary, DocumentRenderer>();
let defaultFonts: FontLibrary | undefined;
function rendererFor(fonts: FontLibrary | undefined): { renderer: DocumentRenderer; fonts: FontLibrary } {
  const library = fonts ?? (defaultFonts ??= new FontLibrary());
  let renderer = renderers.get(library);
  if (!renderer) renderers.set(library, (renderer = createDocumentRenderer({ fonts: library })));
  return { renderer, fonts: library };
}

export async function renderEvidenceReport(input: EvidenceReportInput): Promise<Uint8Array> {
  const { contract, events, generatedAt } = input;
  const genesis = chainGenesis(contract.id);
  const check = verifyEventChain(events, { genesis });
  const head = events.length > 0 ? events[events.length - 1].hash : genesis;
  const { renderer, fonts } = rendererFor(input.fonts);
  const drawable = await drawableText(fonts);

  const rendered = await renderer.renderTemplate({
    templateId: 'evidence-report',
    source: templateSource(),
    data: drawable(reportData(input, { genesis, head, check })) as Record<string, unknown>,
    signers: [],
    title: `${TEXT.title} ${contract.id}`,
    subject: contract.title,
    language: 'zh-CN',
    // A fixed date and an ID from the input: the same input gives the same bytes.
    date: generatedAt,
    attachments: [
      { name: ATTACHMENT_NAME, bytes: Buffer.from(evidenceJson(input, { genesis, head }), 'utf8'), mimeType: 'application/json', description: TEXT.attachmentDescription, relationship: 'Data' },
    ],
  });
  const [area] = rendered.reservedAreas;
  const expected = EVIDENCE_SEAL_AREA;
  if (!area || area.page !== expected.page - 1 || Math.abs(area.x - expected.x) > 0.01 || Math.abs(area.y - expected.y) > 0.01) {
    throw new Error(`the evidence report template reserved the seal area at ${JSON.stringify(area)}, not at EVIDENCE_SEAL_AREA`);
  }
  return rendered.pdf;
}

// ------------------------------------------------------------------ the template's data

/** Chinese over English, as every label of the report reads. */
const bilingual = ([zh, en]: readonly [string, string]): string => `${zh}\n${en}`;
const inline = ([zh, en]: readonly [string, string]): string => `${zh} ${en}`;

function reportData(input: EvidenceReportInput, chain: { genesis: string; head: string; check: ChainVerification }) {
  const { contract, documents, events } = input;
  const { check } = chain;
  const status = STATUS_LABELS[contract.status];
  const brokenAt = check.ok ? undefined : check.brokenAt;
  const d = TEXT.documentColumns;
  const e = TEXT.eventColumns;
  return {
    page: { margins: MARGINS, seal: SEAL_SIZE },
    t: {
      title: TEXT.title,
      subtitle: TEXT.subtitle,
      intro: TEXT.intro,
      introEn: TEXT.introEn,
      runningHeader: TEXT.runningHeader,
      eventsNote: TEXT.eventsNote,
      eventsNoteEn: TEXT.eventsNoteEn,
      noDocuments: TEXT.noDocuments,
      noEvents: TEXT.noEvents,
    },
    banner: check.ok ? null : { zh: TEXT.banner(check.brokenAt), en: TEXT.bannerEn(check.brokenAt) },
    sections: Object.fromEntries(Object.entries(TEXT.sections).map(([key, label]) => [key, inline(label)])),
    contract: { id: contract.id },
    contractRows: [
      [TEXT.contract.id, contract.id],
      [TEXT.contract.title, contract.title],
      [TEXT.contract.flow, `${contract.flowKey} v${contract.flowVersion}`],
      [TEXT.contract.status, status ? `${status} ${contract.status}` : contract.status],
      [TEXT.contract.createdAt, formatTime(contract.createdAt)],
      ...(contract.completedAt ? [[TEXT.contract.completedAt, formatTime(contract.completedAt)] as const] : []),
      [TEXT.contract.parties, contract.parties.map((party) => (party.role ? `${party.name}（${party.role}）` : party.name)).join('\n')],
      [TEXT.contract.generatedAt, formatTime(input.generatedAt)],
    ].map(([label, value]) => ({ label: bilingual(label as readonly [string, string]), value })),
    documentColumns: { seq: bilingual(d.seq), document: bilingual(d.document), sha256: bilingual(d.sha256) },
    documents: documents.map((document, i) => ({
      seq: String(i + 1),
      document: [document.title, document.id, `${inline(d.version)} ${document.version ?? '—'}`, `${inline(d.pages)} ${document.pages}`].join('\n'),
      sha256: document.sha256,
    })),
    eventColumns: Object.fromEntries(Object.entries(e).map(([key, label]) => [key, bilingual(label)])),
    events: events.map((event) => {
      const actionLabel = ACTION_LABELS[event.action];
      const intentLabel = event.intent ? INTENT_LABELS[event.intent] : undefined;
      const source: string[] = [];
      if (event.ip) source.push(TEXT.ip + event.ip);
      if (event.userAgent) source.push(event.userAgent);
      if (event.documentSha256) source.push(`${TEXT.document}${event.documentSha256.slice(0, SHORT_HASH)}…`);
      if (event.detail && Object.keys(event.detail).length > 0) source.push(TEXT.detail + canonicalJson(event.detail));
      return {
        seq: String(event.seq),
        broken: event.seq === brokenAt,
        time: formatTime(event.at).replace(' ', '\n'), // date over time
        actor: event.actorName ? `${event.actorName}\n${event.actor}` : event.actor,
        action: actionLabel ? `${actionLabel}\n${event.action}` : event.action,
        source: source.join('\n') || '—',
        intent: event.intent ? (intentLabel ? `${intentLabel}\n${event.intent}` : event.intent) : '—',
        hash: event.hash.slice(0, SHORT_HASH) + (event.seq === brokenAt ? `\n${TEXT.brokenRow}` : ''),
      };
    }),
    chainRows: [
      [TEXT.chain.genesis, chain.genesis],
      [TEXT.chain.count, String(events.length)],
      [TEXT.chain.head, chain.head],
      [TEXT.chain.check, check.ok ? `${TEXT.chain.intact}\n${TEXT.chain.intactEn}` : `${TEXT.chain.broken(check.brokenAt)}\n${TEXT.chain.brokenEn(check.brokenAt, check.reason)}`],
    ].map(([label, value]) => ({ label: bilingual(label as readonly [string, string]), value })),
    verify: [...TEXT.verify],
  };
}

/**
 * Replaces, in every string of the data, what the report's fonts cannot draw with "?": the
 * report must print whatever a browser sent as its user agent, where a contract refuses it.
 */
async function drawableText(fonts: FontLibrary): Promise<(value: unknown) => unknown> {
  const faces = [await fonts.face('regular'), await fonts.face('bold')];
  const drawable = (value: unknown): unknown => {
    if (typeof value === 'string') return Array.from(value, (char) => (char === '\n' || faces.every((face) => face.has(char)) ? char : /\s/.test(char) ? ' ' : '?')).join('');
    if (Array.isArray(value)) return value.map(drawable);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, drawable(item)]));
    return value;
  };
  return drawable;
}

// ------------------------------------------------------------------ helpers

/** "2025-06-01 14:03:05 UTC+8"; a value that is not a time is shown as given. */
function formatTime(value: string | Date): string {
  const time = value instanceof Date ? value : new Date(value);
  return Number.isNaN(time.getTime()) ? String(value) : formatLocalTime(time, UTC_OFFSET_MINUTES);
}

function evidenceJson(input: EvidenceReportInput, chain: { genesis: string; head: string }): string {
  return JSON.stringify(
    {
      format: 'sealflow.evidence/1',
      hashing: "hash = sha256hex(prevHash + '\\n' + canonicalJson(event)); canonicalJson: RFC 8785 over the non-empty fields seq, at, actor, actorName, action, ip, userAgent, intent, documentSha256, detail; the first prevHash is the genesis",
      contract: input.contract,
      documents: input.documents,
      generatedAt: input.generatedAt.toISOString(),
      genesis: chain.genesis,
      head: chain.head,
      events: input.events,
    },
    null,
    2,
  );
}
