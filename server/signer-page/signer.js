// The signer's page script (plain ES module, served as-is, no bundler).
// It loads the signing link from /api/sign/:token, renders every document with pdf.js,
// tells the server which pages were scrolled into view, and signs or declines.
// The page is a convenience: the server re-checks reading, the code and whose turn it is.

const script = /** @type {HTMLScriptElement} */ (document.getElementById('signer-script'));
const config = script.dataset;
const token = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');
const api = `/api/sign/${encodeURIComponent(token)}`;

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const ui = {
  app: $('app'), title: $('contract-title'), signerLine: $('signer-line'), outcome: $('outcome'),
  senderLine: $('sender-line'), facts: $('facts'), deadlineFact: $('deadline-fact'), deadline: $('deadline'), documentCount: $('document-count'),
  parties: $('parties'), partyList: $('party-list'), copy: $('copy'), copyList: $('copy-list'), copyNote: $('copy-note'), reference: $('reference'),
  prompt: $('prompt'), promptText: $('prompt-text'), panel: $('panel'), status: $('status'),
  progress: $('progress'), progressCount: $('progress-count'), progressBar: /** @type {HTMLProgressElement} */ ($('progress-bar')),
  otp: $('otp'), otpInput: /** @type {HTMLInputElement} */ ($('otp-input')), otpButton: /** @type {HTMLButtonElement} */ ($('otp-button')), otpHint: $('otp-hint'),
  alert: $('alert'), sign: /** @type {HTMLButtonElement} */ ($('sign-button')), decline: /** @type {HTMLButtonElement} */ ($('decline-button')),
  refresh: /** @type {HTMLButtonElement} */ ($('refresh-button')), documents: $('documents'),
  dialog: /** @type {HTMLDialogElement} */ ($('decline-dialog')), declineForm: /** @type {HTMLFormElement} */ ($('decline-form')),
  declineReason: /** @type {HTMLTextAreaElement} */ ($('decline-reason')), declineSubmit: /** @type {HTMLButtonElement} */ ($('decline-submit')),
  declineCancel: $('decline-cancel'), declineAlert: $('decline-alert'),
};

// ---------------------------------------------------------------- messages

/** What a person should read for each API error code; the server's own message is shown beneath. */
const messages = {
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
  not_read: '服务器尚未记录您已阅读全部页面，请再次浏览未读页面。',
  not_your_turn: '还未轮到您签署。',
  already_signed: '您已签署过此合同。',
  network: '网络连接失败，请检查网络后重试。',
  pdf_failed: '文件加载失败。',
};

class ApiError extends Error {
  constructor({ status, code, message, details = [], retryAfter = null }) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

async function call(method, path, body) {
  let response;
  try {
    response = await fetch(api + path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: 'network error' });
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const error = payload && typeof payload === 'object' && payload.error ? payload.error : {};
    // Seconds to wait: the Retry-After header, else a detail saying "retry after N s".
    const hinted = Array.isArray(error.details) ? error.details.map((d) => /retry after (\d+)/i.exec(String(d?.message))?.[1]).find(Boolean) : undefined;
    const retryAfter = Number(response.headers.get('retry-after') ?? hinted);
    throw new ApiError({
      status: response.status,
      code: typeof error.code === 'string' ? error.code : `http_${response.status}`,
      message: typeof error.message === 'string' ? error.message : `HTTP ${response.status}`,
      details: Array.isArray(error.details) ? error.details : [],
      retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    });
  }
  return payload;
}

