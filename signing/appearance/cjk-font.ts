// The font of a seal or signature appearance: a subset from the document engine's
// FontLibrary (templates/), the same subsetter and the same Type0/Identity-H font objects
// as contracts, turned into the objects of our incremental-update writer (signing/pdf).
// The library caches subsets by character set, so a company sealing many documents cuts
// its seal's font once per process.
import { glyphRun, type0FontObjects, type CidObjectKey, type CidValue, type FontLibrary, type FontSubset } from '../../templates';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from '../pdf/objects';

/** The regular weight cut down to the characters of `text`. */
export function appearanceFont(fonts: FontLibrary, text: string): Promise<FontSubset> {
  return fonts.subset('regular', text);
}

/** Glyph ids as an Identity-H hex string, and the text's advance width in 1/1000 em. */
export function encodeText(font: FontSubset, text: string): { hex: string; width: number } {
  return glyphRun(font, text);
}

/**
 * The PDF objects of the font, given the object numbers to use: returns them with the
 * Type0 font's reference (what a /Font resource entry points at).
 */
export function fontObjects(font: FontSubset, allocate: () => PdfRef): { fontRef: PdfRef; objects: [PdfRef, PdfValue][] } {
  const cidObjects = type0FontObjects(font);
  const refs = new Map<CidObjectKey, PdfRef>(cidObjects.map((object) => [object.key, allocate()]));
  const toPdf = (value: CidValue): PdfValue => {
    if (typeof value === 'number') return value;
    if (Array.isArray(value)) return value.map(toPdf);
    if ('name' in value) return new PdfName(value.name);
    if ('text' in value) return PdfString.text(value.text);
    if ('ref' in value) return refs.get(value.ref)!;
    return new PdfDict(Object.entries(value.dict).map(([key, item]) => [key, toPdf(item)]));
  };
  const objects = cidObjects.map((object): [PdfRef, PdfValue] => {
    const dict = toPdf({ dict: object.dict }) as PdfDict;
    return [refs.get(object.key)!, object.stream ? new PdfStream(dict, object.stream) : dict];
  });
  return { fontRef: refs.get('font')!, objects };
}
