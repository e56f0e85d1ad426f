// Caps on what the PDF reader does for one file. Any PDF may come from outside (POST
// /api/verify takes bytes from anyone), so every loop the file steers has a bound and
// every inflate an output cap (nesting depth: MAX_NESTING in objects.ts): a hostile file ends in a PdfLimitError, never in a hang
// or an exhausted heap. The defaults are far above what real contracts need.

export interface PdfLimits {
  /** Cross-reference sections followed through /Prev (one per revision, two for hybrids). */
  maxXrefSections: number;
  /** Objects one cross-reference section may list, and pages a page tree may hold. */
  maxObjects: number;
  /** Bytes one xref or object stream may inflate to. */
  maxInflatedStreamBytes: number;
  /** Bytes all inflated streams of one reader may add up to. */
  maxInflatedTotalBytes: number;
}

export const DEFAULT_PDF_LIMITS: Readonly<PdfLimits> = Object.freeze({
  maxXrefSections: 1_000,
  maxObjects: 1_000_000,
  maxInflatedStreamBytes: 32 * 1024 * 1024,
  maxInflatedTotalBytes: 128 * 1024 * 1024,
});

/** The file asks for more work than a limit allows: refuse it rather than try. */
export class PdfLimitError extends Error {
  constructor(readonly limit: string, message: string) {
    super(message);
    this.name = 'PdfLimitError';
  }
}