/** Fills an alert region: a line for a person (Chinese) and, under it, what the server said. */
function showError(region, error) {
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

// ---------------------------------------------------------------- state

/** @typedef {{ page: number, x: number, y: number, width: number, height: number }} Area  page from 1, PDF points from the bottom-left */
/** @type {null | { contract: {id: string, title: string|null, deadline?: string|null, sender?: string|null}, signer: {id: string, name: string, party: string, prompt: string|null, mustRead: boolean, verify: string, seal?: string|null, mobile: string|null}, parties?: {name: string, party: string, order: number, state: 'signed'|'declined'|'waiting', you: boolean}[], documents: {id: string, title: string|null, pages: number, url: string, signatureAreas?: Area[]}[], status: string, read: Record<string, number[]> }} */
let link = null;
let status = 'loading';
/** documentId → pages (1-based) the server has recorded as read; only ever grows */
const read = new Map();
let serverComplete = false;
let busy = false;
/** @type {{ document: string, number: number, count: number, sheet: HTMLElement, canvas: HTMLCanvasElement, caption: HTMLElement, pdfPage: any, rendered: boolean, renderedWidth: number, task: any, sending: boolean }[]} */
const pages = [];

const totalPages = () => (link ? link.documents.reduce((sum, doc) => sum + doc.pages, 0) : 0);
const readCount = () => (link ? link.documents.reduce((sum, doc) => sum + Math.min(doc.pages, read.get(doc.id)?.size ?? 0), 0) : 0);
const allRead = () => serverComplete || (totalPages() > 0 && readCount() >= totalPages());
const isRead = (documentId, number) => read.get(documentId)?.has(number) ?? false;
const otpValue = () => ui.otpInput.value.trim();

function mergeRead(map) {
  if (!map || typeof map !== 'object') return;
  for (const [documentId, numbers] of Object.entries(map)) {
    if (!Array.isArray(numbers)) continue;
    const set = read.get(documentId) ?? new Set();
    for (const n of numbers) if (Number.isInteger(n)) set.add(n);
    read.set(documentId, set);
  }
}

function canSign() {
  if (!link || status !== 'pending' || busy) return false;
  if (link.signer.mustRead && !allRead()) return false;
  if (link.signer.verify === 'sms-otp' && !/^\d{6}$/.test(otpValue())) return false;
  if (link.signer.verify === 'face') return false;
  return true;
}

// ---------------------------------------------------------------- rendering the state

function setStatusLine(text, hint, tone = '') {
  ui.status.className = tone;
  ui.status.replaceChildren(text);
  if (hint) {
    const en = document.createElement('span');
    en.className = 'en';
    en.textContent = ` ${hint}`;
    ui.status.append(en);
  }
}

function showOutcome(tone, headline, hint, text) {
  ui.outcome.className = `outcome ${tone}`;
  const big = document.createElement('span');
  big.className = 'big';
  big.textContent = headline;
  const en = document.createElement('span');
  en.className = 'en';
  en.textContent = ` ${hint}`;
  big.append(en);
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

  ui.otp.hidden = !(signer?.verify === 'sms-otp' && pendingish);
  ui.otpInput.disabled = !pendingish || busy;
  if (!pendingish) ui.otpButton.disabled = true;

  ui.sign.disabled = !canSign();
  ui.sign.hidden = !(pendingish || status === 'signed' || status === 'waiting');
  ui.decline.hidden = !pendingish;
  ui.decline.disabled = !pendingish || busy;
  ui.refresh.hidden = status !== 'waiting';

  for (const page of pages) {
    const done = isRead(page.document, page.number);
    if (done) page.canvas.dataset.read = 'true';
    else delete page.canvas.dataset.read;
    page.caption.querySelector('.read-mark').hidden = !done;
    for (const area of page.areas) {
      area.classList.toggle('done', status === 'signed');
      area.textContent = status === 'signed' ? '✓ 您已签署' : areaLabel();
    }
  }

  switch (status) {
    case 'loading': setStatusLine('正在加载…', 'Loading'); break;
    case 'pending':
      if (busy) setStatusLine('正在提交…', 'Submitting');
      else if (signer.verify === 'face') setStatusLine('此签署需要人脸核验，本页面暂不支持，请联系合同发起方。', 'Face verification is not available on this page', 'bad');
      else if (signer.mustRead && !allRead()) setStatusLine(`请阅读全部页面后签署（还剩 ${Math.max(total - done, 0)} 页）`, 'Scroll through every page to sign');
      else if (signer.verify === 'sms-otp' && !/^\d{6}$/.test(otpValue())) setStatusLine('请获取并输入 6 位短信验证码', 'Enter the 6-digit SMS code');
      else setStatusLine('可以签署了', 'Ready to sign');
      break;
    case 'waiting': setStatusLine('还未轮到您签署', 'Not your turn yet', 'wait'); break;
    case 'signed': setStatusLine('已签署', 'Signed', 'ok'); break;
    case 'declined': setStatusLine('已拒绝签署', 'Declined', 'bad'); break;
    case 'closed': setStatusLine('此合同已不再开放签署', 'No longer open for signing', 'bad'); break;
    default: setStatusLine('无法签署', 'Cannot sign', 'bad');
  }
  ui.sign.classList.toggle('done', status === 'signed');
  ui.sign.replaceChildren(status === 'signed' ? '✓ 已签署 ' : busy ? '正在签署… ' : '确认签署 ');
  const en = document.createElement('span');
  en.className = 'en';
  en.textContent = status === 'signed' ? 'Signed' : 'Sign';
  ui.sign.append(en);
}

function applyStatus(next) {
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

const PARTY_STATE = { signed: ['已签署', 'Signed'], declined: ['已拒签', 'Declined'], waiting: ['待签署', 'Waiting'] };

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
    const [zh, en] = PARTY_STATE[party.state] ?? PARTY_STATE.waiting;
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
function showFatal(error) {
  // The link died while open (signed by all, cancelled, expired): the server's page words why.
  if (link && (error.status === 410 || error.status === 404)) {
    location.reload();
    return;
  }
  status = 'unusable';
  ui.app.setAttribute('aria-busy', 'false');
  ui.title.replaceChildren('无法打开签署页面 ');
  const en = document.createElement('span');
  en.className = 'en';
  en.textContent = 'Cannot open this signing link';
  ui.title.append(en);
  showOutcome('bad', messages[error.code] ?? '出现问题。', '', error.code === 'network' ? 'Network error.' : error.message);
  ui.documents.replaceChildren();
  pages.length = 0;
  update();
  setStatusLine(error.status === 410 ? '链接已失效' : error.status === 404 ? '链接无效' : '无法加载', error.status === 410 ? 'Link no longer valid' : error.status === 404 ? 'Link not found' : 'Could not load', 'bad');
  ui.sign.hidden = true;
}

const endsTheLink = (error) => error.code === 'link_not_found' || error.code === 'link_expired' || error.code === 'link_used';

// ---------------------------------------------------------------- documents (pdf.js)

let pdfjs = null;
let pdfjsLoaded = null;
const lib = () => pdfjsLoaded;
let pdfWorker = null;
async function loadPdfjs() {
  pdfjs ??= import(config.pdfjs).then((lib) => {
    lib.GlobalWorkerOptions.workerSrc = config.pdfjsWorker;
    pdfWorker = new lib.PDFWorker({ name: 'sealflow-signer' });
    pdfjsLoaded = lib;
    return lib;
  });
  return pdfjs;
}

const renderObserver = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    const page = pages.find((p) => p.sheet === entry.target);
    if (page) renderPage(page);
  }
}, { rootMargin: '1200px 0px' });

