// Contract templates → A4 PDFs with correct Chinese, page numbers and signature areas.
// Other folders import only from here.
import { createDocumentRenderer, type DocumentRenderer } from './renderer';
import type { TemplateIssue } from './errors';
import type { RenderedDocument, RenderOptions, TemplateInfo, TemplateSource } from './types';

export type { SignerSlot, SignatureArea, ReservedArea, PdfAttachment, RenderedDocument, RenderOptions, TemplateInfo, TemplateSignerRole, TemplateSource } from './types';
export { TemplateError, type TemplateErrorCode, type TemplateErrorDetail, type TemplateIssue } from './errors';
export { createDocumentRenderer, SealflowDocumentRenderer, type DocumentRenderer, type DocumentRendererOptions, type RenderedWithLayout } from './renderer';
export { DEFAULT_FONT_FILES, FontLibrary, type FontLibraryOptions, type FontSubset, type FontWeight } from './fonts';
export { glyphRun, type0FontObjects, type CidObject, type CidObjectKey, type CidValue } from './cid-font';
export type { JsonSchema } from './schema';
export { amountInWords } from './numerals';
export { formatMoney } from './amounts';
export { A4 } from './layout';
export { signatureLines } from './markup';
export { breakLines, type BrokenLine } from './linebreak';

// The functions below use one renderer made on first use (shipped templates, default
// fonts). Code that wires dependencies (the worker) should make its own with
// createDocumentRenderer and pass it on.
let shared: DocumentRenderer | undefined;
const renderer = (): DocumentRenderer => (shared ??= createDocumentRenderer());

export function listTemplates(): Promise<TemplateInfo[]> {
  return renderer().listTemplates();
}

export function renderTemplate(options: RenderOptions): Promise<RenderedDocument> {
  return renderer().renderTemplate(options);
}

export function previewTemplate(templateId: string): Promise<RenderedDocument> {
  return renderer().previewTemplate(templateId);
}

export function checkTemplateSource(source: TemplateSource & { sample?: Record<string, unknown> }): TemplateIssue[] {
  return renderer().checkTemplateSource(source);
}
