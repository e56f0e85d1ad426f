// What the rendering suites share: one font library and renderer per test file, the
// shipped templates' samples, and the signers a preview uses.
import { TemplateCatalog, type TemplateDefinition } from '../../templates/catalog';
import { FontLibrary, type FontFace, type FontWeight } from '../../templates/fonts';
import { createDocumentRenderer } from '../../templates/renderer';
import type { SignerSlot } from '../../templates/types';

export const SHIPPED = ['labour-contract', 'nda', 'onboarding-acknowledgement', 'purchase-contract', 'supplier-framework'] as const;

export function createFixture() {
  const fonts = new FontLibrary();
  const renderer = createDocumentRenderer({ fonts });
  const catalog = new TemplateCatalog();
  return {
    fonts,
    renderer,
    catalog,
    async faces(): Promise<Record<FontWeight, FontFace>> {
      return { regular: await fonts.face('regular'), bold: await fonts.face('bold') };
    },
  };
}

export function sampleSigners(definition: TemplateDefinition): SignerSlot[] {
  return definition.signers.map((role) => ({ id: role.id, name: role.sampleName, party: role.party }));
}

/** A purchase contract's data with `count` PO lines (materials MAT-0001…). */
export function purchaseOrderWithLines(sample: Record<string, unknown>, count: number): Record<string, unknown> {
  const kinds = ['贴片电阻 0603 1kΩ ±1%', '铝电解电容 470µF 35V', 'Connector 2.54mm 2×20 pin header', '散热器 AL6063 40×40×11mm', '以太网变压器 HX1188NL'];
  const items = Array.from({ length: count }, (_, index) => ({
    material: `MAT-${String(index + 1).padStart(4, '0')}`,
    description: `${kinds[index % kinds.length]}（批次 ${index % 7}）`,
    quantity: 10 * ((index % 13) + 1),
    unit: index % 2 ? '只' : '个',
    unitPrice: `${(index % 50) + 1}.${String((index * 37) % 100).padStart(2, '0')}`,
  }));
  return { ...sample, items };
}