/** Largest canvas we draw (phones refuse canvases above ~16 M pixels). */
const MAX_CANVAS_PIXELS = 12_000_000;

async function renderPage(page) {
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
  const task = page.pdfPage.render({ canvasContext: target.getContext('2d', { alpha: false }), viewport });
  page.task = task;
  page.renderingWidth = width;
  try {
    await task.promise;
  } catch (error) {
    if (error?.name === 'RenderingCancelledException') return;
    throw error;
  } finally {
    if (page.task === task) page.task = null;
  }
  page.canvas.width = target.width;
  page.canvas.height = target.height;
  page.canvas.getContext('2d', { alpha: false }).drawImage(target, 0, 0);
  target.width = target.height = 0;
  page.rendered = true;
  page.renderedWidth = width;
  renderTextLayer(page, lib());
  page.dpr = devicePixelRatio;
  page.sheet.classList.add('rendered');
  scheduleReadCheck();
}

/**
 * The page's text as real (transparent) text over the drawing, once per page: screen
 * readers read it, find-in-page and selection work. A page whose text fails to extract
 * (a scan) keeps its drawing and its label.
 */
function renderTextLayer(page, pdfjsLib) {
  if (page.textLayer || !pdfjsLib?.TextLayer) return;
  const container = document.createElement('div');
  container.className = 'textLayer';
  page.textLayer = new pdfjsLib.TextLayer({ textContentSource: page.pdfPage.streamTextContent(), container, viewport: page.pdfPage.getViewport({ scale: 1 }) });
  page.textLayer.render().then(
    () => {
      page.sheet.append(container);
      page.sheet.dataset.text = container.textContent.trim() ? 'true' : 'false';
    },
    () => {
      page.sheet.dataset.text = 'false';
    },
  );
}

