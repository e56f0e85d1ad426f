// Real protocol servers on loopback for the notify tests: an SMTP server (smtp-server) that
// keeps every message it receives, an HTTP server that plays the SMS gateway, and a small
// MIME reader (no mailparser in this repo) that decodes what the SMTP server got.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  recipients: string[];
  raw: Buffer;
}

export interface LocalSmtpServer {
  port: number;
  url: string;
  mails: ReceivedMail[];
  /** Stops listening (the port stays this server's, for start()). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

export interface SmtpServerOptions {
  /** Require this login (AUTH PLAIN/LOGIN over plain TCP, as a test allows). */
  auth?: { user: string; pass: string };
  /** Answer RCPT TO for these addresses with 550 (mailbox unavailable). */
  unknownMailboxes?: string[];
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<LocalSmtpServer> {
  const mails: ReceivedMail[] = [];
  let server: SMTPServer | null = null;
  let port = 0;

  async function listen(): Promise<void> {
    const next = new SMTPServer({
      authOptional: options.auth === undefined,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return callback(null, { user: auth.username });
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo(address, _session, callback) {
        if (options.unknownMailboxes?.includes(address.address)) {
          return callback(Object.assign(new Error(`${address.address}: mailbox unavailable`), { responseCode: 550 }));
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw: Buffer.concat(chunks),
          });
          callback();
        });
      },
    });
    // A client that vanishes mid-session (a worker killed by a test) resets its connection: the
    // server logs nothing and goes on, as a real one would; unhandled, it would throw in the test.
    next.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      next.server.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.server.address() as AddressInfo).port;
    server = next;
  }

  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    mails,
    async stop() {
      const current = server;
      server = null;
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    start: listen,
  };
}

// ---- MIME ------------------------------------------------------------------------------

export interface MimePart {
  /** Lower-case names; values unfolded, still encoded. */
  headers: Map<string, string>;
  /** Content after Content-Transfer-Encoding is undone. */
  content: Buffer;
  parts: MimePart[];
}

function splitHead(raw: Buffer): { head: string; body: Buffer } {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  if (end < 0) return { head: text, body: Buffer.alloc(0) };
  const gap = text.slice(end).match(/^\r?\n\r?\n/)![0].length;
  return { head: text.slice(0, end), body: raw.subarray(Buffer.byteLength(text.slice(0, end + gap), 'latin1')) };
}

function parseHeaders(head: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** A header parameter, e.g. boundary or filename; understands RFC 2231 (`filename*0*=utf-8''…`). */
export function headerParameter(value: string, name: string): string | null {
  const pieces = new Map<number, { text: string; encoded: boolean }>();
  let charset = 'utf-8';
  for (const match of value.matchAll(/;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g)) {
    const [, key, rawValue] = match;
    const text = rawValue.startsWith('"') ? rawValue.slice(1, -1).replace(/\\(.)/g, '$1') : rawValue.trim();
    const parts = key.toLowerCase().match(/^([^*]+)(?:\*(\d+))?(\*)?$/);
    if (!parts || parts[1] !== name.toLowerCase()) continue;
    const index = parts[2] === undefined ? 0 : Number(parts[2]);
    let piece = text;
    if (parts[3] && index === 0) {
      const quote = piece.match(/^([^']*)'[^']*'(.*)$/);
      if (quote) {
        charset = quote[1] || charset;
        piece = quote[2];
      }
    }
    pieces.set(index, { text: piece, encoded: Boolean(parts[3]) });
  }
  if (pieces.size === 0) return null;
  const bytes: number[] = [];
  for (const index of [...pieces.keys()].sort((a, b) => a - b)) {
    const { text, encoded } = pieces.get(index)!;
    if (encoded) bytes.push(...Buffer.from(decodeURIComponentBytes(text)));
    else bytes.push(...Buffer.from(text, 'latin1'));
  }
  return decodeWords(new TextDecoder(charset).decode(Buffer.from(bytes)));
}

function decodeURIComponentBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i));
  }
  return Uint8Array.from(out);
}

