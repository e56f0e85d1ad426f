// The endpoints anyone may call (POST /api/verify, POST /tsa) against hostile input,
// through the REST API of a running hub: each attack gets a clear 4xx or a report that
// says valid: false within a bounded time, while GET /healthz keeps answering; a client
// over its rate gets 429 with Retry-After and other clients do not notice.
import { request } from 'node:http';
import { createDeflate, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.close());

// ------------------------------------------------------------------ hostile PDFs, by hand

type PdfObject = [num: number, body: string | Buffer];

/** A classic PDF (or, with `prev`, an incremental update appended to `base`): objects, xref table, trailer. */
function pdfFile(objects: PdfObject[], trailer: string, base?: { bytes: Buffer; startXref: number }): Buffer {
  const parts: Buffer[] = [base ? base.bytes : Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let at = parts[0].length;
  const offsets = new Map<number, number>();
  for (const [num, body] of objects) {
    offsets.set(num, at);
    const bytes = Buffer.concat([Buffer.from(`${num} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n')]);
    parts.push(bytes);
    at += bytes.length;
  }
  const xrefAt = at;
  let xref = 'xref\n';
  if (!base) xref += '0 1\n0000000000 65535 f \n';
  for (const [num] of objects) xref += `${num} 1\n${String(offsets.get(num)).padStart(10, '0')} 00000 n \n`;
  const prev = base ? ` /Prev ${base.startXref}` : '';
  parts.push(Buffer.from(`${xref}trailer\n<<${trailer}${prev}>>\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

const lastStartXref = (bytes: Buffer) => Number(bytes.toString('latin1', bytes.lastIndexOf('startxref') + 9).trim().split(/\s/)[0]);

/** A signature field whose /Kids lists itself: a naive field walk never ends. */
function selfReferencingKids(): Buffer {
  return pdfFile(
    [
      [1, '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>'],
      [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
      [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'],
      [4, `<< /FT /Sig /T (loop) /Kids [${'4 0 R '.repeat(16)}] >>`],
    ],
    ' /Size 5 /Root 1 0 R',
  );
}

/**
 * A first revision with a (bogus) signature whose byte range ends where the revision
 * ends, so that the verifier compares every later revision with the one before it.
 */
function signedFirstRevision(pages: PdfObject[]): Buffer {
  const byteRange = (end: number) => `[0 ${String(0).padStart(10, '0')} ${String(0).padStart(10, '0')} ${String(end).padStart(10, '0')}]`;
  const objects = (end: number): PdfObject[] => [
    [1, '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>'],
    ...pages,
    [4, '<< /FT /Sig /T (s) /V 5 0 R >>'],
    [5, `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ${byteRange(end)} /Contents <3000> >>`],
  ];
  const draft = pdfFile(objects(0), ' /Size 6 /Root 1 0 R');
  const first = pdfFile(objects(draft.length), ' /Size 6 /Root 1 0 R');
  expect(first.length).toBe(draft.length);
  return first;
}

const onePage: PdfObject[] = [
  [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
  [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'],
];

/** A page tree whose /Kids lead back to their /Parent, in a signed revision that a later one changes. */
function pagesCycle(): Buffer {
  const first = signedFirstRevision([
    [2, '<< /Type /Pages /Kids [3 0 R 2 0 R 3 0 R] /Count 1 >>'],
    [3, `<< /Type /Pages /Parent 2 0 R /Kids [${'2 0 R 3 0 R '.repeat(8)}] /Count 1 >>`],
  ]);
  return pdfFile([[1, '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> /Lang (zh) >>']], ' /Size 6 /Root 1 0 R', { bytes: first, startXref: lastStartXref(first) });
}

/** 1 GiB of zeros, deflated twice: under 2 KB on the wire. */
async function bombData(): Promise<{ data: Buffer; inflatesTo: number }> {
  const zeros = Buffer.alloc(1 << 20);
  const deflate = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  for (let i = 0; i < 1024; i++) deflate.write(zeros);
  deflate.end();
  await done;
  return { data: deflateSync(Buffer.concat(chunks), { level: 9 }), inflatesTo: 1024 * zeros.length };
}

/** An xref stream whose data inflates to a gigabyte. */
function xrefStreamBomb(data: Buffer): Buffer {
  const head = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n', 'latin1');
  const dict = `<< /Type /XRef /Size 4 /W [1 4 2] /Root 1 0 R /Filter [/FlateDecode /FlateDecode] /Length ${data.length} >>`;
  const xrefAt = head.length;
  return Buffer.concat([head, Buffer.from(`3 0 obj\n${dict}\nstream\n`, 'latin1'), data, Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1')]);
}

/** Objects packed in an object stream that inflates to a gigabyte (the xref stream itself is honest). */
function objectStreamBomb(data: Buffer): Buffer {
  const head = Buffer.from('%PDF-1.7\n', 'latin1');
  const objStm = Buffer.concat([Buffer.from(`4 0 obj\n<< /Type /ObjStm /N 2 /First 8 /Filter [/FlateDecode /FlateDecode] /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
  const xrefAt = head.length + objStm.length;
  const row = (type: number, second: number, third: number) => Buffer.from([type, (second >> 24) & 0xff, (second >> 16) & 0xff, (second >> 8) & 0xff, second & 0xff, third >> 8, third & 0xff]);
  const rows = deflateSync(Buffer.concat([row(0, 0, 65535), row(2, 4, 0), row(2, 4, 1), row(1, xrefAt, 0), row(1, head.length, 0)]));
  const xref = Buffer.concat([Buffer.from(`3 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length ${rows.length} >>\nstream\n`, 'latin1'), rows, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
  return Buffer.concat([head, objStm, xref, Buffer.from(`startxref\n${xrefAt}\n%%EOF\n`, 'latin1')]);
}

/** A signed revision followed by `count` small updates, each compared with the whole chain before it. */
function manyRevisions(count: number): Buffer {
  const first = signedFirstRevision(onePage);
  const parts = [first];
  let length = first.length;
  let startXref = lastStartXref(first);
  for (let i = 0; i < count; i++) {
    const object = `3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 ${792 + i}] >>\nendobj\n`;
    const xrefAt = length + object.length;
    const update = Buffer.from(`${object}xref\n3 1\n${String(length).padStart(10, '0')} 00000 n \ntrailer\n<< /Size 6 /Root 1 0 R /Prev ${startXref} >>\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1');
    parts.push(update);
    startXref = xrefAt;
    length += update.length;
  }
  return Buffer.concat(parts);
}

// ------------------------------------------------------------------ calls

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One POST over its own connection, optionally from another loopback address (another client). */
function post(path: string, body: Buffer, options: { contentType?: string; from?: string; contentLength?: number } = {}): Promise<Reply> {
  const url = new URL(path, hub.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: options.from, agent: false, headers: { 'content-type': options.contentType ?? 'application/pdf', 'content-length': options.contentLength ?? body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          req.destroy();
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res.headers['content-type']?.includes('json') ? JSON.parse(text) : text });
        });
      },
    );
    req.on('error', reject);
    if (options.contentLength !== undefined && options.contentLength > body.length) {
      // Announce more than is sent: the server must answer from the headers alone.
      req.write(body);
      req.flushHeaders();
    } else req.end(body);
  });
}

/** Runs `attack` while polling GET /healthz back to back; returns the attack's reply, its duration and the worst health latency. */
async function duringAttack<T>(attack: () => Promise<T>): Promise<{ reply: T; ms: number; health: { count: number; worstMs: number; statuses: Set<number> } }> {
  const health = { count: 0, worstMs: 0, statuses: new Set<number>() };
  let running = true;
  const poll = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${hub.url}/healthz`);
      await response.arrayBuffer();
      health.worstMs = Math.max(health.worstMs, performance.now() - started);
      health.statuses.add(response.status);
      health.count++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const started = performance.now();
  try {
    const reply = await attack();
    return { reply, ms: performance.now() - started, health };
  } finally {
    running = false;
    await poll;
    // The first health call starts with the attack and is always awaited: never a check on nothing.
    expect(health.count).toBeGreaterThan(0);
  }
}

/** A refusal the caller can read, or a report that says why it is not valid. */
function expectClearAnswer(reply: Reply): void {
  if (reply.status === 200) {
    expect(reply.body.valid).toBe(false);
    const reasons = [...reply.body.signatures.flatMap((s: any) => s.problems), ...reply.body.changesAfterSigning.map((c: any) => c.changes)];
    expect(reply.body.signatures.length === 0 || reasons.length > 0).toBe(true);
  } else {
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.body.error.code).toMatch(/^[a-z_]+$/);
    expect(reply.body.error.message.length).toBeGreaterThan(10);
  }
}

// Five seconds of work per PDF at most (DEFAULT_VERIFY_LIMITS.timeoutMs), plus starting a worker.
const BOUNDED_MS = 9_000;
// Health asks Temporal and the database; on a busy 2-core machine that can take a while, but
// a server whose event loop a PDF blocks does not answer for seconds (or ever).
const HEALTHY_MS = 1_500;

describe('POST /api/verify with hostile PDFs', () => {
  it('answers a signature field whose /Kids lists itself, while /healthz keeps answering', async () => {
    const pdf = selfReferencingKids();
    expect(pdf.length).toBeLessThan(3000);
    const { reply, ms, health } = await duringAttack(() => post('/api/verify', pdf));
    expectClearAnswer(reply);
    expect(ms).toBeLessThan(BOUNDED_MS);
    expect(health.count).toBeGreaterThan(0);
    expect([...health.statuses]).toEqual([200]);
    expect(health.worstMs).toBeLessThan(HEALTHY_MS);
  });

  it('answers a page tree whose /Kids lead back to their /Parent', async () => {
    const { reply, ms, health } = await duringAttack(() => post('/api/verify', pagesCycle()));
    expectClearAnswer(reply);
    expect(ms).toBeLessThan(BOUNDED_MS);
    expect(health.worstMs).toBeLessThan(HEALTHY_MS);
  });

  it('refuses xref and object streams that inflate to a gigabyte, with the limit named', async () => {
    const bomb = await bombData();
    expect(bomb.data.length).toBeLessThan(4096);
    expect(bomb.inflatesTo).toBe(1 << 30);
    for (const pdf of [xrefStreamBomb(bomb.data), objectStreamBomb(bomb.data)]) {
      const { reply, ms, health } = await duringAttack(() => post('/api/verify', pdf));
      expect(reply.status, JSON.stringify(reply.body)).toBe(422);
      expect(reply.body.error.code).toBe('pdf_too_complex');
      expect(reply.body.error.message).toMatch(/inflates to more than \d+ bytes/);
      expect(ms).toBeLessThan(BOUNDED_MS);
      expect(health.worstMs).toBeLessThan(HEALTHY_MS);
    }
  });

  it('refuses a PDF with thousands of revisions', async () => {
    const pdf = manyRevisions(3000);
    const { reply, ms, health } = await duringAttack(() => post('/api/verify', pdf));
    expect(reply.status, JSON.stringify(reply.body)).toBe(422);
    expect(reply.body.error.message).toMatch(/more than 100 revisions/);
    expect(ms).toBeLessThan(BOUNDED_MS);
    expect(health.worstMs).toBeLessThan(HEALTHY_MS);
  });

  it('still reports on a signed PDF with as many revisions as the limit allows, in bounded time', async () => {
    const pdf = manyRevisions(98);
    const { reply, ms, health } = await duringAttack(() => post('/api/verify', pdf));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.revisions).toBe(99);
    expect(reply.body.valid).toBe(false);
    expect(reply.body.changesAfterSigning.length).toBeGreaterThan(0);
    expect(ms).toBeLessThan(BOUNDED_MS);
    expect(health.worstMs).toBeLessThan(HEALTHY_MS);
  });

  it('refuses a body over 20 MB with 413 from its Content-Length, before reading it', async () => {
    const started = performance.now();
    const reply = await post('/api/verify', Buffer.from('%PDF-1.7\n'), { contentLength: 200 * 1024 * 1024 });
    expect(reply.status).toBe(413);
    expect(reply.body.error.code).toBe('payload_too_large');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('still verifies an ordinary PDF after all that', async () => {
    const reply = await post('/api/verify', pdfFile([[1, '<< /Type /Catalog /Pages 2 0 R >>'], [2, '<< /Type /Pages /Kids [] /Count 0 >>']], ' /Size 3 /Root 1 0 R'));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ valid: false, signatures: [], revisions: 1 });
  });
});

describe('rate limits per client', () => {
  it('answers 429 with Retry-After to a client over its rate of /api/verify; another client is served', async () => {
    const replies: Reply[] = [];
    for (let i = 0; i < 25; i++) replies.push(await post('/api/verify', Buffer.from('hello'), { from: '127.0.0.2' }));
    expect(replies[0].status).toBe(400); // not a PDF: served
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(Number(limited[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited[0].body.error.code).toBe('rate_limited');
    expect((await post('/api/verify', Buffer.from('hello'), { from: '127.0.0.3' })).status).toBe(400);
  });

  it('answers 429 with Retry-After to a client over its rate of /tsa; another client is served', async () => {
    const replies: Reply[] = [];
    for (let i = 0; i < 60; i++) replies.push(await post('/tsa', Buffer.from([0x30, 0x00]), { contentType: 'application/timestamp-query', from: '127.0.0.4' }));
    expect(replies[0].status).not.toBe(429);
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(Number(limited[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const other = await post('/tsa', Buffer.from([0x30, 0x00]), { contentType: 'application/timestamp-query', from: '127.0.0.5' });
    expect(other.status).not.toBe(429);
  });
});
