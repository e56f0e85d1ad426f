// The pool's own limits: a verification over its time is cut off and its worker replaced,
// one over its heap is refused, a full queue says so at once.
import { afterEach, describe, expect, it } from 'vitest';
import { minimalPdf } from '../../test/support/minimal-pdf';
import { DEFAULT_VERIFY_LIMITS } from './limits';
import { createPdfVerifier, VerificationRefused, type PdfVerifier } from './verification-pool';

const pdf = (catalogExtra = '', extraObjects: string[] = []) => minimalPdf([`<< /Type /Catalog /Pages 2 0 R${catalogExtra} >>`, '<< /Type /Pages /Kids [] /Count 0 >>', ...extraObjects]);

const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => (error instanceof VerificationRefused ? `${error.reason}: ${error.message}` : error));

let verifiers: PdfVerifier[] = [];
const verifier = (options: Partial<Parameters<typeof createPdfVerifier>[0]>) => {
  const created = createPdfVerifier({ trustAnchors: [], workers: 1, ...options });
  verifiers.push(created);
  return created;
};
afterEach(async () => {
  await Promise.all(verifiers.map((v) => v.close()));
  verifiers = [];
});

describe('verification pool', () => {
  it('answers a report from its worker', async () => {
    const report = await verifier({}).verify(pdf());
    expect(report).toMatchObject({ valid: false, signatures: [], revisions: 1 });
  });

  it('cuts off a verification over its time, and the next one in a new worker', async () => {
    // A form of 9,000 fields: far more than 1 ms of work on any machine (a tiny PDF can verify faster than that).
    const fields = Array.from({ length: 9_000 }, (_, i) => `<< /FT /Sig /T (f${i}) >>`);
    const heavy = pdf(` /AcroForm << /Fields [${fields.map((_, i) => `${i + 3} 0 R`).join(' ')}] >>`, fields);
    const pool = verifier({ limits: { ...DEFAULT_VERIFY_LIMITS, timeoutMs: 1 } });
    expect(await refusal(pool.verify(heavy))).toMatch(/^timeout: verifying it took longer than 1 ms/);
    expect(await refusal(pool.verify(heavy))).toMatch(/^timeout/);
  });

  it('refuses a PDF whose parsing needs more heap than the worker has', async () => {
    const huge = pdf(` /Junk [${'0 '.repeat(6_000_000)}]`);
    const pool = verifier({ limits: { ...DEFAULT_VERIFY_LIMITS, maxHeapMb: 16, timeoutMs: 20_000 } });
    expect(await refusal(pool.verify(huge))).toMatch(/^too_complex: .*more than 16 MB of memory/);
    expect((await pool.verify(pdf())).revisions).toBe(1);
  });

  it('says busy at once when its queue is full, and unreadable for what is not a PDF', async () => {
    const pool = verifier({ maxQueue: 1 });
    const first = pool.verify(pdf());
    expect(await refusal(pool.verify(pdf()))).toMatch(/^busy/);
    await first;
    expect(await refusal(pool.verify(Buffer.from('%PDF-1.7\n garbage')))).toMatch(/^unreadable/);
  });
});
