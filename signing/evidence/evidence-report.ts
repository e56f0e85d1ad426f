// The evidence report (签约存证报告): an A4 PDF listing the contract, the SHA-256 of every
// document version and every event of the contract's hash chain, with the chain's head
// and how to check it all. The chain is verified while rendering: a chain broken by an
// edit in the database is printed as broken, in red, at the first link that fails.
// The events are also attached as evidence.json, so the chain can be recomputed from the
// signed report alone. sealEvidenceReport() then signs and timestamps the result.
import { AFRelationship, PDFDocument, rgb } from 'pdf-lib';
import { formatLocalTime } from '../appearance/person-signature';
import { canonicalJson } from './canonical-json';
import { chainGenesis, verifyEventChain, type ChainedEvent, type ChainVerification } from './event-chain';
import { FontLibrary } from '../../templates';
import { embedFontSubset, type ReportFont } from './report-fonts';
import {
  A4,
  ALARM,
  CONTENT_WIDTH,
  createPageFlow,
  drawLines,
  drawTable,
  ensureRoom,
  flowParagraphs,
  INK,
  MARGIN,
  MUTED,
  paragraphLines,
  RULE,
  type Cell,
  type PageFlow,
  type Paragraph,
  type TableColumn,
  type TableRow,
} from './report-layout';
import { ACTION_LABELS, fixedText, headingText, INTENT_LABELS, STATUS_LABELS, TEXT } from './report-text';

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

/**
 * The area left blank at the top right of page 1 for the platform's visible signature
 * (PDF points, origin bottom left); sealEvidenceReport() puts it there.
 */
export const EVIDENCE_SEAL_AREA = { page: 1, x: A4.width - MARGIN.right - 150, y: A4.height - MARGIN.top - 58, width: 150, height: 58 } as const;

/** China Standard Time; Asia/Shanghai has had no daylight saving time since 1991. */
const UTC_OFFSET_MINUTES = 480;
const ATTACHMENT_NAME = 'evidence.json';

interface Fonts {
  regular: ReportFont;
  bold: ReportFont;
}

export async function renderEvidenceReport(input: EvidenceReportInput): Promise<Uint8Array> {
  const { contract, events, generatedAt } = input;
  const genesis = chainGenesis(contract.id);
  const check = verifyEventChain(events, { genesis });
  const head = events.length > 0 ? events[events.length - 1].hash : genesis;

  // Fixed dates and no random font suffix: the same input gives the same bytes.
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(`${TEXT.title} ${contract.id}`);
  pdf.setSubject(contract.title);
  pdf.setAuthor('Sealflow');
  pdf.setCreator('Sealflow');
  pdf.setProducer('Sealflow evidence report (pdf-lib)');
  pdf.setLanguage('zh-CN');
  pdf.setCreationDate(generatedAt);
  pdf.setModificationDate(generatedAt);

  const library = input.fonts ?? new FontLibrary();
  // Every character the report can draw: the fixed wording, all of the input, and printable ASCII.
  const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
  const allText = fixedText() + ascii + '—…（）' + strings(input).join('');
  const fonts: Fonts = {
    regular: await embedFontSubset(pdf, { library, weight: 'regular', text: allText }),
    bold: await embedFontSubset(pdf, { library, weight: 'bold', text: headingText() + ascii }),
  };

  const flow = createPageFlow(pdf);
  drawTitle(flow, fonts);
  if (!check.ok) drawBanner(flow, fonts, check);
  drawContract(flow, fonts, input);
  drawDocuments(flow, fonts, input.documents);
  drawEvents(flow, fonts, events, check);
  drawChain(flow, fonts, { genesis, head, count: events.length, check });
  drawVerification(flow, fonts);
  drawPageFurniture(pdf, fonts, contract.id);

  await pdf.attach(Buffer.from(evidenceJson(input, { genesis, head }), 'utf8'), ATTACHMENT_NAME, {
    mimeType: 'application/json',
    description: TEXT.attachmentDescription,
    creationDate: generatedAt,
    modificationDate: generatedAt,
    afRelationship: AFRelationship.Data,
  });
  return pdf.save();
}