function decodeQuotedPrintable(text: string, header = false): Buffer {
  const source = header ? text.replace(/_/g, ' ') : text.replace(/=\r?\n/g, '');
  return Buffer.from(decodeURIComponentBytes(source.replace(/=([0-9A-Fa-f]{2})/g, '%$1').replace(/%(?![0-9A-Fa-f]{2})/g, '%25')));
}

/** RFC 2047: `=?UTF-8?B?…?=` words (adjacent ones joined as bytes, so a split character survives). */
export function decodeWords(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  const joined = value.replace(/(\?=)\s+(?==\?)/g, '$1');
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = () => {
    if (pending) out += new TextDecoder(pending.charset).decode(Buffer.concat(pending.bytes));
    pending = null;
  };
  for (const match of joined.matchAll(word)) {
    const [whole, charset, encoding, text] = match;
    if (match.index! > last) {
      flush();
      out += joined.slice(last, match.index);
    }
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text, true);
    if (pending && pending.charset.toLowerCase() === charset.toLowerCase()) pending.bytes.push(bytes);
    else {
      flush();
      pending = { charset, bytes: [bytes] };
    }
    last = match.index! + whole.length;
  }
  flush();
  return out + joined.slice(last);
}

export function parseMime(raw: Buffer): MimePart {
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const type = headers.get('content-type') ?? 'text/plain';
  if (/^multipart\//i.test(type)) {
    const boundary = headerParameter(type, 'boundary');
    if (!boundary) throw new Error(`multipart without boundary: ${type}`);
    const text = body.toString('latin1');
    const sections = text.split(`--${boundary}`).slice(1);
    const parts: MimePart[] = [];
    for (const section of sections) {
      if (section.startsWith('--')) break;
      const trimmed = section.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
      parts.push(parseMime(Buffer.from(trimmed, 'latin1')));
    }
    return { headers, content: Buffer.alloc(0), parts };
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const content =
    encoding === 'base64'
      ? Buffer.from(body.toString('latin1').replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body.toString('latin1'))
        : body;
  return { headers, content, parts: [] };
}

/** Every leaf part, depth first. */
export function leaves(part: MimePart): MimePart[] {
  return part.parts.length === 0 ? [part] : part.parts.flatMap(leaves);
}

export interface ReadMail {
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string | null;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

export function readMail(raw: Buffer): ReadMail {
  const root = parseMime(raw);
  const all = leaves(root);
  const isAttachment = (part: MimePart) => /^attachment/i.test(part.headers.get('content-disposition') ?? '');
  const textPart = all.find((part) => !isAttachment(part) && /^text\/plain/i.test(part.headers.get('content-type') ?? 'text/plain'));
  const htmlPart = all.find((part) => !isAttachment(part) && /^text\/html/i.test(part.headers.get('content-type') ?? ''));
  return {
    headers: root.headers,
    subject: decodeWords(root.headers.get('subject') ?? ''),
    text: textPart ? textPart.content.toString('utf8') : '',
    html: htmlPart ? htmlPart.content.toString('utf8') : null,
    attachments: all.filter(isAttachment).map((part) => ({
      filename: headerParameter(part.headers.get('content-disposition')!, 'filename') ?? '',
      contentType: (part.headers.get('content-type') ?? '').split(';')[0].trim(),
      content: part.content,
    })),
  };
}

// ---- SMS gateway ---------------------------------------------------------------------------

export interface GatewayRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface LocalSmsGateway {
  url: string;
  requests: GatewayRequest[];
  /** What the next answers are: status and body (default 200 {"id": "sms-<n>"}). */
  answer: (request: GatewayRequest, n: number) => { status: number; body: string; delayMs?: number };
  close(): Promise<void>;
}

export async function startSmsGateway(): Promise<LocalSmsGateway> {
  const gateway: LocalSmsGateway = {
    url: '',
    requests: [],
    answer: (_request, n) => ({ status: 200, body: JSON.stringify({ id: `sms-${n}` }) }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: GatewayRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    gateway.requests.push(request);
    const { status, body, delayMs } = gateway.answer(request, gateway.requests.length);
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms/send`;
  const close = gateway.close;
  gateway.close = () => {
    server.closeAllConnections();
    return close();
  };
  return gateway;
}