/** The signer's reserved areas on one page, drawn over it in page percentages (so any width fits). */
function signatureAreas(doc, number, pdfPage) {
  const base = pdfPage.getViewport({ scale: 1 });
  return (doc.signatureAreas ?? []).filter((area) => area.page === number).map((area) => {
    const [x1, y1, x2, y2] = base.convertToViewportRectangle([area.x, area.y, area.x + area.width, area.y + area.height]);
    const box = document.createElement('div');
    box.className = 'sig-area';
    box.style.left = `${(Math.min(x1, x2) / base.width) * 100}%`;
    box.style.top = `${(Math.min(y1, y2) / base.height) * 100}%`;
    box.style.width = `${(Math.abs(x2 - x1) / base.width) * 100}%`;
    box.style.height = `${(Math.abs(y2 - y1) / base.height) * 100}%`;
    box.textContent = areaLabel();
    return box;
  });
}

function documentSection(doc) {
  const section = document.createElement('section');
  section.className = 'doc';
  section.dataset.document = doc.id;
  const heading = document.createElement('h2');
  heading.textContent = `${doc.title || '合同文件'} `;
  const count = document.createElement('span');
  count.className = 'en';
  count.textContent = `共 ${doc.pages} 页 · ${doc.pages} pages`;
  heading.append(count);
  section.append(heading);
  return section;
}

async function loadDocument(doc, section) {
  const lib = await loadPdfjs();
  const task = lib.getDocument({
    url: doc.url,
    worker: pdfWorker,
    isEvalSupported: false,
    cMapUrl: config.cmapUrl,
    cMapPacked: true,
    standardFontDataUrl: config.standardFontDataUrl,
    withCredentials: false,
  });
  const pdf = await task.promise;
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
    const page = { document: doc.id, number, count, sheet, canvas, caption, pdfPage, areas, textLayer: null, rendered: false, renderedWidth: 0, renderingWidth: 0, dpr: 0, task: null, sending: false };
    pages.push(page);
    renderObserver.observe(sheet);
  }
  update();
}

async function loadDocuments() {
  ui.documents.replaceChildren();
  const loads = link.documents.map((doc) => {
    const section = documentSection(doc);
    ui.documents.append(section);
    return loadDocument(doc, section).catch((error) => {
      const p = document.createElement('p');
      p.className = 'doc-error card';
      p.textContent = `文件加载失败，请刷新页面重试。 Could not load this document (${error?.message ?? error}).`;
      section.append(p);
      showError(ui.alert, { code: 'pdf_failed', message: `${doc.title}: ${error?.message ?? error}` });
    });
  });
  await Promise.all(loads);
  // Keep page order stable in `pages` whatever order the documents finished in.
  const order = new Map(link.documents.map((doc, i) => [doc.id, i]));
  pages.sort((a, b) => order.get(a.document) - order.get(b.document) || a.number - b.number);
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
    if (bottomEdgeInView || shown / rect.height >= 0.9) recordRead(page);
  }
}