// ------------------------------------------------------------------ sections

const body = (fonts: Fonts, text: string, extra: Partial<Paragraph> = {}): Paragraph => ({ text, font: fonts.regular, size: 8.5, ...extra });
const small = (fonts: Fonts, text: string, extra: Partial<Paragraph> = {}): Paragraph => ({ text, font: fonts.regular, size: 6.5, color: MUTED, ...extra });
/** A label with its English subtitle under it. */
const label = (fonts: Fonts, [zh, en]: readonly [string, string], size = 7.5): Cell => [body(fonts, zh, { size, color: INK }), small(fonts, en, { size: size - 1.5 })];

function drawTitle(flow: PageFlow, fonts: Fonts): void {
  const { page } = flow;
  const width = EVIDENCE_SEAL_AREA.x - MARGIN.left - 10;
  const top = flow.y;
  page.drawText(fonts.bold.printable(TEXT.title), { x: MARGIN.left, y: top - 22, size: 22, font: fonts.bold.pdfFont, color: INK });
  page.drawText(TEXT.subtitle, { x: MARGIN.left, y: top - 38, size: 10, font: fonts.regular.pdfFont, color: MUTED });
  flow.y = top - 46;
  flowParagraphs(flow, [body(fonts, TEXT.intro, { size: 7.5 }), small(fonts, TEXT.introEn)], { width });
  flow.y = Math.min(flow.y, EVIDENCE_SEAL_AREA.y) - 6;
  page.drawLine({ start: { x: MARGIN.left, y: flow.y }, end: { x: MARGIN.left + CONTENT_WIDTH, y: flow.y }, thickness: 1, color: INK });
  flow.y -= 8;
}

function drawBanner(flow: PageFlow, fonts: Fonts, check: Extract<ChainVerification, { ok: false }>): void {
  const lines = [body(fonts, TEXT.banner(check.brokenAt), { color: ALARM, size: 10 }), body(fonts, TEXT.bannerEn(check.brokenAt), { color: ALARM, size: 8 })];
  const laidOut = lines.map((p) => ({ p, lines: paragraphLines(p, CONTENT_WIDTH - 16) }));
  const height = laidOut.reduce((sum, { p, lines }) => sum + lines.length * p.size * 1.3, 0) + 12;
  ensureRoom(flow, height);
  flow.page.drawRectangle({ x: MARGIN.left, y: flow.y - height, width: CONTENT_WIDTH, height, color: rgb(1, 0.92, 0.92), borderColor: ALARM, borderWidth: 1 });
  let top = flow.y - 6;
  for (const { p, lines } of laidOut) top -= drawLines(flow.page, p, lines, MARGIN.left + 8, top);
  flow.y -= height + 10;
}

function drawHeading(flow: PageFlow, fonts: Fonts, [zh, en]: readonly [string, string]): void {
  // Keep a heading with at least a few lines of what follows it.
  ensureRoom(flow, 70);
  flow.y -= 8;
  const size = 12;
  flow.page.drawText(zh, { x: MARGIN.left, y: flow.y - size, size, font: fonts.bold.pdfFont, color: INK });
  flow.page.drawText(fonts.regular.printable(en), { x: MARGIN.left + fonts.bold.width(zh, size) + 6, y: flow.y - size, size: 8.5, font: fonts.regular.pdfFont, color: MUTED });
  flow.y -= size + 8;
}

function keyValueTable(flow: PageFlow, fonts: Fonts, rows: [readonly [string, string], Cell][]): void {
  const columns: TableColumn[] = [{ width: 110 }, { width: CONTENT_WIDTH - 110 }];
  drawTable(flow, columns, rows.map(([key, value]) => ({ cells: [label(fonts, key), value] })), { header: false });
}

