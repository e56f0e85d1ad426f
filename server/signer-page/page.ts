// The signer page's HTML shell and its stylesheet. Nothing from the signing link is
// written into the HTML: the page script reads the token from its own URL and fills the
// page from the API with textContent only.

export interface SignerPageUrls {
  /** the page's own CJK webfont (WOFF2), see webfont.ts */
  font: string;
  script: string;
  pdfjs: string;
  pdfjsWorker: string;
  cMapUrl: string;
  standardFontDataUrl: string;
}

/** The page's webfont family: after the CJK fonts a phone or PC may have, so it is only fetched where none is. */
const WEBFONT_FAMILY = 'Sealflow Noto Sans SC';
/** The family of the small per-link font (rarer hanzi of names and titles), which the page script adds. */
export const LINK_FONT_FAMILY = 'Sealflow Link Font';
/** The page's fonts: a phone's or PC's own CJK font first, the webfont where there is none. */
const FONT_STACK = `system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "${WEBFONT_FAMILY}", "${LINK_FONT_FAMILY}", sans-serif`;

// One stylesheet per router: the Content-Security-Policy allows exactly it by its hash.
export const signerPageStyle = (fontUrl: string) => `
@font-face { font-family: "${WEBFONT_FAMILY}"; src: url("${fontUrl}") format("woff2"); font-display: swap; }
:root {
  --fg: #1b2230; --muted: #5d6677; --line: #dce1e8; --bg: #eef1f5; --card: #fff;
  --brand: #1a5fd0; --brand-dark: #134ba8; --ok: #137a4b; --ok-bg: #e7f6ee;
  --bad: #b42318; --bad-bg: #fdecea; --warn: #8a5a00; --warn-bg: #fff5db;
  --panel-h: 0px;
  color-scheme: light;
  font-family: ${FONT_STACK};
}
* { box-sizing: border-box; }
/* Set by the page script once the webfont is in: every size grows by 0.5 %, so every text is laid out again (see designer/src/signer/main.ts). */
:root.fonts-in { font-size: 100.5%; }
html { -webkit-text-size-adjust: 100%; scroll-padding-bottom: var(--panel-h); }
body { margin: 0; background: var(--bg); color: var(--fg); font-size: 1rem; line-height: 1.5; }
[hidden] { display: none !important; }
h1, h2, p { margin: 0; }
.en { color: var(--muted); font-size: .78em; font-weight: 400; letter-spacing: .01em; }
button { font: inherit; cursor: pointer; border-radius: 8px; border: 1px solid var(--line); background: var(--card); color: var(--fg); padding: 10px 14px; min-height: 44px; }
button:disabled { cursor: not-allowed; opacity: .55; }
button:focus-visible, input:focus-visible, textarea:focus-visible, a:focus-visible, [tabindex]:focus-visible { outline: 3px solid #1a5fd0; outline-offset: 2px; }
a { color: var(--brand); }
.skip { position: absolute; left: 8px; top: -60px; z-index: 20; background: var(--card); padding: 8px 12px; border-radius: 8px; border: 1px solid var(--line); }
.skip:focus { top: 8px; }
button.primary { background: var(--brand); border-color: var(--brand); color: #fff; font-weight: 600; }
button.primary:not(:disabled):hover { background: var(--brand-dark); }
button.primary.done { background: var(--ok); border-color: var(--ok); opacity: 1; cursor: default; }
button.primary .en, button.danger .en { color: rgba(255,255,255,.85); }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; font-weight: 600; }
button.link { background: none; border: none; color: var(--muted); text-decoration: underline; padding: 10px 6px; }
.topbar { background: var(--card); border-bottom: 1px solid var(--line); padding: 10px 16px; display: flex; gap: 10px; align-items: baseline; }
.brand { font-weight: 700; color: var(--brand); }
.layout { max-width: 1180px; margin: 0 auto; padding: 14px 12px calc(var(--panel-h) + 20px); display: grid; grid-template-columns: minmax(0, 1fr); gap: 12px; }
.intro h1 { font-size: 1.3rem; line-height: 1.35; word-break: break-word; }
.eyebrow { color: var(--muted); font-size: .9rem; margin-bottom: 2px; }
.eyebrow strong { color: var(--fg); }
.facts { display: flex; flex-wrap: wrap; gap: 6px 20px; margin: 8px 0 0; font-size: .9rem; }
.facts div { display: flex; gap: 6px; align-items: baseline; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }
.facts .soon { color: var(--bad); }
.party-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
.party-list li { display: flex; justify-content: space-between; align-items: center; gap: 8px; font-size: .92rem; }
.party-list .who { min-width: 0; overflow-wrap: anywhere; }
.party-list .you { color: var(--brand); font-size: .8rem; margin-left: 4px; }
.badge { flex: none; border-radius: 999px; padding: 1px 10px; font-size: .8rem; font-weight: 600; }
.badge.signed { background: var(--ok-bg); color: var(--ok); }
.badge.waiting { background: #eef1f5; color: var(--muted); }
.badge.declined { background: var(--bad-bg); color: var(--bad); }
.copy-list { margin: 4px 0 0; padding-left: 1.2em; display: grid; gap: 6px; }
.copy-list a { font-weight: 600; }
.reference { grid-column: 1 / -1; color: var(--muted); font-size: .78rem; text-align: center; padding: 8px 0; }
.side { display: grid; gap: 12px; align-content: start; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card h2 { font-size: .95rem; margin-bottom: 6px; }
.prompt p { white-space: pre-wrap; word-break: break-word; }
.outcome { border-radius: 10px; padding: 14px; font-weight: 600; }
.outcome.ok { background: var(--ok-bg); color: var(--ok); border: 1px solid #a8dcc0; }
.outcome.bad { background: var(--bad-bg); color: var(--bad); border: 1px solid #f3b8b2; }
.outcome.info { background: var(--warn-bg); color: var(--warn); border: 1px solid #f0d79a; }
.outcome .big { font-size: 1.25rem; display: block; }
.outcome p { font-weight: 400; color: var(--fg); margin-top: 4px; }
.doc + .doc { margin-top: 20px; }
.doc h2 { font-size: 1.05rem; margin: 0 2px 8px; }
.doc-error { color: var(--bad); }
.page { margin: 0 0 14px; }
.sheet { position: relative; width: 100%; aspect-ratio: 210 / 297; background: #fff; box-shadow: 0 1px 3px rgba(16,24,40,.18); border-radius: 2px; overflow: hidden; }
.sheet:not(.rendered)::after { content: "正在加载页面… Loading"; position: absolute; inset: 0; display: grid; place-items: center; color: var(--muted); font-size: .9rem; }
.sheet canvas { display: block; width: 100%; height: 100%; }
.sig-area { position: absolute; z-index: 2; border: 2px dashed #d9480f; background: rgba(255, 236, 214, .55); border-radius: 4px; display: grid; place-items: center; text-align: center; color: #a63b0a; font-size: clamp(.6rem, 1.7vw, .8rem); font-weight: 600; line-height: 1.25; pointer-events: none; }
.sig-area.done { border-style: solid; border-color: var(--ok); background: rgba(231, 246, 238, .35); color: var(--ok); }
.textLayer { position: absolute; text-align: initial; inset: 0; overflow: clip; opacity: 1; line-height: 1; -webkit-text-size-adjust: none; text-size-adjust: none; forced-color-adjust: none; transform-origin: 0 0; caret-color: CanvasText; z-index: 1; }
.textLayer :is(span, br) { color: transparent; position: absolute; white-space: pre; cursor: text; transform-origin: 0% 0%; }
.textLayer span.markedContent { top: 0; height: 0; }
.textLayer ::selection { background: rgba(0, 0, 255, .25); }
.textLayer br::selection { background: transparent; }
.textLayer .endOfContent { display: block; position: absolute; inset: 100% 0 0; z-index: 0; cursor: default; user-select: none; }
.page figcaption { display: flex; justify-content: center; gap: 8px; font-size: .85rem; color: var(--muted); padding-top: 4px; }
.read-mark { color: var(--ok); font-weight: 600; }
.panel { background: var(--card); border-top: 1px solid var(--line); box-shadow: 0 -4px 14px rgba(16,24,40,.10); padding: 10px 12px calc(10px + env(safe-area-inset-bottom)); display: grid; grid-template-columns: minmax(0, 1fr); gap: 8px;
  position: fixed; left: 0; right: 0; bottom: 0; z-index: 10; max-height: 70vh; overflow: hidden auto; }
#status { font-size: .92rem; font-weight: 600; }
#status.ok { color: var(--ok); }
#status.bad { color: var(--bad); }
#status.wait { color: var(--warn); }
.progress { display: grid; grid-template-columns: 1fr auto; align-items: center; gap: 4px 10px; font-size: .85rem; color: var(--muted); }
.progress progress { grid-column: 1 / -1; width: 100%; height: 6px; appearance: none; border: none; border-radius: 3px; background: #e3e7ee; overflow: hidden; }
.progress progress::-webkit-progress-bar { background: #e3e7ee; }
.progress progress::-webkit-progress-value { background: var(--ok); }
.progress progress::-moz-progress-bar { background: var(--ok); }
.otp label { display: block; font-size: .85rem; color: var(--muted); margin-bottom: 4px; }
.otp-row { display: flex; gap: 8px; }
#otp-input { flex: 1 1 0; width: 0; min-width: 0; font: inherit; font-size: 1.2rem; letter-spacing: .3em; padding: 8px 10px; border: 1px solid #b9c1ce; border-radius: 8px; min-height: 44px; font-variant-numeric: tabular-nums; }
#otp-button { white-space: nowrap; }
.seal h2 { font-size: .95rem; margin-bottom: 2px; }
.seal-fields { display: grid; grid-template-columns: minmax(0, 1fr); gap: 4px; margin-top: 6px; }
.seal-fields label { font-size: .85rem; color: var(--muted); }
.seal-fields input { font: inherit; padding: 8px 10px; border: 1px solid #b9c1ce; border-radius: 8px; min-height: 44px; width: 100%; }
.seal-fields button { margin-top: 6px; }
.seal-user { font-size: .9rem; display: flex; align-items: center; gap: 4px; flex-wrap: wrap; }
.hint { font-size: .8rem; color: var(--muted); margin-top: 4px; }
.actions { display: flex; gap: 8px; align-items: center; }
.actions #sign-button { flex: 1; font-size: 1.05rem; }
.alert { border-radius: 8px; padding: 8px 10px; background: var(--bad-bg); color: var(--bad); border: 1px solid #f3b8b2; font-size: .9rem; }
.alert:empty { display: none; }
.alert .detail { display: block; color: var(--fg); font-size: .8rem; opacity: .8; }
dialog { border: none; border-radius: 12px; padding: 0; width: min(92vw, 440px); box-shadow: 0 10px 40px rgba(16,24,40,.35); }
dialog::backdrop { background: rgba(16,24,40,.45); }
dialog form { padding: 16px; display: grid; gap: 10px; }
dialog h2 { font-size: 1.1rem; }
dialog label { font-size: .9rem; color: var(--muted); }
#decline-reason { font: inherit; width: 100%; padding: 8px 10px; border: 1px solid #b9c1ce; border-radius: 8px; resize: vertical; }
dialog .actions { justify-content: flex-end; }
@media (min-width: 900px) {
  .layout { grid-template-columns: minmax(0, 1fr) 340px; grid-template-areas: "intro intro" "docs side"; gap: 16px 24px; padding: 22px 24px 40px; }
  .intro { grid-area: intro; }
  .intro h1 { font-size: 1.55rem; }
  .side { grid-area: side; align-self: start; position: sticky; top: 16px; display: grid; gap: 12px; }
  .documents { grid-area: docs; }
  .panel { position: static; border: 1px solid var(--line); border-radius: 10px; box-shadow: none; padding: 14px; gap: 12px; max-height: none; overflow: visible; }
  .page { margin-bottom: 20px; }
}
@media (min-width: 600px) and (max-width: 899px) {
  .layout { padding-left: 24px; padding-right: 24px; }
  .panel { padding-left: max(24px, calc((100vw - 720px) / 2)); padding-right: max(24px, calc((100vw - 720px) / 2)); }
}
`;

const attribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function signerPageHtml(urls: SignerPageUrls): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex,nofollow">
<meta name="theme-color" content="#1a5fd0">
<link rel="icon" href="data:,">
<title>合同签署 · Sealflow</title>
<link rel="modulepreload" href="${attribute(urls.pdfjs)}">
<style>${signerPageStyle(urls.font)}</style>
</head>
<body>
<a id="skip" class="skip" href="#panel">跳到签署操作 <span class="en">Skip to signing</span></a>
<header class="topbar"><span class="brand">Sealflow</span><span class="en">合同签署 · Contract signing</span></header>
<main id="app" class="layout" aria-busy="true">
  <section class="intro" aria-labelledby="contract-title">
    <p id="sender-line" class="eyebrow" hidden></p>
    <h1 id="contract-title">正在加载… <span class="en">Loading</span></h1>
    <dl id="facts" class="facts" hidden>
      <div><dt>签署方 <span class="en">You sign as</span></dt><dd id="signer-line"></dd></div>
      <div id="deadline-fact" hidden><dt>签署截止 <span class="en">Sign by</span></dt><dd id="deadline"></dd></div>
      <div><dt>文件 <span class="en">Documents</span></dt><dd id="document-count"></dd></div>
    </dl>
  </section>
  <aside class="side" aria-label="签署 Signing">
    <div id="outcome" class="outcome" hidden tabindex="-1"></div>
    <section id="copy" class="card copy" aria-labelledby="copy-title" hidden>
      <h2 id="copy-title">您签署后的文件 <span class="en">Your signed copy</span></h2>
      <ul id="copy-list" class="copy-list"></ul>
      <p id="copy-note" class="hint"></p>
    </section>
    <section id="prompt" class="card prompt" aria-labelledby="prompt-title" hidden>
      <h2 id="prompt-title">签署说明 <span class="en">Note from the sender</span></h2>
      <p id="prompt-text"></p>
    </section>
    <section id="parties" class="card parties" aria-labelledby="parties-title" hidden>
      <h2 id="parties-title">签署进度 <span class="en">Who has signed</span></h2>
      <ol id="party-list" class="party-list"></ol>
    </section>
    <section id="panel" class="panel" aria-label="签署操作 Sign" tabindex="-1">
      <p id="status" role="status" aria-live="polite">正在加载… <span class="en">Loading</span></p>
      <div id="progress" class="progress" hidden>
        <span id="progress-label">阅读进度 <span class="en">Pages read</span></span><span id="progress-count">0 / 0</span>
        <progress id="progress-bar" max="1" value="0" aria-labelledby="progress-label" aria-describedby="progress-count"></progress>
      </div>
      <div id="otp" class="otp" hidden>
        <label for="otp-input">短信验证码 <span class="en">6-digit SMS code</span></label>
        <div class="otp-row">
          <input id="otp-input" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" placeholder="______" aria-describedby="otp-hint">
          <button id="otp-button" type="button">获取验证码 <span class="en">Send</span></button>
        </div>
        <p id="otp-hint" class="hint"></p>
      </div>
      <form id="seal" class="seal" hidden novalidate aria-labelledby="seal-title">
        <h2 id="seal-title">印章管理员登录 <span class="en">Seal keeper sign-in</span></h2>
        <p id="seal-intro" class="hint"></p>
        <div id="seal-fields" class="seal-fields">
          <label for="seal-login">账号 <span class="en">Login</span></label>
          <input id="seal-login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="200" required>
          <label for="seal-password">密码 <span class="en">Password</span></label>
          <input id="seal-password" name="password" type="password" autocomplete="current-password" maxlength="200" required>
          <button id="seal-signin" type="submit">登录 <span class="en">Sign in</span></button>
        </div>
        <p id="seal-user" class="seal-user" hidden>已登录：<strong id="seal-user-name"></strong> <button id="seal-signout" type="button" class="link">退出登录 <span class="en">Sign out</span></button></p>
      </form>
      <div id="alert" class="alert" role="alert"></div>
      <div class="actions">
        <button id="sign-button" type="button" class="primary" disabled>确认签署 <span class="en">Sign</span></button>
        <button id="decline-button" type="button" class="link" hidden>拒绝签署 <span class="en">Decline</span></button>
        <button id="refresh-button" type="button" hidden>刷新 <span class="en">Refresh</span></button>
      </div>
    </section>
  </aside>
  <section id="documents" class="documents" aria-label="合同文件 Documents"></section>
  <footer id="reference" class="reference" hidden></footer>
