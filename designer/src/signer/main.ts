// The signer's page script: built by Vite beside the designer (a second entry, no
// framework: it must start fast on a phone), served by server/signer-page under the page's
// strict CSP. It loads the signing link from /api/sign/:token, renders every document with
// pdf.js (with its text layer, for screen readers and find-in-page), tells the server which
// pages were scrolled into view, lets a seal keeper sign in, and signs or declines.
// The page is a convenience: the server re-checks reading, the code, the seal and whose turn it is.
import type { PDFDocumentProxy, PDFPageProxy, PDFWorker, RenderTask, TextLayer } from 'pdfjs-dist';
import { ApiError, request, type LinkStatus, type SignedIn, type SigningLink } from './api';
import { createIdentityWalk } from './identity';

type PdfJs = typeof import('pdfjs-dist');

const script = document.getElementById('signer-script') as HTMLScriptElement;
const config = script.dataset;
const token = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');
const api = `/api/sign/${encodeURIComponent(token)}`;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  app: $('app'), title: $('contract-title'), signerLine: $('signer-line'), outcome: $('outcome'),
  senderLine: $('sender-line'), facts: $('facts'), deadlineFact: $('deadline-fact'), deadline: $('deadline'), documentCount: $('document-count'),
  parties: $('parties'), partyList: $('party-list'), copy: $('copy'), copyList: $('copy-list'), copyNote: $('copy-note'), reference: $('reference'),
  prompt: $('prompt'), promptText: $('prompt-text'), panel: $('panel'), status: $('status'),
  progress: $('progress'), progressCount: $('progress-count'), progressBar: $<HTMLProgressElement>('progress-bar'),
  otp: $('otp'), otpInput: $<HTMLInputElement>('otp-input'), otpButton: $<HTMLButtonElement>('otp-button'), otpHint: $('otp-hint'),
  seal: $<HTMLFormElement>('seal'), sealIntro: $('seal-intro'), sealFields: $('seal-fields'), sealLogin: $<HTMLInputElement>('seal-login'),
  sealPassword: $<HTMLInputElement>('seal-password'), sealSignIn: $<HTMLButtonElement>('seal-signin'), sealUser: $('seal-user'),
  sealUserName: $('seal-user-name'), sealSignOut: $<HTMLButtonElement>('seal-signout'),
  alert: $('alert'), sign: $<HTMLButtonElement>('sign-button'), decline: $<HTMLButtonElement>('decline-button'),
  refresh: $<HTMLButtonElement>('refresh-button'), documents: $('documents'),
  dialog: $<HTMLDialogElement>('decline-dialog'), declineForm: $<HTMLFormElement>('decline-form'),
  declineReason: $<HTMLTextAreaElement>('decline-reason'), declineSubmit: $<HTMLButtonElement>('decline-submit'),
  declineCancel: $('decline-cancel'), declineAlert: $('decline-alert'),
};

// ---------------------------------------------------------------- messages

/** What a person should read for each API error code; the server's own message is shown beneath. */
const messages: Record<string, string> = {
  link_not_found: '签署链接无效。请核对链接，或联系合同发起方。',
  link_expired: '签署链接已过期。请联系合同发起方重新发送。',
  link_used: '此签署链接已使用，不能再次签署。',
  link_closed: '此合同已结束签署（已完成、已取消、已拒签或已过期），签署链接已失效。',
  link_locked: '验证码错误次数过多，签署链接已锁定。请联系合同发起方重新发送邀请（催办）。',
  otp_used: '此验证码已被使用或已更换，请重新获取。',
  otp_daily_limit: '今天发送到此手机号的验证码已达上限，请明天再试。',
  otp_invalid: '验证码不正确。',
  otp_expired: '验证码已过期，请重新获取。',
  otp_locked: '验证码错误次数过多，已暂时锁定。',
  otp_rate_limited: '获取验证码过于频繁，请稍后再试。',
  otp_required: '请先获取并输入短信验证码。',
  otp_not_required: '此签署无需短信验证码。',
  no_mobile: '系统中没有您的手机号，无法发送验证码。请联系合同发起方补充。',
  face_unavailable: '此签署需要人脸核验，但尚未开通。请联系合同发起方。',
  identity_required: '请先完成实名认证后再签署。',
  not_read: '服务器尚未记录您已阅读全部页面，请再次浏览未读页面。',
  not_your_turn: '还未轮到您签署。',
  already_signed: '您已签署过此合同。',
  seal_login_required: '加盖公司印章需要印章管理员登录，请先登录。',
  seal_not_allowed: '此账号无权使用该印章，请换用有权限的账号登录。',
  invalid_credentials: '账号或密码不正确。',
  too_many_attempts: '密码错误次数过多，请稍后再试。',
  csrf: '登录状态已失效，请重新登录。',
  network: '网络连接失败，请检查网络后重试。',
  pdf_failed: '文件加载失败。',
};

type Shown = Pick<ApiError, 'code' | 'message'>;
const asApiError = (error: unknown): ApiError => (error instanceof ApiError ? error : new ApiError({ status: 0, code: 'page_error', message: String((error as Error)?.message ?? error) }));