function drawContract(flow: PageFlow, fonts: Fonts, input: EvidenceReportInput): void {
  const { contract } = input;
  const status = STATUS_LABELS[contract.status];
  drawHeading(flow, fonts, TEXT.sections.contract);
  keyValueTable(flow, fonts, [
    [TEXT.contract.id, [body(fonts, contract.id)]],
    [TEXT.contract.title, [body(fonts, contract.title)]],
    [TEXT.contract.flow, [body(fonts, `${contract.flowKey} v${contract.flowVersion}`)]],
    [TEXT.contract.status, [body(fonts, status ? `${status} ${contract.status}` : contract.status)]],
    [TEXT.contract.createdAt, [body(fonts, formatTime(contract.createdAt))]],
    ...(contract.completedAt ? [[TEXT.contract.completedAt, [body(fonts, formatTime(contract.completedAt))]] as [readonly [string, string], Cell]] : []),
    [TEXT.contract.parties, contract.parties.map((party) => body(fonts, party.role ? `${party.name}（${party.role}）` : party.name))],
    [TEXT.contract.generatedAt, [body(fonts, formatTime(input.generatedAt))]],
  ]);
}

function drawDocuments(flow: PageFlow, fonts: Fonts, documents: EvidenceDocument[]): void {
  const c = TEXT.documentColumns;
  drawHeading(flow, fonts, TEXT.sections.documents);
  // The SHA-256 column fits 64 hex digits on one line even when all are the widest ("d",
  // 0.62 em at 7 pt), so each value reads and copies whole.
  const columns: TableColumn[] = [
    { header: label(fonts, c.seq, 7), width: 24 },
    { header: label(fonts, c.document, 7), width: 128 },
    { header: label(fonts, c.version, 7), width: 34 },
    { header: label(fonts, c.pages, 7), width: 30 },
    { header: label(fonts, c.sha256, 7), width: CONTENT_WIDTH - 216 },
  ];
  const rows: TableRow[] = documents.map((document, i) => ({
    cells: [
      [body(fonts, String(i + 1), { size: 7 })],
      [body(fonts, document.title, { size: 7.5 }), small(fonts, document.id)],
      [body(fonts, document.version === undefined ? '—' : String(document.version), { size: 7 })],
      [body(fonts, String(document.pages), { size: 7 })],
      [body(fonts, document.sha256, { size: 7 })],
    ],
  }));
  drawTable(flow, columns, rows);
  if (documents.length === 0) flowParagraphs(flow, [small(fonts, TEXT.noDocuments)]);
}

function drawEvents(flow: PageFlow, fonts: Fonts, events: ChainedEvent[], check: ChainVerification): void {
  const c = TEXT.eventColumns;
  drawHeading(flow, fonts, TEXT.sections.events);
  flowParagraphs(flow, [small(fonts, TEXT.eventsNote, { color: INK }), small(fonts, TEXT.eventsNoteEn)], { gap: 2 });
  flow.y -= 4;
  const columns: TableColumn[] = [
    { header: label(fonts, c.seq, 7), width: 26 },
    { header: label(fonts, c.time, 7), width: 62 },
    { header: label(fonts, c.actor, 7), width: 82 },
    { header: label(fonts, c.action, 7), width: 82 },
    { header: label(fonts, c.source, 7), width: 140 },
    { header: label(fonts, c.intent, 7), width: 54 },
    { header: label(fonts, c.hash, 7), width: CONTENT_WIDTH - 446 },
  ];
  const brokenAt = check.ok ? undefined : check.brokenAt;
  const text = (value: string, extra: Partial<Paragraph> = {}): Paragraph => body(fonts, value, { size: 7, ...extra });
  const rows: TableRow[] = events.map((event) => {
    const broken = event.seq === brokenAt;
    const actionLabel = ACTION_LABELS[event.action];
    const intentLabel = event.intent ? INTENT_LABELS[event.intent] : undefined;
    const source: Cell = [];
    if (event.ip) source.push(text(TEXT.ip + event.ip, { maxLines: 2 }));
    if (event.userAgent) source.push(small(fonts, event.userAgent, { size: 6, maxLines: 4 }));
    if (event.documentSha256) source.push(small(fonts, `${TEXT.document}${event.documentSha256.slice(0, 16)}…`, { size: 6 }));
    if (event.detail && Object.keys(event.detail).length > 0) source.push(small(fonts, TEXT.detail + canonicalJson(event.detail), { size: 6, maxLines: 4 }));
    if (source.length === 0) source.push(text('—', { color: MUTED }));
    return {
      fill: broken ? rgb(1, 0.9, 0.9) : undefined,
      cells: [
        [text(String(event.seq))],
        [text(formatTime(event.at).replace(' ', '\n'), { maxLines: 3 })], // date over time
        event.actorName ? [text(event.actorName, { maxLines: 3 }), small(fonts, event.actor, { maxLines: 2 })] : [text(event.actor, { maxLines: 3 })],
        actionLabel ? [text(actionLabel), small(fonts, event.action, { maxLines: 2 })] : [text(event.action, { maxLines: 3 })],
        source,
        event.intent ? (intentLabel ? [text(intentLabel), small(fonts, event.intent)] : [text(event.intent, { maxLines: 2 })]) : [text('—', { color: MUTED })],
        [text(event.hash.slice(0, 16), { size: 6.5 }), ...(broken ? [text(TEXT.brokenRow, { size: 6.5, color: ALARM })] : [])],
      ],
    };
  });
  drawTable(flow, columns, rows);
  if (events.length === 0) flowParagraphs(flow, [small(fonts, TEXT.noEvents)]);
}

