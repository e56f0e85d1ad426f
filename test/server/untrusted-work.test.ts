// Untrusted work through the HTTP routes of a running hub: hostile PDFs at the size limit of
// POST /api/verify (huge declared lengths and counts, deep nesting, an inflate bomb, hostile
// DER in a signature) never take the server down or hold its event loop; and a full worker
// queue, of the PDF verifier or of the expression evaluator, answers 503 busy with
// Retry-After (try again), not a 4xx verdict on the request. One request buys at most one
// digest per revision: 5,000 signature fields over 20 MB answer at once, invalid.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { useExpressionPool } from '../../flows/expression-pool';
import { signPdf } from '../../signing';
import { createPdfVerifier, type PdfVerifier } from '../../signing/verify/verification-pool';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';
import { minimalPdf } from '../support/minimal-pdf';

// One evaluator, two places in its queue, a 1.5 s cut-off: set before the hub makes the process's pool.
useExpressionPool({ workers: 1, limits: { maxQueue: 2, timeoutMs: 1500 } });

let hub: TestHub;
let verifier: PdfVerifier | undefined;
let signed: Buffer;
/** Hex of a small real CMS SignedData (openssl, no certificates, no attributes): it parses and gets as far as the digest. */
let smallCms: string;
/** Just under the route's limit (DEFAULT_VERIFY_LIMITS.maxBytes, 20 MiB). */
const NEAR_LIMIT = 20 * 1024 * 1024 - 64 * 1024;