const call = <T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => request<T>(method, api + path, body, headers);

/** Fills an alert region: a line for a person (Chinese) and, under it, what the server said. */
function showError(region: HTMLElement, error: Shown | null) {
  region.replaceChildren();
  if (!error) return;
  const headline = document.createElement('strong');
  headline.textContent = messages[error.code] ?? '操作未成功。';
  region.append(headline);
  const detail = error.code === 'network' ? 'Network error — check your connection and try again.' : error.message;
  if (detail && detail !== headline.textContent) {
    const small = document.createElement('span');
    small.className = 'detail';
    small.textContent = detail;
    region.append(small);
  }
}

const clearError = () => showError(ui.alert, null);

const english = (text: string) => {
  const span = document.createElement('span');
  span.className = 'en';
  span.textContent = text;
  return span;
};

// ---------------------------------------------------------------- state

interface PageView {
  document: string;
  number: number;
  count: number;
  sheet: HTMLElement;
  canvas: HTMLCanvasElement;
  caption: HTMLElement;
  pdfPage: PDFPageProxy;
  areas: HTMLElement[];
  textLayer: TextLayer | null;
  rendered: boolean;
  renderedWidth: number;
  renderingWidth: number;
  dpr: number;
  task: RenderTask | null;
  sending: boolean;
}

let link: SigningLink | null = null;
let status: LinkStatus = 'loading';
/** documentId → pages (1-based) the server has recorded as read; only ever grows */
const read = new Map<string, Set<number>>();
let serverComplete = false;
let busy = false;
/** The seal keeper signed in on this page (their session cookie rides along), with the session's CSRF token. */
let keeper: SignedIn | null = null;
const pages: PageView[] = [];

const totalPages = () => (link ? link.documents.reduce((sum, doc) => sum + doc.pages, 0) : 0);
const readCount = () => (link ? link.documents.reduce((sum, doc) => sum + Math.min(doc.pages, read.get(doc.id)?.size ?? 0), 0) : 0);
const allRead = () => serverComplete || (totalPages() > 0 && readCount() >= totalPages());
const isRead = (documentId: string, number: number) => read.get(documentId)?.has(number) ?? false;
const otpValue = () => ui.otpInput.value.trim();
const needsSeal = () => Boolean(link?.signer.seal);

function mergeRead(map: unknown) {
  if (!map || typeof map !== 'object') return;
  for (const [documentId, numbers] of Object.entries(map as Record<string, unknown>)) {
    if (!Array.isArray(numbers)) continue;
    const set = read.get(documentId) ?? new Set<number>();
    for (const n of numbers) if (Number.isInteger(n)) set.add(n);
    read.set(documentId, set);
  }
}

function canSign(): boolean {
  if (!link || status !== 'pending' || busy) return false;
  if (link.signer.mustRead && !allRead()) return false;
  if (needsSeal() && !keeper) return false;
  if (link.signer.verify === 'sms-otp' && !/^\d{6}$/.test(otpValue())) return false;
  // Real-name verification first: the server issues no certificate without it.
  if (link.identity && !link.identity.verified) return false;
  return true;
}

// ---------------------------------------------------------------- rendering the state

function setStatusLine(text: string, hint: string, tone = '') {
  ui.status.className = tone;
  ui.status.replaceChildren(text);
  if (hint) ui.status.append(english(` ${hint}`));
}

function showOutcome(tone: string, headline: string, hint: string, text: string) {
  ui.outcome.className = `outcome ${tone}`;
  const big = document.createElement('span');
  big.className = 'big';
  big.textContent = headline;
  big.append(english(` ${hint}`));
  const p = document.createElement('p');
  p.textContent = text;
  ui.outcome.replaceChildren(big, p);
  ui.outcome.hidden = false;
}