function drawChain(flow: PageFlow, fonts: Fonts, chain: { genesis: string; head: string; count: number; check: ChainVerification }): void {
  drawHeading(flow, fonts, TEXT.sections.chain);
  const verdict: Cell = chain.check.ok
    ? [body(fonts, TEXT.chain.intact), small(fonts, TEXT.chain.intactEn)]
    : [body(fonts, TEXT.chain.broken(chain.check.brokenAt), { color: ALARM }), small(fonts, TEXT.chain.brokenEn(chain.check.brokenAt, chain.check.reason), { color: ALARM })];
  keyValueTable(flow, fonts, [
    [TEXT.chain.genesis, [body(fonts, chain.genesis)]],
    [TEXT.chain.count, [body(fonts, String(chain.count))]],
    [TEXT.chain.head, [body(fonts, chain.head, { color: chain.check.ok ? INK : ALARM })]],
    [TEXT.chain.check, verdict],
  ]);
}

function drawVerification(flow: PageFlow, fonts: Fonts): void {
  drawHeading(flow, fonts, TEXT.sections.verify);
  flowParagraphs(
    flow,
    TEXT.verify.map((text, i) => (i % 2 === 0 ? body(fonts, text, { size: 8 }) : small(fonts, text, { size: 7 }))),
    { gap: 3 },
  );
}

/** Page numbers and, from page 2 on, a running header: drawn last, once the page count is known. */
function drawPageFurniture(pdf: PDFDocument, fonts: Fonts, contractId: string): void {
  const pages = pdf.getPages();
  pages.forEach((page, i) => {
    const footer = TEXT.page(i + 1, pages.length);
    const size = 8;
    page.drawText(footer, { x: (A4.width - fonts.regular.width(footer, size)) / 2, y: 26, size, font: fonts.regular.pdfFont, color: MUTED });
    if (i === 0) return;
    const [header] = paragraphLines(small(fonts, TEXT.runningHeader + contractId), CONTENT_WIDTH);
    drawLines(page, small(fonts, ''), [header], MARGIN.left, A4.height - 24);
    page.drawLine({ start: { x: MARGIN.left, y: A4.height - 36 }, end: { x: MARGIN.left + CONTENT_WIDTH, y: A4.height - 36 }, thickness: 0.5, color: RULE });
  });
}

// ------------------------------------------------------------------ helpers

/** "2025-06-01 14:03:05 UTC+8"; a value that is not a time is shown as given. */
function formatTime(value: string | Date): string {
  const time = value instanceof Date ? value : new Date(value);
  return Number.isNaN(time.getTime()) ? String(value) : formatLocalTime(time, UTC_OFFSET_MINUTES);
}

/** Every string in the input, for the font subset. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) return out;
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key); // detail keys are drawn too, inside its JSON
      strings(item, out);
    }
  }
  return out;
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