</main>
<dialog id="decline-dialog" aria-labelledby="decline-title">
  <form id="decline-form" method="dialog" novalidate>
    <h2 id="decline-title">拒绝签署 <span class="en">Decline to sign</span></h2>
    <label for="decline-reason">请填写拒签原因（必填） <span class="en">Reason, required</span></label>
    <textarea id="decline-reason" name="reason" rows="4" maxlength="500" required></textarea>
    <div id="decline-alert" class="alert" role="alert"></div>
    <div class="actions">
      <button id="decline-cancel" type="button">取消 <span class="en">Cancel</span></button>
      <button id="decline-submit" type="submit" class="danger">确认拒签 <span class="en">Decline</span></button>
    </div>
  </form>
</dialog>
<noscript><p class="card">请启用 JavaScript 以查看并签署合同。 <span class="en">Please enable JavaScript.</span></p></noscript>
<script type="module" id="signer-script" src="${attribute(urls.script)}"
  data-pdfjs="${attribute(urls.pdfjs)}" data-pdfjs-worker="${attribute(urls.pdfjsWorker)}"
  data-webfont="${WEBFONT_FAMILY}" data-link-font="${LINK_FONT_FAMILY}" data-cmap-url="${attribute(urls.cMapUrl)}" data-standard-font-data-url="${attribute(urls.standardFontDataUrl)}"></script>
</body>
</html>
`;
}