function update() {
  const signer = link?.signer;
  const pendingish = status === 'pending';
  const total = totalPages();
  const done = readCount();

  // How far the signer has read, whenever they may sign (reading is only recorded then).
  ui.progress.hidden = !(total > 0 && pendingish);
  ui.progressCount.textContent = `${done} / ${total} 页`;
  ui.progressBar.max = Math.max(total, 1);
  ui.progressBar.value = done;

  identityWalk.render(link?.identity, { name: signer?.name ?? '' }, pendingish);
  ui.otp.hidden = !(signer?.verify === 'sms-otp' && pendingish);
  ui.otpInput.disabled = !pendingish || busy;
  if (!pendingish) ui.otpButton.disabled = true;

  // A company seal: its keeper signs in here, once, before signing.
  ui.seal.hidden = !(needsSeal() && pendingish);
  ui.sealFields.hidden = Boolean(keeper);
  ui.sealUser.hidden = !keeper;
  ui.sealUserName.textContent = keeper?.user.name ?? '';
  ui.sealSignIn.disabled = busy;
  ui.sealSignOut.disabled = busy;

  ui.sign.disabled = !canSign();
  ui.sign.hidden = !(pendingish || status === 'signed' || status === 'waiting');
  ui.decline.hidden = !pendingish;
  ui.decline.disabled = !pendingish || busy;
  ui.refresh.hidden = status !== 'waiting';

  for (const page of pages) {
    const pageDone = isRead(page.document, page.number);
    if (pageDone) page.canvas.dataset.read = 'true';
    else delete page.canvas.dataset.read;
    (page.caption.querySelector('.read-mark') as HTMLElement).hidden = !pageDone;
    for (const area of page.areas) {
      area.classList.toggle('done', status === 'signed');
      area.textContent = status === 'signed' ? '✓ 您已签署' : areaLabel();
    }
  }

  switch (status) {
    case 'loading': setStatusLine('正在加载…', 'Loading'); break;
    case 'pending':
      if (busy) setStatusLine('正在提交…', 'Submitting');
      else if (link?.identity && !link.identity.verified) setStatusLine('请先完成实名认证', 'Verify your identity first');
      else if (signer!.mustRead && !allRead()) setStatusLine(`请阅读全部页面后签署（还剩 ${Math.max(total - done, 0)} 页）`, 'Scroll through every page to sign');
      else if (needsSeal() && !keeper) setStatusLine('请印章管理员登录后签署', 'Sign in to apply the seal');
      else if (signer!.verify === 'sms-otp' && !/^\d{6}$/.test(otpValue())) setStatusLine('请获取并输入 6 位短信验证码', 'Enter the 6-digit SMS code');
      else setStatusLine('可以签署了', 'Ready to sign');
      break;
    case 'waiting': setStatusLine('还未轮到您签署', 'Not your turn yet', 'wait'); break;
    case 'signed': setStatusLine('已签署', 'Signed', 'ok'); break;
    case 'declined': setStatusLine('已拒绝签署', 'Declined', 'bad'); break;
    case 'closed': setStatusLine('此合同已不再开放签署', 'No longer open for signing', 'bad'); break;
    default: setStatusLine('无法签署', 'Cannot sign', 'bad');
  }
  ui.sign.classList.toggle('done', status === 'signed');
  ui.sign.replaceChildren(status === 'signed' ? '✓ 已签署 ' : busy ? '正在签署… ' : '确认签署 ', english(status === 'signed' ? 'Signed' : 'Sign'));
}

function applyStatus(next: LinkStatus) {
  status = next;
  switch (status) {
    case 'waiting':
      showOutcome('info', '还未轮到您签署', 'Not your turn yet', '其他签署方完成后，我们会再次通知您。您可以先阅读文件。');
      break;
    case 'signed':
      showOutcome('ok', '✓ 签署成功', 'Signed', '您已完成签署，签名已加入合同文件。所有签署方完成后，您会收到最终的已签署合同。');
      break;
    case 'declined':
      showOutcome('bad', '已拒绝签署', 'Declined', '您已拒绝签署此合同，发起方已收到通知。');
      break;
    case 'closed':
      showOutcome('bad', '此合同已不再开放签署', 'No longer open for signing', '合同可能已撤销、过期或已由他人完成。如有疑问，请联系合同发起方。');
      break;
    default:
      ui.outcome.hidden = true;
  }
  if (status !== 'pending') stopCountdown();
  renderParties();
  update();
}

const PARTY_STATE: Record<string, [string, string]> = { signed: ['已签署', 'Signed'], declined: ['已拒签', 'Declined'], waiting: ['待签署', 'Waiting'] };

/** Every party in signing order, with whether they have signed; the signer's own line is marked. */
function renderParties() {
  const parties = link?.parties ?? [];
  ui.parties.hidden = parties.length === 0;
  ui.partyList.replaceChildren(...parties.map((party, index) => {
    const item = document.createElement('li');
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = `${index + 1}. ${party.name}`;
    if (party.you) {
      const you = document.createElement('span');
      you.className = 'you';
      you.textContent = '（您）';
      who.append(you);
    }
    const [zh, en] = PARTY_STATE[party.state] ?? PARTY_STATE.waiting!;
    const badge = document.createElement('span');
    badge.className = `badge ${party.state}`;
    badge.textContent = zh;
    badge.title = en;
    item.append(who, badge);
    return item;
  }));
}

/** What the reserved area on the page says: a seal for a company, a signature for a person. */
const areaLabel = () => (link?.signer.seal || link?.signer.party === 'company' ? '您的盖章位置' : '您的签名位置');

/** A link that cannot be used at all: nothing but the reason. */
function showFatal(error: ApiError) {
  // The link died while open (signed by all, cancelled, expired): the server's page words why.
  if (link && (error.status === 410 || error.status === 404)) {
    location.reload();
    return;
  }
  status = 'unusable';
  ui.app.setAttribute('aria-busy', 'false');
  ui.title.replaceChildren('无法打开签署页面 ', english('Cannot open this signing link'));
  showOutcome('bad', messages[error.code] ?? '出现问题。', '', error.code === 'network' ? 'Network error.' : error.message);
  ui.documents.replaceChildren();
  pages.length = 0;
  update();
  setStatusLine(error.status === 410 ? '链接已失效' : error.status === 404 ? '链接无效' : '无法加载', error.status === 410 ? 'Link no longer valid' : error.status === 404 ? 'Link not found' : 'Could not load', 'bad');
  ui.sign.hidden = true;
}

