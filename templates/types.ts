// The shapes other folders see: who signs, where they sign, what a rendering gives back.
import type { JsonSchema } from './schema';

/** A party that signs the document; `id` matches the flow's signer id. */
export interface SignerSlot {
  id: string;
  name: string;
  party: 'company' | 'person';
}

/** Where a signer's seal or signature goes: page index from 0, PDF points from the page's bottom-left. */
export interface SignatureArea {
  signerId: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A blank area a template keeps (`::: area <id> …`), e.g. for the platform's stamp; same coordinates as SignatureArea. */
export interface ReservedArea {
  id: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A file embedded in the PDF (ISO 32000 7.11.4), e.g. the data a report was made from. */
export interface PdfAttachment {
  name: string;
  bytes: Uint8Array;
  mimeType: string;
  description?: string;
  /** PDF/A-3 relationship of the file to the document; Data by default */
  relationship?: 'Data' | 'Source' | 'Alternative' | 'Supplement' | 'Unspecified';
}

export interface RenderedDocument {
  pdf: Uint8Array;
  /** hex SHA-256 of `pdf`; the same input gives the same bytes, hence the same digest */
  sha256: string;
  pages: number;
  signatureAreas: SignatureArea[];
  reservedAreas: ReservedArea[];
}

/** A signer role a template expects, with the name used when previewing it. */
export interface TemplateSignerRole {
  id: string;
  party: 'company' | 'person';
  /** how the template calls the party, e.g. 甲方（买方） */
  label: string;
  sampleName: string;
}

export interface TemplateInfo {
  id: string;
  title: string;
  description: string;
  /** JSON Schema of the template's variables */
  schema: JsonSchema;
  signers: TemplateSignerRole[];
}

/** A template given as text, e.g. uploaded by IT, instead of one shipped in templates/. */
export interface TemplateSource {
  id: string;
  hbs: string;
  schema: JsonSchema;
  title?: string;
}

export interface RenderOptions {
  templateId: string;
  data: Record<string, unknown>;
  signers: SignerSlot[];
  /** PDF document title (metadata); defaults to the template's title */
  title?: string;
  /** PDF creation and modification date; without it the PDF carries no date (and stays byte-identical) */
  date?: Date;
  /** render this source instead of the shipped template `templateId` */
  source?: TemplateSource;
  /** files embedded in the PDF (dated with `date`) */
  attachments?: PdfAttachment[];
  /** PDF metadata: subject and language (BCP 47, e.g. zh-CN) */
  subject?: string;
  language?: string;
}