beforeAll(async () => {
  // One verifier worker and two places in its queue, so that a burst fills it (the 503 test below).
  hub = await startTestHub({
    publicRateLimits: { verify: { burst: 10_000, perSecond: 10_000 } },
    verifier: (signing) => (verifier = createPdfVerifier({ trustAnchors: [signing.ca.rootCertificate], workers: 1, maxQueue: 2 })),
  });
  const dir = mkdtempSync(join(tmpdir(), 'sealflow-cms-'));
  try {
    const at = (name: string) => join(dir, name);
    writeFileSync(at('empty'), '');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=amplifier', '-days', '1', '-keyout', at('key.pem'), '-out', at('cert.pem')], { stdio: 'ignore' });
    execFileSync('openssl', ['cms', '-sign', '-binary', '-nocerts', '-noattr', '-md', 'sha256', '-outform', 'DER', '-signer', at('cert.pem'), '-inkey', at('key.pem'), '-in', at('empty'), '-out', at('cms.der')], { stdio: 'ignore' });
    smallCms = readFileSync(at('cms.der')).toString('hex');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const preview = await fetch(`${hub.url}/api/templates/onboarding-acknowledgement/preview`, { method: 'POST', headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' }, body: '{}' });
  const pdf = new Uint8Array(await preview.arrayBuffer());
  signed = Buffer.from(await signPdf({ pdf, signer: hub.signing.platformSigner, field: { name: 'Platform', page: 1 }, timestamp: hub.signing.timestamps }));
}, 120_000);
afterAll(async () => {
  await hub?.close();
  await verifier?.close();
});

async function verify(pdf: Buffer) {
  const response = await fetch(`${hub.url}/api/verify`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: pdf });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

const CATALOG = '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>';
const PAGES = '<< /Type /Pages /Kids [] /Count 0 >>';

/**
 * A signature whose /Contents is `hex` and whose /ByteRange skips exactly it, as a signer writes
 * it, behind `fields` signature fields that all point at it, with `padding` bytes of junk signed too.
 */
function signatureOf(hex: string, fields = 1, padding = 0): Buffer {
  const placeholder = '0000000000';
  const refs = Array.from({ length: fields }, (_, i) => `${i + 4} 0 R`).join(' ');
  const catalog = `<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [${refs}] >> >>`;
  const signature = `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 ${placeholder} ${placeholder} ${placeholder}] /Contents <${hex}> >>`;
  const fieldObjects = Array.from({ length: fields }, (_, i) => `<< /FT /Sig /T (f${i}) /V 3 0 R >>`);
  const junk = padding ? [`<< /Length ${padding} >>\nstream\n${'x'.repeat(padding)}\nendstream`] : [];
  const pdf = minimalPdf([catalog, PAGES, signature, ...fieldObjects, ...junk]).toString('latin1');
  const gapStart = pdf.indexOf('/Contents <') + '/Contents '.length;
  const gapEnd = gapStart + hex.length + 2;
  const pad = (n: number) => String(n).padStart(10, '0');
  return Buffer.from(pdf.replace(`[0 ${placeholder} ${placeholder} ${placeholder}]`, `[0 ${pad(gapStart)} ${pad(gapEnd)} ${pad(pdf.length - gapEnd)}]`), 'latin1');
}

/** The signed PDF with its /Contents replaced by `der` (same length: the byte range still fits). */
function signedWithContents(derHex: string): Buffer {
  const out = Buffer.from(signed);
  const text = out.toString('latin1');
  const start = text.indexOf('/Contents <') + '/Contents <'.length;
  const end = text.indexOf('>', start);
  const hex = derHex.slice(0, end - start).padEnd(end - start, '0');
  out.write(hex, start, 'latin1');
  return out;
}

const hexLength = (n: number) => n.toString(16).padStart(8, '0');
const bigDer = (() => {
  // A SEQUENCE holding one OCTET STRING of ~10 MB: lengths that are true, contents that are junk.
  const inner = (NEAR_LIMIT >> 1) - 4096;
  return `3084${hexLength(inner + 6)}0484${hexLength(inner)}${'ab'.repeat(inner)}`;
})();

const HOSTILE: Record<string, () => Buffer> = {
  'an xref claiming 999,999,999 objects': () => minimalPdf([CATALOG, PAGES], 999_999_999),
  'a stream declaring /Length 2,000,000,000': () => minimalPdf([CATALOG, PAGES, '<< /Length 2000000000 >>\nstream\nabc\nendstream']),
  '20 MB of nested arrays': () => minimalPdf([CATALOG, PAGES, '['.repeat(NEAR_LIMIT)]),
  'an object stream inflating to 32 MB': () => {
    const bomb = deflateSync(Buffer.alloc(32 * 1024 * 1024 - 1, 0x5b)).toString('latin1');
    return minimalPdf([CATALOG, PAGES, `<< /Type /ObjStm /N 100000 /First 4 /Filter /FlateDecode /Length ${bomb.length} >>\nstream\n${bomb}\nendstream`]);
  },
  'a ToUnicode-like stream inflating to 30 MB of ranges': () => {
    const cmap = deflateSync(Buffer.from('<0000> <FFFF> <0041>\n'.repeat(1_500_000))).toString('latin1');
    return minimalPdf([CATALOG, PAGES, `<< /Filter /FlateDecode /Length ${cmap.length} >>\nstream\n${cmap}\nendstream`]);
  },
  'a signature whose DER declares 4 GB': () => signedWithContents('3084fffffff0'),
  'a signature of 1,000 nested indefinite-length SEQUENCEs': () => signedWithContents('3080'.repeat(1000)),
  'a signature of 10 MB of DER': () => signatureOf(bigDer),
  // A digest each would be minutes of CPU; one per revision is one. Their 5,000 reports are over the verifier's 1 MB cap: 422.
  '5,000 signature fields sharing one real signature over 20 MB': () => sharedSignaturePdf(5_000),
  '5,000 distinct signatures over 20 MB, all ending at the one revision': () => distinctSignaturesPdf(5_000),
};

/** The /Contents hex of our genuine signature. */
function realContents(): string {
  const text = signed.toString('latin1');
  const start = text.indexOf('/Contents <') + '/Contents <'.length;
  return text.slice(start, text.indexOf('>', start));
}

/** A real CMS signature (ours) over 20 MB behind 5,000 fields: a digest per field would be minutes of CPU. */
const sharedSignaturePdf = (fields: number) => signatureOf(realContents(), fields, NEAR_LIMIT - 512 * 1024);

/**
 * 5,000 signature dictionaries, each its own /Contents (a small real CMS) and its own field, every
 * byte range skipping just its /Contents and ending at the one revision's end, over ~20 MB of junk.
 */
function distinctSignaturesPdf(count: number): Buffer {
  const placeholder = '0000000000';
  const signatures = Array.from({ length: count }, () => `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 ${placeholder} ${placeholder} ${placeholder}] /Contents <${smallCms}> >>`);
  const fields = Array.from({ length: count }, (_, i) => `<< /FT /Sig /T (f${i}) /V ${i + 3} 0 R >>`);
  const refs = fields.map((_, i) => `${count + i + 3} 0 R`).join(' ');
  const catalog = `<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [${refs}] >> >>`;
  const shell = minimalPdf([catalog, PAGES, ...signatures, ...fields]).length;
  const padding = NEAR_LIMIT - shell - 64;
  const pdf = minimalPdf([catalog, PAGES, ...signatures, ...fields, `<< /Length ${padding} >>\nstream\n${'x'.repeat(padding)}\nendstream`]);
  // The placeholders have the numbers' width: filling them in moves nothing.
  const pad = (n: number) => String(n).padStart(10, '0');
  for (let from = 0, i = 0; i < count; i++) {
    const range = pdf.indexOf(`[0 ${placeholder}`, from, 'latin1');
    const gapStart = pdf.indexOf('/Contents <', range, 'latin1') + '/Contents '.length;
    const gapEnd = gapStart + smallCms.length + 2;
    pdf.write(`[0 ${pad(gapStart)} ${pad(gapEnd)} ${pad(pdf.length - gapEnd)}]`, range, 'latin1');
    from = gapEnd;
  }
  return pdf;
}

/** Verifies `pdf` with a /healthz sent while it is being read and verified: the event loop must stay free. */
async function verifyUnderWatch(pdf: Buffer) {
  expect(pdf.length).toBeLessThanOrEqual(20 * 1024 * 1024);
  const hostile = timed(() => verify(pdf));
  await new Promise((resolve) => setTimeout(resolve, 150));
  const health = await timed(() => hub.call('GET', '/healthz', undefined, null));
  const { ms, result } = await hostile;
  return { ms, result, health };
}

/** The server is still whole: a genuine signature still verifies. */
async function expectGenuineStillValid(): Promise<void> {
  const genuine = await verify(signed);
  expect(genuine.status).toBe(200);
  expect(genuine.body.valid).toBe(true);
}

describe('hostile PDFs at the size limit of POST /api/verify', () => {
  for (const [shape, build] of Object.entries(HOSTILE)) {
    it(`${shape}: refused or reported, never a 500, while /healthz answers at once`, async () => {
      const pdf = build();
      const { ms, result, health } = await verifyUnderWatch(pdf);
      console.log(`[verify attack] ${shape}: ${pdf.length} bytes → ${result.status} ${result.body.error?.code ?? `valid=${result.body.valid}`} in ${Math.round(ms)} ms; /healthz in ${Math.round(health.ms)} ms; server rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
      expect([200, 400, 422]).toContain(result.status);
      if (result.status === 200) expect(result.body.valid).toBe(false);
      expect(health.result.status).toBe(200);
      expect(health.ms).toBeLessThan(1000);
      // At most the worker's time limit (5 s), then refused.
      expect(ms).toBeLessThan(8000);
      await expectGenuineStillValid();
    });
  }
});

describe('one request buys at most one digest per revision', () => {
  // 1,000 digests of 20 MB would be 10 s of CPU (the worker's limit is 5 s); the report still fits its 1 MB cap.
  const SHAPES: Record<string, { build: () => Buffer; problem: RegExp }> = {
    '1,000 signature fields sharing one real signature over 20 MB': { build: () => sharedSignaturePdf(1_000), problem: /shares its signature value with field "f0"/ },
    '1,000 distinct signatures over 20 MB, all ending at the one revision': { build: () => distinctSignaturesPdf(1_000), problem: /another signature already ends at revision 1/ },
  };
  for (const [shape, { build, problem }] of Object.entries(SHAPES)) {
    it(`${shape}: answered at once, not valid, saying why; /healthz answers meanwhile`, async () => {
      const pdf = build();
      const { ms, result, health } = await verifyUnderWatch(pdf);
      console.log(`[verify attack] ${shape}: ${pdf.length} bytes → ${result.status} valid=${result.body.valid} in ${Math.round(ms)} ms; /healthz in ${Math.round(health.ms)} ms`);
      expect(result.status, JSON.stringify(result.body).slice(0, 500)).toBe(200);
      expect(result.body.valid).toBe(false);
      expect(result.body.signatures).toHaveLength(1_000);
      expect(result.body.signatures.filter((s: any) => s.valid)).toEqual([]);
      expect(result.body.signatures.some((s: any) => s.problems.some((p: string) => problem.test(p)))).toBe(true);
      expect(health.result.status).toBe(200);
      expect(ms).toBeLessThan(1000);
      await expectGenuineStillValid();
    });
  }
});

describe('a full queue answers 503 busy with Retry-After', () => {
  it('POST /api/verify: with the one verifier busy on 20 MB PDFs and its queue full, a burst gets 503 for the surplus and reports for the rest', async () => {
    // Genuine-shaped PDFs near the size limit (a real signature over 20 MB, whose digest then
    // differs) keep the hub's one worker reading, parsing and hashing while its two places fill.
    const large = signatureOf(realContents(), 1, NEAR_LIMIT - 512 * 1024);
    const holding = Array.from({ length: 3 }, () => verify(large));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answers = await Promise.all(Array.from({ length: 40 }, () => verify(signed)));
    for (const held of await Promise.all(holding)) {
      expect([200, 503]).toContain(held.status);
      if (held.status === 200) expect(held.body.valid).toBe(false);
    }
    const statuses = answers.map((a) => a.status);
    const busy = answers.filter((a) => a.status === 503);
    expect(busy.length, JSON.stringify(statuses)).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(busy[0].body.error.code).toBe('busy');
    expect(busy[0].retryAfter).toBeTruthy();
    for (const answer of answers.filter((a) => a.status === 200)) expect(answer.body.valid).toBe(true);
    expect((await verify(signed)).status).toBe(200);
  });

  it('POST /api/flows/:key/simulate: with the evaluator held and its queue full, 503 busy, not a 4xx; then it answers again', async () => {
    /** 2·10⁸ property writes in one `$merge` call: no in-worker clock sees it, the pool cuts it off after 1.5 s. */
    const slow: FlowDefinition = { ...structuredClone(approvalFlow()), key: 'slow-amount', data: { type: 'object' } as FlowDefinition['data'] };
    slow.approval.amount = '=( $o := wide; $count($keys($merge([1..20000].$o))) )';
    expect((await hub.call('POST', '/api/flows', slow)).status).toBe(201);
    const quick: FlowDefinition = { ...structuredClone(approvalFlow()), key: 'quick-amount' };
    expect((await hub.call('POST', '/api/flows', quick)).status).toBe(201);
    const order = { poNumber: 'PO-1', amount: 5000, supplier: { name: '深圳市华强电子有限公司' } };
    const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));

    const held = hub.call('POST', '/api/flows/slow-amount/simulate', { data: { ...order, wide } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const waiting = [hub.call('POST', '/api/flows/quick-amount/simulate', { data: order }), hub.call('POST', '/api/flows/quick-amount/simulate', { data: order })];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await fetch(`${hub.url}/api/flows/quick-amount/simulate`, { method: 'POST', headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ data: order }) });
    const body = (await refused.json()) as any;
    expect(refused.status, JSON.stringify(body)).toBe(503);
    expect(body.error.code).toBe('busy');
    expect(refused.headers.get('retry-after')).toBeTruthy();

    // The runaway itself is the expression's fault: a 4xx naming its path, once the pool cuts it off.
    const runaway = await held;
    expect(runaway.status).toBeGreaterThanOrEqual(400);
    expect(runaway.status).toBeLessThan(500);
    expect(JSON.stringify(runaway.body)).toMatch(/was stopped after 1500 ms/);
    for (const answer of await Promise.all(waiting)) expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect((await hub.call('POST', '/api/flows/quick-amount/simulate', { data: order })).status).toBe(200);
  });
});