const endsTheLink = (error: ApiError) => error.code === 'link_not_found' || error.code === 'link_expired' || error.code === 'link_used';

// ---------------------------------------------------------------- documents (pdf.js)

// pdf.js is not bundled: the hub serves its own build (cached by version), loaded on demand.
let pdfjs: Promise<PdfJs> | null = null;
let pdfjsLoaded: PdfJs | null = null;
let pdfWorker: PDFWorker | null = null;
function loadPdfjs(): Promise<PdfJs> {
  pdfjs ??= (import(/* @vite-ignore */ config.pdfjs!) as Promise<PdfJs>).then((lib) => {
    lib.GlobalWorkerOptions.workerSrc = config.pdfjsWorker!;
    pdfWorker = new lib.PDFWorker({ name: 'sealflow-signer' as never }) // (its typings say null only);
    pdfjsLoaded = lib;
    return lib;
  });
  return pdfjs;
}

const renderObserver = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    const page = pages.find((p) => p.sheet === entry.target);
    if (page) void renderPage(page);
  }
}, { rootMargin: '1200px 0px' });

/** Largest canvas we draw (phones refuse canvases above ~16 M pixels). */
const MAX_CANVAS_PIXELS = 12_000_000;

async function renderPage(page: PageView) {
  const width = page.sheet.clientWidth;
  // The text layer is laid out at scale 1 and stretched by this factor, so it follows any width.
  if (width > 0) page.sheet.style.setProperty('--scale-factor', String(width / page.pdfPage.getViewport({ scale: 1 }).width));
  if (width === 0 || (page.rendered && Math.abs(page.renderedWidth - width) < 2 && page.dpr === devicePixelRatio)) return;
  if (page.task && page.renderingWidth === width) return;
  if (page.task) {
    page.task.cancel();
    page.task = null;
  }
  const base = page.pdfPage.getViewport({ scale: 1 });
  let scale = (width / base.width) * Math.min(window.devicePixelRatio || 1, 3);
  const pixels = base.width * base.height * scale * scale;
  if (pixels > MAX_CANVAS_PIXELS) scale *= Math.sqrt(MAX_CANVAS_PIXELS / pixels);
  const viewport = page.pdfPage.getViewport({ scale });
  // Draw off-screen, then swap in, so a re-render (rotation, resize) never flashes blank.
  const target = document.createElement('canvas');
  target.width = Math.floor(viewport.width);
  target.height = Math.floor(viewport.height);
  const task = page.pdfPage.render({ canvasContext: target.getContext('2d', { alpha: false })!, viewport });
  page.task = task;
  page.renderingWidth = width;
  try {
    await task.promise;
  } catch (error) {
    if ((error as Error)?.name === 'RenderingCancelledException') return;
    throw error;
  } finally {
    if (page.task === task) page.task = null;
  }
  page.canvas.width = target.width;
  page.canvas.height = target.height;
  page.canvas.getContext('2d', { alpha: false })!.drawImage(target, 0, 0);
  target.width = target.height = 0;
  page.rendered = true;
  page.renderedWidth = width;
  renderTextLayer(page, pdfjsLoaded);
  page.dpr = devicePixelRatio;
  page.sheet.classList.add('rendered');
  scheduleReadCheck();
}

/**
 * The page's text as real (transparent) text over the drawing, once per page: screen
 * readers read it, find-in-page and selection work. pdf.js's own text layer, not text the
 * hub extracts: it is the text of the very PDF drawn, placed where it is drawn, needs no
 * second request, and a screen reader's cursor follows the page. A page whose text fails
 * to extract (a scan) keeps its drawing and its label.
 */
function renderTextLayer(page: PageView, lib: PdfJs | null) {
  if (page.textLayer || !lib?.TextLayer) return;
  const container = document.createElement('div');
  container.className = 'textLayer';
  container.lang = 'zh-CN';
  page.textLayer = new lib.TextLayer({ textContentSource: page.pdfPage.streamTextContent(), container, viewport: page.pdfPage.getViewport({ scale: 1 }) });
  page.textLayer.render().then(
    () => {
      page.sheet.append(container);
      page.sheet.dataset.text = container.textContent?.trim() ? 'true' : 'false';
    },
    () => {
      page.sheet.dataset.text = 'false';
    },
  );
}

type LinkDocument = SigningLink['documents'][number];

/** The signer's reserved areas on one page, drawn over it in page percentages (so any width fits). */
function signatureAreas(doc: LinkDocument, number: number, pdfPage: PDFPageProxy): HTMLElement[] {
  const base = pdfPage.getViewport({ scale: 1 });
  return (doc.signatureAreas ?? []).filter((area) => area.page === number).map((area) => {
    const [x1, y1, x2, y2] = base.convertToViewportRectangle([area.x, area.y, area.x + area.width, area.y + area.height]) as number[];
    const box = document.createElement('div');
    box.className = 'sig-area';
    box.style.left = `${(Math.min(x1!, x2!) / base.width) * 100}%`;
    box.style.top = `${(Math.min(y1!, y2!) / base.height) * 100}%`;
    box.style.width = `${(Math.abs(x2! - x1!) / base.width) * 100}%`;
    box.style.height = `${(Math.abs(y2! - y1!) / base.height) * 100}%`;
    box.textContent = areaLabel();
    return box;
  });
}

