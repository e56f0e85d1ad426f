// The evidence report (签约存证报告): the event hash chain catches edits, removals, reordering
// and chains moved between contracts; the report shows every document hash, event and the
// chain head with Chinese glyphs actually drawn; and the platform-sealed report passes
// poppler, pyHanko and our own verifier like a signed contract does.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalJson,
  chainEvents,
  chainGenesis,
  companySubject,
  createLocalSigner,
  enrollSigner,
  EVIDENCE_SEAL_AREA,
  renderEvidenceReport,
  sealEvidenceReport,
  verifyEventChain,
  verifyPdf,
  type ChainedEvent,
  type EvidenceEvent,
  type EvidenceReportInput,
  type Signer,
} from '../../signing/index';
import { FontLibrary } from '../../templates';
import { creditCode, signingFixture } from './support/fixture';
import { ensureValidators, pdfsig, pem, pyhankoValidate, scratchDir, writeTemp } from './support/validators';

const CONTRACT_ID = 'ct_2025_0611_000042';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A contract's life as the flow records it: start, approval, document, two signers, completion. */
function history(): EvidenceEvent[] {
  const docSha = sha256('contract v1');
  const ua = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
  const at = (minute: number): string => new Date(Date.UTC(2025, 5, 11, 2, minute)).toISOString();
  return [
    { seq: 1, at: at(0), actor: 'user-17', actorName: '李娜', action: 'contract.started', ip: '198.51.100.7', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', intent: 'bearer-token' },
    { seq: 2, at: at(5), actor: 'user-23', actorName: '张伟', action: 'approval.approved', ip: '198.51.100.9', userAgent: 'Mozilla/5.0 (Macintosh)', intent: 'bearer-token', detail: { step: 'legal', comment: '条款已审核，同意' } },
    { seq: 3, at: at(6), actor: 'system', action: 'document.generated', documentSha256: docSha, detail: { template: 'purchase-contract', version: 3 } },
    { seq: 4, at: at(30), actor: 'signer-buyer', actorName: '深圳市华强电子有限公司', action: 'signer.otp_verified', ip: '203.0.113.45', userAgent: ua, intent: 'sms-otp' },
    { seq: 5, at: at(31), actor: 'signer-buyer', actorName: '深圳市华强电子有限公司', action: 'signer.signed', ip: '203.0.113.45', userAgent: ua, intent: 'sms-otp', documentSha256: docSha },
    { seq: 6, at: at(50), actor: 'signer-supplier', actorName: '上海浦江精密机械股份有限公司', action: 'signer.signed', ip: '2001:db8::1', userAgent: 'curl/8.5.0', intent: 'must-read', documentSha256: docSha },
    { seq: 7, at: at(51), actor: 'system', action: 'contract.completed' },
  ];
}

const genesis = chainGenesis(CONTRACT_ID);

describe('event hash chain', () => {
  const chained = chainEvents(history(), { genesis });

  it('verifies an untouched chain and reports its head', () => {
    expect(verifyEventChain(chained, { genesis })).toEqual({ ok: true, head: chained[6].hash });
    expect(chained[0].prevHash).toBe(sha256(CONTRACT_ID));
    expect(chained[1].prevHash).toBe(chained[0].hash);
  });

  it('hashes prevHash, a newline and the canonical JSON of the event', () => {
    const { prevHash, hash, ...event } = chained[1];
    const canonical = '{"action":"approval.approved","actor":"user-23","actorName":"张伟","at":"2025-06-11T02:05:00.000Z","detail":{"comment":"条款已审核，同意","step":"legal"},"intent":"bearer-token","ip":"198.51.100.9","seq":2,"userAgent":"Mozilla/5.0 (Macintosh)"}';
    expect(canonicalJson(event)).toBe(canonical);
    expect(hash).toBe(sha256(`${prevHash}\n${canonical}`));
  });

  it.each([
    ['ip', '10.0.0.1'],
    ['at', '2025-06-11T02:29:00.000Z'],
    ['actor', 'signer-supplier'],
    ['action', 'signer.declined'],
    ['userAgent', 'Mozilla/5.0'],
    ['intent', 'must-read'],
    ['documentSha256', sha256('another document')],
    ['detail', { note: 'added later' }],
  ])('points at the event whose %s was edited', (field, value) => {
    const edited = structuredClone(chained);
    (edited[3] as unknown as Record<string, unknown>)[field] = value;
    expect(verifyEventChain(edited, { genesis })).toMatchObject({ ok: false, brokenAt: 4, reason: expect.stringContaining('changed') });
  });

  it('points at the event after a deleted one', () => {
    const deleted = chained.filter((event) => event.seq !== 3);
    expect(verifyEventChain(deleted, { genesis })).toMatchObject({ ok: false, brokenAt: 4, reason: expect.stringContaining('removed') });
  });

  it('breaks where two events were swapped', () => {
    const swapped = [...chained];
    [swapped[2], swapped[3]] = [swapped[3], swapped[2]];
    expect(verifyEventChain(swapped, { genesis })).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('breaks at the first event when verified against another contract', () => {
    expect(verifyEventChain(chained, { genesis: chainGenesis('ct_2025_0611_000043') })).toMatchObject({ ok: false, brokenAt: 1, reason: expect.stringContaining('genesis') });
  });

  it('catches events cut off the end only against a recorded head', () => {
    const truncated = chained.slice(0, 5);
    expect(verifyEventChain(truncated, { genesis }).ok).toBe(true);
    expect(verifyEventChain(truncated, { genesis, head: chained[6].hash })).toMatchObject({ ok: false, brokenAt: 6 });
  });

  it('hashes a null field like a missing one and ignores columns that are not event fields', () => {
    const row = { ...chained[6], ip: null, userAgent: undefined, tenantId: 'tenant-a', id: 991 } as ChainedEvent;
    expect(verifyEventChain([...chained.slice(0, 6), row], { genesis }).ok).toBe(true);
  });

  it('refuses to chain events out of seq order', () => {
    const events = history();
    expect(() => chainEvents([events[1], events[0]], { genesis })).toThrow(RangeError);
  });
});

// ------------------------------------------------------------------ the report

let fixture: Awaited<ReturnType<typeof signingFixture>>;
let platform: Signer;
let fonts: FontLibrary;
let dir: string;
let rootPem: string;

beforeAll(async () => {
  ensureValidators();
  fixture = await signingFixture();
  // The platform's own certificate, issued by the same Sealflow CA as the parties'.
  await enrollSigner({ vault: fixture.vault, ca: fixture.ca, tenantId: 'platform', signerId: 'sealflow-platform', subject: companySubject({ name: 'Sealflow 平台', creditCode: creditCode('91440300MA5F00099') }) });
  platform = await createLocalSigner({ vault: fixture.vault, keyId: 'sealflow-platform' });
  fonts = new FontLibrary();
  dir = scratchDir();
  rootPem = writeTemp(dir, 'root.pem', pem(fixture.ca.rootCertificate));
});

function reportInput(events: ChainedEvent[]): EvidenceReportInput {
  return {
    contract: {
      id: CONTRACT_ID,
      title: '采购合同 PO 4500000001（深圳市华强电子有限公司 与 上海浦江精密机械股份有限公司）',
      flowKey: 'purchase-contract',
      flowVersion: 3,
      status: 'completed',
      createdAt: '2025-06-11T02:00:00Z',
      completedAt: '2025-06-11T02:51:00Z',
      parties: [
        { name: '深圳市华强电子有限公司', role: '买方 buyer' },
        { name: '上海浦江精密机械股份有限公司', role: '卖方 supplier' },
      ],
    },
    documents: [
      { id: 'doc-contract', title: '采购合同正文', sha256: sha256('contract v1'), pages: 3, version: 1 },
      { id: 'doc-annex', title: '附件一 交货清单 Annex 1', sha256: 'd'.repeat(64), pages: 2, version: 2 }, // 64 of the widest hex digit
    ],
    events,
    generatedAt: new Date('2025-06-11T03:00:00Z'),
    fonts,
  };
}

function pdftotext(path: string, page?: number): string {
  const range = page === undefined ? [] : ['-f', String(page), '-l', String(page)];
  const run = spawnSync('pdftotext', [...range, '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

function pageCount(path: string): number {
  return Number(/^Pages:\s+(\d+)/m.exec(spawnSync('pdfinfo', [path], { encoding: 'utf8' }).stdout)?.[1]);
}

/** Page 1 at 60 dpi in grey; `darkPixels` counts pixels darker than mid-grey in a rectangle given in PDF points from the top left. */
function renderPageOne(path: string): { darkPixels(area: { x: number; top: number; width: number; height: number }): number } {
  const prefix = join(dir, `page-${Math.random().toString(36).slice(2)}`);
  const run = spawnSync('pdftoppm', ['-r', '60', '-gray', '-f', '1', '-l', '1', '-singlefile', path, prefix], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const pgm = readFileSync(`${prefix}.pgm`);
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 64))!;
  const [width, pixels] = [Number(header[1]), pgm.subarray(header[0].length)];
  const px = (points: number): number => Math.round((points * 60) / 72);
  return {
    darkPixels({ x, top, width: w, height: h }) {
      let count = 0;
      for (let row = px(top); row < px(top + h); row++) for (let column = px(x); column < px(x + w); column++) if (pixels[row * width + column] < 128) count++;
      return count;
    },
  };
}

const A4_HEIGHT = 841.89;
// 签约存证报告, 18 pt, centred in the width left of the seal area (515 − 150 − 10 pt)
const TITLE_LINE = { x: 40, top: 44, width: 355, height: 30 };
const SEAL_AREA = { x: EVIDENCE_SEAL_AREA.x, top: A4_HEIGHT - EVIDENCE_SEAL_AREA.y - EVIDENCE_SEAL_AREA.height, width: EVIDENCE_SEAL_AREA.width, height: EVIDENCE_SEAL_AREA.height };

describe('renderEvidenceReport', () => {
  const events = chainEvents(history(), { genesis });
  let path: string;
  let pdf: Uint8Array;

  beforeAll(async () => {
    pdf = await renderEvidenceReport(reportInput(events));
    path = writeTemp(dir, 'report.pdf', pdf);
  });

  it('lists the contract, every document hash, every event and the chain head as text', () => {
    const text = pdftotext(path);
    expect(text).toContain('签约存证报告');
    expect(text).toContain('Evidence Report');
    expect(text).toContain(CONTRACT_ID);
    for (const document of reportInput(events).documents) expect(text).toContain(document.sha256);
    for (const event of events) {
      expect(text).toContain(event.actor);
      expect(text).toContain(event.action);
      expect(text).toContain(event.hash.slice(0, 16));
    }
    expect(text).toContain(events.at(-1)!.hash);
    expect(text).toContain(genesis);
    expect(text).toMatch(/UTC\+8/);
    expect(text).toContain('2025-06-11'); // 02:00 UTC is 10:00 in Shanghai, same day
    expect(text).toContain('10:00:00 UTC+8');
    const pages = pageCount(path);
    expect(text).toContain(`第 1 页 共 ${pages} 页`);
  });

  it('draws the Chinese title with visible glyphs and leaves the seal area blank', () => {
    const page = renderPageOne(path);
    expect(page.darkPixels(TITLE_LINE)).toBeGreaterThan(150);
    expect(page.darkPixels(SEAL_AREA)).toBe(0);
  });

  it('is a well-formed PDF', () => {
    const run = spawnSync('qpdf', ['--check', path], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('attaches the events so that the chain recomputes to the printed head', () => {
    const run = spawnSync('qpdf', ['--show-attachment=evidence.json', path], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const attached = JSON.parse(run.stdout) as { genesis: string; head: string; events: ChainedEvent[] };
    expect(attached.genesis).toBe(sha256(CONTRACT_ID));
    expect(verifyEventChain(attached.events, { genesis: chainGenesis(CONTRACT_ID), head: attached.head })).toEqual({ ok: true, head: events.at(-1)!.hash });
  });

  it('gives the same bytes for the same input', async () => {
    expect(Buffer.compare(Buffer.from(await renderEvidenceReport(reportInput(events))), Buffer.from(pdf))).toBe(0);
  });

  it('shows a chain broken by an edited event, in a banner and at the event', async () => {
    const tampered = structuredClone(events);
    tampered[3].ip = '10.0.0.1';
    const text = pdftotext(writeTemp(dir, 'tampered.pdf', await renderEvidenceReport(reportInput(tampered))));
    expect(text).toContain('哈希链在第 4 条事件处断裂');
    expect(text).toContain('the hash chain is broken at event 4');
    expect(text).toContain('链接断裂 broken');
  });

  it('runs 300 events over several pages, numbered, with nothing outside the margins', async () => {
    const many: EvidenceEvent[] = Array.from({ length: 300 }, (_, i) => ({
      seq: i + 1,
      at: new Date(Date.UTC(2025, 5, 11, 2, 0, i * 13)).toISOString(),
      actor: `signer-${i + 1}`,
      actorName: i % 2 ? '王小明' : 'Alexandra Konstantinopoulou-Papadimitriou',
      action: i % 3 ? 'signer.otp_verified' : 'document.viewed',
      ip: `203.0.113.${i % 250}`,
      userAgent: i % 7 ? 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile Safari/537.36' : 'x'.repeat(900),
      intent: 'sms-otp',
      detail: i % 50 === 0 ? { blob: 'y'.repeat(400), 备注: '超长的备注'.repeat(40) } : undefined,
    }));
    const chained = chainEvents(many, { genesis });
    const manyPath = writeTemp(dir, 'report-300.pdf', await renderEvidenceReport(reportInput(chained)));
    const pages = pageCount(manyPath);
    expect(pages).toBeGreaterThanOrEqual(5);
    for (let n = 1; n <= pages; n++) expect(pdftotext(manyPath, n)).toContain(`第 ${n} 页 共 ${pages} 页`);
    const all = pdftotext(manyPath);
    for (const event of [chained[0], chained[150], chained[299]]) expect(all).toContain(event.actor);
    // the chain section, after the event table, gives the head of the 300-event chain
    const chainPage = Array.from({ length: pages }, (_, i) => i + 1).filter((n) => pdftotext(manyPath, n).includes('哈希链 Hash chain')).pop()!;
    expect(chainPage).toBeGreaterThanOrEqual(pages - 1);
    expect(pdftotext(manyPath, chainPage)).toContain(chained[299].hash);

    // Every word's box lies inside the page margins (40 pt left and right, 24 pt top and bottom for header and footer).
    const bbox = spawnSync('pdftotext', ['-bbox', manyPath, '-'], { encoding: 'utf8' }).stdout;
    const words = [...bbox.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">/g)].map((m) => m.slice(1).map(Number));
    expect(words.length).toBeGreaterThan(3000);
    const outside = words.filter(([xMin, yMin, xMax, yMax]) => xMin < 39.5 || xMax > 595.28 - 39.5 || yMin < 14 || yMax > A4_HEIGHT - 14);
    expect(outside).toEqual([]);
    expect(spawnSync('qpdf', ['--check', manyPath]).status).toBe(0);
  });
});

describe('sealEvidenceReport', () => {
  const events = chainEvents(history(), { genesis });
  let sealedPath: string;
  let sealed: Uint8Array;

  beforeAll(async () => {
    const report = await renderEvidenceReport(reportInput(events));
    sealed = await sealEvidenceReport({ pdf: report, signer: platform, timestamp: fixture.timestamp, signingTime: new Date('2025-06-11T03:00:05Z') });
    sealedPath = writeTemp(dir, 'report-sealed.pdf', sealed);
  });

  it('is a PAdES B-T signature over the whole report that poppler accepts', () => {
    const poppler = pdfsig(sealedPath);
    expect(poppler.signatures.map((s) => s.field), poppler.output).toEqual(['SealflowEvidence']);
    expect(poppler.signatures[0].validation, poppler.output).toBe('Signature is Valid.');
    expect(poppler.signatures[0].totalDocumentSigned, poppler.output).toBe(true);
  });

  it('verifies with our verifier against the Sealflow root, timestamp included', () => {
    const report = verifyPdf(sealed, { trustAnchors: [fixture.ca.rootCertificate] });
    expect(report.valid, JSON.stringify(report.signatures.map((s) => s.problems))).toBe(true);
    expect(report.signatures[0]).toMatchObject({
      fieldName: 'SealflowEvidence',
      intact: true,
      chainTrusted: true,
      coversWholeDocument: true,
      modifiedAfterSigning: false,
      signer: { commonName: 'Sealflow 平台' },
      timestamp: { imprintMatches: true, signatureValid: true, trusted: true },
    });
  });

  it('passes pyHanko with a trusted timestamp', () => {
    const hanko = pyhankoValidate(sealedPath, rootPem);
    expect(hanko.fields, hanko.output).toEqual([{ field: 'SealflowEvidence', valid: true, timestampTrusted: true }]);
  });

  it('draws the platform stamp in the area the report left for it', () => {
    expect(renderPageOne(sealedPath).darkPixels(SEAL_AREA)).toBeGreaterThan(100);
  });

  it('can seal invisibly', async () => {
    const invisible = await sealEvidenceReport({ pdf: await renderEvidenceReport(reportInput(events)), signer: platform, timestamp: fixture.timestamp, visible: false });
    expect(verifyPdf(invisible, { trustAnchors: [fixture.ca.rootCertificate] }).valid).toBe(true);
    expect(renderPageOne(writeTemp(dir, 'report-invisible.pdf', invisible)).darkPixels(SEAL_AREA)).toBe(0);
  });
});
