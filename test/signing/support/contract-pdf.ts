// Test and benchmark documents: a contract-like PDF made with pdf-lib, with a reserved
// signature area per signer drawn as a grey rectangle.
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';

export interface SignatureArea {
  page: number; // 1-based
  x: number;
  y: number;
  width: number;
  height: number;
}

export const SIGNATURE_AREAS: SignatureArea[] = [
  { page: 3, x: 60, y: 80, width: 150, height: 150 },
  { page: 3, x: 380, y: 80, width: 150, height: 150 },
  { page: 3, x: 220, y: 250, width: 160, height: 70 },
];

const CLAUSES = [
  'The Supplier shall deliver the goods listed in Annex 1 to the Buyer\'s warehouse within 30 days of this order.',
  'Payment: 30% on signature, 70% within 45 days after acceptance of the goods, by bank transfer.',
  'Warranty: twelve months from acceptance; defects are remedied at the Supplier\'s cost within 10 working days.',
  'Confidentiality: each party keeps the other party\'s business information confidential for five years.',
  'Disputes are settled by the court at the Buyer\'s domicile under the laws of the People\'s Republic of China.',
];

export async function makeContractPdf(options: { pages?: number; objectStreams?: boolean; title?: string } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const pages = options.pages ?? 3;
  for (let n = 1; n <= pages; n++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(options.title ?? 'Purchase Contract PO 4500000001', { x: 60, y: 780, size: 18, font: bold });
    let y = 740;
    for (let i = 0; i < 18; i++) {
      page.drawText(`${n}.${i + 1} ${CLAUSES[i % CLAUSES.length]}`, { x: 60, y, size: 9, font, maxWidth: 475 });
      y -= 24;
    }
    page.drawText(`Page ${n} of ${pages}`, { x: 270, y: 30, size: 8, font });
    for (const area of SIGNATURE_AREAS.filter((a) => a.page === n)) {
      page.drawRectangle({ x: area.x, y: area.y, width: area.width, height: area.height, borderColor: rgb(0.7, 0.7, 0.7), borderWidth: 0.5 });
    }
  }
  return doc.save({ useObjectStreams: options.objectStreams ?? true });
}