function documentSection(doc: LinkDocument) {
  const section = document.createElement('section');
  section.className = 'doc';
  section.dataset.document = doc.id;
  const heading = document.createElement('h2');
  heading.textContent = `${doc.title || '合同文件'} `;
  heading.append(english(`共 ${doc.pages} 页 · ${doc.pages} pages`));
  section.append(heading);
  return section;
}

async function loadDocument(doc: LinkDocument, section: HTMLElement) {
  const lib = await loadPdfjs();
  const task = lib.getDocument({
    url: doc.url,
    worker: pdfWorker!,
    isEvalSupported: false,
    cMapUrl: config.cmapUrl,
    cMapPacked: true,
    standardFontDataUrl: config.standardFontDataUrl,
    withCredentials: false,
  });
  const pdf: PDFDocumentProxy = await task.promise;
  const count = pdf.numPages;
  for (let number = 1; number <= count; number++) {
    const pdfPage = await pdf.getPage(number);
    const base = pdfPage.getViewport({ scale: 1 });
    const figure = document.createElement('figure');
    figure.className = 'page';
    const sheet = document.createElement('div');
    sheet.className = 'sheet';
    sheet.style.aspectRatio = `${base.width} / ${base.height}`;
    const canvas = document.createElement('canvas');
    canvas.dataset.document = doc.id;
    canvas.dataset.page = String(number);
    // The drawing is for the eye; the text layer over it is what assistive technology reads.
    canvas.setAttribute('aria-hidden', 'true');
    figure.setAttribute('aria-label', `${doc.title || '合同文件'} 第 ${number} / ${count} 页`);
    figure.setAttribute('role', 'group');
    const areas = signatureAreas(doc, number, pdfPage);
    sheet.append(canvas, ...areas);
    const caption = document.createElement('figcaption');
    const label = document.createElement('span');
    label.textContent = `第 ${number} / ${count} 页`;
    const mark = document.createElement('span');
    mark.className = 'read-mark';
    mark.textContent = '✓ 已读';
    if (areas.length > 0) {
      const where = document.createElement('span');
      where.className = 'area-mark';
      where.textContent = `本页有${areaLabel()}`;
      caption.append(where);
    }
    mark.hidden = true;
    caption.prepend(label, mark);
    figure.append(sheet, caption);
    section.append(figure);
    const page: PageView = { document: doc.id, number, count, sheet, canvas, caption, pdfPage, areas, textLayer: null, rendered: false, renderedWidth: 0, renderingWidth: 0, dpr: 0, task: null, sending: false };
    pages.push(page);
    renderObserver.observe(sheet);
  }
  update();
}

async function loadDocuments() {
  const current = link!;
  ui.documents.replaceChildren();
  const loads = current.documents.map((doc) => {
    const section = documentSection(doc);
    ui.documents.append(section);
    return loadDocument(doc, section).catch((error: unknown) => {
      const message = (error as Error)?.message ?? String(error);
      const p = document.createElement('p');
      p.className = 'doc-error card';
      p.textContent = `文件加载失败，请刷新页面重试。 Could not load this document (${message}).`;
      section.append(p);
      showError(ui.alert, { code: 'pdf_failed', message: `${doc.title}: ${message}` });
    });
  });
  await Promise.all(loads);
  // Keep page order stable in `pages` whatever order the documents finished in.
  const order = new Map(current.documents.map((doc, i) => [doc.id, i]));
  pages.sort((a, b) => order.get(a.document)! - order.get(b.document)! || a.number - b.number);
}

// ---------------------------------------------------------------- reading

const trackReading = () => status === 'pending';

/** The bottom of what the reader can see: the viewport, less the fixed signing panel on a phone. */
function visibleBottom() {
  if (getComputedStyle(ui.panel).position === 'fixed') return ui.panel.getBoundingClientRect().top;
  return window.innerHeight;
}

let readCheckQueued = false;
function scheduleReadCheck() {
  if (readCheckQueued) return;
  readCheckQueued = true;
  requestAnimationFrame(() => {
    readCheckQueued = false;
    checkReads();
  });
}

/** A page counts as read once it is drawn and either its bottom edge has been in view or ≥ 90 % of it is in view at once. */
function checkReads() {
  if (!trackReading()) return;
  const bottom = visibleBottom();
  for (const page of pages) {
    if (!page.rendered || page.sending || isRead(page.document, page.number)) continue;
    const rect = page.sheet.getBoundingClientRect();
    if (rect.height === 0) continue;
    const shown = Math.max(0, Math.min(rect.bottom, bottom) - Math.max(rect.top, 0));
    const bottomEdgeInView = rect.bottom <= bottom + 1 && rect.bottom >= 0;
    if (bottomEdgeInView || shown / rect.height >= 0.9) void recordRead(page);
  }
}