async function recordRead(page) {
  page.sending = true;
  try {
    const answer = await call('POST', '/read', { document: page.document, page: page.number });
    mergeRead(answer?.read);
    if (answer?.complete === true) serverComplete = true;
    update();
  } catch (error) {
    if (endsTheLink(error)) return showFatal(error);
    if (error.code === 'not_your_turn') return refresh();
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
  resizeTimer = setTimeout(() => {
    for (const page of pages) if (page.rendered) renderPage(page);
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

function otpButtonLabel(zh, en) {
  ui.otpButton.replaceChildren(`${zh} `);
  const span = document.createElement('span');
  span.className = 'en';
  span.textContent = en;
  ui.otpButton.append(span);
}

function startCountdown(seconds) {
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
  countdownTimer = setInterval(tick, 500);
}

async function requestOtp() {
  if (status !== 'pending') return;
  ui.otpButton.disabled = true;
  clearError();
  try {
    const answer = await call('POST', '/otp');
    const until = answer?.expiresAt ? new Date(answer.expiresAt) : null;
    const validity = until && !Number.isNaN(until.getTime())
      ? `，${until.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' })} 前有效`
      : '';
    ui.otpHint.textContent = `验证码已发送至 ${answer?.sentTo ?? link.signer.mobile ?? '您的手机'}${validity}。 Code sent by SMS.`;
    startCountdown(Number(answer?.retryAfterSeconds) > 0 ? Number(answer.retryAfterSeconds) : 60);
    ui.otpInput.focus();
  } catch (error) {
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
  if (event.key === 'Enter' && canSign()) sign();
});

// ---------------------------------------------------------------- sign, decline, refresh

async function sign() {
  if (!canSign()) return;
  busy = true;
  clearError();
  update();
  const body = { read: true };
  if (link.signer.verify === 'sms-otp') body.otp = otpValue();
  try {
    await call('POST', '', body);
    busy = false;
    ui.otpInput.value = '';
    for (const party of link.parties ?? []) if (party.you) party.state = 'signed';
    applyStatus('signed');
    // Tell a screen reader and a keyboard user at once: focus the confirmation.
    ui.outcome.focus({ preventScroll: true });
    ui.outcome.scrollIntoView({ block: 'nearest' });
    await offerSignedCopy();
    return;
  } catch (error) {
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
      case 'not_read':
        await refresh({ keepAlert: true });
        break;
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
  } catch (error) {
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
    const next = await call('GET', '');
    link = next;
    mergeRead(next.read);
    if (!keepAlert) clearError();
    applyStatus(next.status);
    scheduleReadCheck();
  } catch (error) {
    if (endsTheLink(error)) return showFatal(error);
    showError(ui.alert, error);
  }
}

ui.refresh.addEventListener('click', () => refresh());

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
function showFacts() {
  const title = link.contract.title || '合同';
  document.title = `${title} · 合同签署`;
  ui.title.textContent = title;
  const sender = link.contract.sender;
  if (sender) {
    const who = document.createElement('strong');
    who.textContent = sender;
    ui.senderLine.replaceChildren(who, ' 邀请您签署');
  } else {
    ui.senderLine.textContent = '您收到一份待签署的合同';
  }
  ui.senderLine.hidden = false;
  ui.signerLine.textContent = `${link.signer.name}（${link.signer.party === 'company' ? '企业' : '个人'}）`;
  const deadline = link.contract.deadline ? new Date(link.contract.deadline) : null;
  ui.deadlineFact.hidden = !deadline || Number.isNaN(deadline.getTime());
  if (!ui.deadlineFact.hidden) {
    const hours = Math.floor((deadline.getTime() - Date.now()) / 3_600_000);
    ui.deadline.textContent = `${dateTime.format(deadline)} 前${hours >= 0 && hours < 48 ? `（还剩约 ${Math.max(hours, 1)} 小时）` : ''}`;
    ui.deadline.classList.toggle('soon', hours < 48);
  }
  const pageCount = totalPages();
  ui.documentCount.textContent = `${link.documents.length} 份，共 ${pageCount} 页`;
  ui.facts.hidden = false;
  ui.reference.textContent = `合同编号 ${link.contract.id} · 由 Sealflow 提供签署服务`;
  ui.reference.hidden = false;
}

/**
 * After signing: the documents as they now stand, carrying the signer's signature, to keep.
 * Fetched at once, because the link dies when the last party signs; the final copy (all
 * signatures, archive timestamp) comes with the completion notice and its own download link.
 */
async function offerSignedCopy() {
  ui.copy.hidden = false;
  ui.copyNote.textContent = '正在准备下载…';
  const items = await Promise.all(link.documents.map(async (doc) => {
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
  try {
    link = await call('GET', '');
  } catch (error) {
    return showFatal(error);
  }
  // Fill the page once the link's font is in (or after a short wait).
  await Promise.race([loadLinkFont(), new Promise((resolve) => setTimeout(resolve, 3000))]);
  showFacts();
  if (link.signer.prompt) {
    ui.promptText.textContent = link.signer.prompt;
    ui.prompt.hidden = false;
  }
  mergeRead(link.read);
  applyStatus(link.status);
  ui.app.setAttribute('aria-busy', 'false');
  if (link.status === 'signed') offerSignedCopy();
  if (['pending', 'waiting', 'signed'].includes(link.status) && link.documents.length > 0) {
    await loadDocuments();
    update();
    scheduleReadCheck();
  }
}

start();