async function recordRead(page: PageView) {
  page.sending = true;
  try {
    const answer = await call<{ read?: unknown; complete?: boolean }>('POST', '/read', { document: page.document, page: page.number });
    mergeRead(answer?.read);
    if (answer?.complete === true) serverComplete = true;
    update();
  } catch (caught) {
    const error = asApiError(caught);
    if (endsTheLink(error)) return showFatal(error);
    if (error.code === 'not_your_turn') return void refresh();
    if (link?.signer.mustRead) showError(ui.alert, error);
    // Network trouble: try again a little later.
    if (error.code === 'network') setTimeout(scheduleReadCheck, 3000);
  } finally {
    page.sending = false;
  }
}

addEventListener('scroll', scheduleReadCheck, { passive: true });
let resizeTimer = 0;
addEventListener('resize', () => {
  scheduleReadCheck();
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    for (const page of pages) if (page.rendered) void renderPage(page);
  }, 200);
});

// The fixed panel on a phone covers the end of the page: pad the layout by its height.
new ResizeObserver(() => {
  const fixed = getComputedStyle(ui.panel).position === 'fixed';
  document.documentElement.style.setProperty('--panel-h', fixed ? `${Math.ceil(ui.panel.getBoundingClientRect().height)}px` : '0px');
  scheduleReadCheck();
}).observe(ui.panel);

// ---------------------------------------------------------------- one-time code

let countdownTimer = 0;
let countdownEnds = 0;

function stopCountdown() {
  clearInterval(countdownTimer);
  countdownTimer = 0;
}

function otpButtonLabel(zh: string, en: string) {
  ui.otpButton.replaceChildren(`${zh} `, english(en));
}

function startCountdown(seconds: number) {
  stopCountdown();
  countdownEnds = Date.now() + seconds * 1000;
  const tick = () => {
    const left = Math.ceil((countdownEnds - Date.now()) / 1000);
    if (left <= 0 || status !== 'pending') {
      stopCountdown();
      ui.otpButton.disabled = status !== 'pending';
      otpButtonLabel('重新获取', 'Resend');
      return;
    }
    ui.otpButton.disabled = true;
    otpButtonLabel(`重新获取 (${left}s)`, '');
  };
  tick();
  countdownTimer = window.setInterval(tick, 500);
}

async function requestOtp() {
  if (status !== 'pending') return;
  ui.otpButton.disabled = true;
  clearError();
  try {
    const answer = await call<{ sentTo?: string; expiresAt?: string; retryAfterSeconds?: number }>('POST', '/otp');
    const until = answer?.expiresAt ? new Date(answer.expiresAt) : null;
    const validity = until && !Number.isNaN(until.getTime())
      ? `，${until.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' })} 前有效`
      : '';
    ui.otpHint.textContent = `验证码已发送至 ${answer?.sentTo ?? link!.signer.mobile ?? '您的手机'}${validity}。 Code sent by SMS.`;
    startCountdown(Number(answer?.retryAfterSeconds) > 0 ? Number(answer.retryAfterSeconds) : 60);
    ui.otpInput.focus();
  } catch (caught) {
    const error = asApiError(caught);
    if (endsTheLink(error)) return showFatal(error);
    showError(ui.alert, error);
    if (error.retryAfter) startCountdown(error.retryAfter);
    else ui.otpButton.disabled = false;
  }
  update();
}

ui.otpButton.addEventListener('click', requestOtp);
ui.otpInput.addEventListener('input', () => {
  const digits = ui.otpInput.value.replace(/\D/g, '').slice(0, 6);
  if (digits !== ui.otpInput.value) ui.otpInput.value = digits;
  update();
});
ui.otpInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && canSign()) void sign();
});

// ---------------------------------------------------------------- the seal keeper's sign-in

function describeSeal() {
  const seal = link?.signer.seal;
  if (!seal) return;
  ui.sealIntro.replaceChildren(`此签署需加盖「${seal}」，请有权使用该印章的印章管理员登录。 `, english('A company seal: its keeper signs in to apply it.'));
}

/** Whether this browser already has a session (signed in on the designer, the console or here before). */
async function findKeeper() {
  try {
    keeper = await request<SignedIn>('GET', '/api/session');
  } catch {
    keeper = null;
  }
}

ui.seal.addEventListener('submit', async (event) => {
  event.preventDefault();
  const login = ui.sealLogin.value.trim();
  const password = ui.sealPassword.value;
  ui.sealLogin.toggleAttribute('aria-invalid', !login);
  ui.sealPassword.toggleAttribute('aria-invalid', !password);
  if (!login || !password) {
    showError(ui.alert, { code: 'seal_fields', message: '' });
    ui.alert.replaceChildren('请填写账号和密码。');
    ui.alert.append(Object.assign(document.createElement('span'), { className: 'detail', textContent: 'Login and password are required.' }));
    (login ? ui.sealPassword : ui.sealLogin).focus();
    return;
  }
  busy = true;
  clearError();
  update();
  try {
    keeper = await request<SignedIn>('POST', '/api/session', { login, password });
    ui.sealPassword.value = '';
    ui.sealLogin.removeAttribute('aria-invalid');
    ui.sealPassword.removeAttribute('aria-invalid');
  } catch (caught) {
    showError(ui.alert, asApiError(caught));
    ui.sealPassword.value = '';
    ui.sealPassword.focus();
  } finally {
    busy = false;
  }
  update();
  if (keeper) (canSign() ? ui.sign : ui.otp.hidden ? ui.sign : ui.otpButton).focus();
});

ui.sealSignOut.addEventListener('click', async () => {
  const current = keeper;
  keeper = null;
  update();
  ui.sealLogin.focus();
  if (current) await request('DELETE', '/api/session', undefined, { 'x-csrf-token': current.csrfToken }).catch(() => undefined);
});

// ---------------------------------------------------------------- sign, decline, refresh

async function sign() {
  if (!canSign()) return;
  const current = link!;
  busy = true;
  clearError();
  update();
  const body: { read: true; otp?: string } = { read: true };
  if (current.signer.verify === 'sms-otp') body.otp = otpValue();
  try {
    // A seal keeper's session cookie goes along; a request it authorises must carry its CSRF token.
    await call('POST', '', body, keeper ? { 'x-csrf-token': keeper.csrfToken } : {});
    busy = false;
    ui.otpInput.value = '';
    for (const party of current.parties ?? []) if (party.you) party.state = 'signed';
    applyStatus('signed');
    // Tell a screen reader and a keyboard user at once: focus the confirmation.
    ui.outcome.focus({ preventScroll: true });
    ui.outcome.scrollIntoView({ block: 'nearest' });
    await offerSignedCopy();
    return;
  } catch (caught) {
    const error = asApiError(caught);
    busy = false;
    if (endsTheLink(error)) return showFatal(error);
    showError(ui.alert, error);
    switch (error.code) {
      case 'otp_invalid':
        ui.otpInput.value = '';
        ui.otpInput.focus();
        break;
      case 'otp_expired':
        ui.otpInput.value = '';
        stopCountdown();
        ui.otpButton.disabled = false;
        otpButtonLabel('重新获取', 'Resend');
        break;
      case 'otp_locked':
        ui.otpInput.value = '';
        break;
      case 'seal_login_required':
      case 'csrf':
        // The session ended (or never was): sign in again.
        keeper = null;
        update();
        ui.sealLogin.focus();
        break;
      case 'not_read':
      case 'not_your_turn':
        await refresh({ keepAlert: true });
        break;
      case 'already_signed':
        applyStatus('signed');
        break;
    }
  }
  update();
}

ui.sign.addEventListener('click', sign);

ui.decline.addEventListener('click', () => {
  if (status !== 'pending') return;
  showError(ui.declineAlert, null);
  ui.dialog.showModal();
  ui.declineReason.focus();
});
ui.declineCancel.addEventListener('click', () => ui.dialog.close());
ui.declineForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const reason = ui.declineReason.value.trim();
  if (!reason) {
    ui.declineAlert.replaceChildren('请填写拒签原因。');
    const en = document.createElement('span');
    en.className = 'detail';
    en.textContent = 'A reason is required.';
    ui.declineAlert.append(en);
    ui.declineReason.setAttribute('aria-invalid', 'true');
    ui.declineReason.focus();
    return;
  }
  ui.declineReason.removeAttribute('aria-invalid');
  ui.declineSubmit.disabled = true;
  busy = true;
  update();
  try {
    await call('POST', '/decline', { reason });
    busy = false;
    ui.dialog.close();
    clearError();
    applyStatus('declined');
  } catch (caught) {
    const error = asApiError(caught);
    busy = false;
    if (endsTheLink(error)) {
      ui.dialog.close();
      return showFatal(error);
    }
    showError(ui.declineAlert, error);
    update();
  } finally {
    ui.declineSubmit.disabled = false;
  }
});

async function refresh({ keepAlert = false } = {}) {
  try {
    const next = await call<SigningLink>('GET', '');
    link = next;
    mergeRead(next.read);
    if (!keepAlert) clearError();
    applyStatus(next.status);
    scheduleReadCheck();
  } catch (caught) {
    const error = asApiError(caught);
    if (endsTheLink(error)) return showFatal(error);
    showError(ui.alert, error);
  }
}

ui.refresh.addEventListener('click', () => refresh());

// Above the code field: verification comes before the code and the signature.
const identityWalk = createIdentityWalk({ anchor: ui.otp, token, call, onVerified: () => void refresh() });

// ---------------------------------------------------------------- start

/**
 * Names and titles may hold hanzi outside the page's common-hanzi webfont: the server cuts
 * a font of just those for this link (204 when there are none) and says which they are,
 * so the face stands in for nothing else (a face still loading can leave boxes behind).
 */
async function loadLinkFont() {
  if (!config.linkFont || typeof FontFace !== 'function') return;
  try {
    const response = await fetch(`/sign/${encodeURIComponent(token)}/font.woff2`, { cache: 'no-store', credentials: 'same-origin' });
    const unicodeRange = response.headers.get('sealflow-unicode-range');
    if (response.status !== 200 || !unicodeRange) return;
    const face = new FontFace(config.linkFont, await response.arrayBuffer(), { unicodeRange });
    await face.load();
    document.fonts.add(face);
  } catch {
    // Without it only the rare characters may show as boxes; the page works on.
  }
}

/**
 * Chromium keeps the fallback's boxes for text laid out while the webfont was still
 * loading (a first visit on a slow line, on a machine without a Chinese font), even after
 * it is in, for every font size used meanwhile (it caches per size). So once the webfont is
 * in, the root font size grows by 0.5 % (every size is rem-based), and every text is laid
 * out again at sizes first seen now. pdf.js's own fonts load too: only the webfont counts.
 */
document.fonts?.addEventListener('loadingdone', () => {
  const webfont = [...document.fonts].find((face) => face.family.replace(/"/g, '') === config.webfont);
  if (webfont?.status === 'loaded') document.documentElement.classList.add('fonts-in');
});

const dateTime = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** Who sends it and why (the title), whom the signer signs as, by when, how much there is to read. The id only in the footer. */
function showFacts(current: SigningLink) {
  const title = current.contract.title || '合同';
  document.title = `${title} · 合同签署`;
  ui.title.textContent = title;
  const sender = current.contract.sender;
  if (sender) {
    const who = document.createElement('strong');
    who.textContent = sender;
    ui.senderLine.replaceChildren(who, ' 邀请您签署');
  } else {
    ui.senderLine.textContent = '您收到一份待签署的合同';
  }
  ui.senderLine.hidden = false;
  ui.signerLine.textContent = `${current.signer.name}（${current.signer.party === 'company' ? '企业' : '个人'}）`;
  const deadline = current.contract.deadline ? new Date(current.contract.deadline) : null;
  ui.deadlineFact.hidden = !deadline || Number.isNaN(deadline.getTime());
  if (deadline && !ui.deadlineFact.hidden) {
    const hours = Math.floor((deadline.getTime() - Date.now()) / 3_600_000);
    ui.deadline.textContent = `${dateTime.format(deadline)} 前${hours >= 0 && hours < 48 ? `（还剩约 ${Math.max(hours, 1)} 小时）` : ''}`;
    ui.deadline.classList.toggle('soon', hours < 48);
  }
  const pageCount = totalPages();
  ui.documentCount.textContent = `${current.documents.length} 份，共 ${pageCount} 页`;
  ui.facts.hidden = false;
  ui.reference.textContent = `合同编号 ${current.contract.id} · 由 Sealflow 提供签署服务`;
  ui.reference.hidden = false;
}

/**
 * After signing: the documents as they now stand, carrying the signer's signature, to keep.
 * Fetched at once, because the link dies when the last party signs; the final copy (all
 * signatures, archive timestamp) comes with the completion notice and its own download link.
 */
async function offerSignedCopy() {
  const current = link!;
  ui.copy.hidden = false;
  ui.copyNote.textContent = '正在准备下载…';
  const items = await Promise.all(current.documents.map(async (doc) => {
    const item = document.createElement('li');
    try {
      const response = await fetch(doc.url, { cache: 'no-store', credentials: 'same-origin' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const blob = await response.blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }));
      a.download = `${(doc.title || '合同文件').replace(/[\\/:*?"<>|]/g, '_')}（已签署）.pdf`;
      a.textContent = `下载《${doc.title || '合同文件'}》`;
      a.dataset.document = doc.id;
      item.append(a);
    } catch {
      item.textContent = `《${doc.title || '合同文件'}》：合同已由各方签署完成，最终文件将随完成通知发送给您。`;
    }
    return item;
  }));
  ui.copyList.replaceChildren(...items);
  ui.copyNote.textContent = '文件中已含您的签名，可用 PDF 阅读器查看签名。所有签署方完成后，您还会收到最终版本的下载链接。';
}

async function start() {
  if (!token) return showFatal(new ApiError({ status: 404, code: 'link_not_found', message: 'No token in the link.' }));
  let current: SigningLink;
  try {
    current = await call<SigningLink>('GET', '');
  } catch (caught) {
    return showFatal(asApiError(caught));
  }
  link = current;
  // Fill the page once the link's font is in (or after a short wait); a seal keeper may already be signed in.
  await Promise.all([
    Promise.race([loadLinkFont(), new Promise((resolve) => setTimeout(resolve, 3000))]),
    current.signer.seal && current.status === 'pending' ? findKeeper() : null,
  ]);
  showFacts(current);
  describeSeal();
  if (current.signer.prompt) {
    ui.promptText.textContent = current.signer.prompt;
    ui.prompt.hidden = false;
  }
  mergeRead(current.read);
  applyStatus(current.status);
  ui.app.setAttribute('aria-busy', 'false');
  if (current.status === 'signed') void offerSignedCopy();
  if (['pending', 'waiting', 'signed'].includes(current.status) && current.documents.length > 0) {
    await loadDocuments();
    update();
    scheduleReadCheck();
  }
}

void start();
