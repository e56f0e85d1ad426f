// The signer page's real-name verification (实名认证) walk: when the flow asks a level the
// signer has no valid record for, a form for the facts that level takes, then its next step
// (the SMS code, the amount that arrived, the provider's face or authorisation page and a
// check on return, or the reverse payment's details), until the server binds a record. Plain
// DOM (the page has no framework), labelled fields and real forms: Enter submits, Tab walks.
// The server decides everything; this only asks and shows.
import { ApiError, type IdentityState } from './api';

type Call = <T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<T>;

interface FlowView {
  id: string;
  level: string;
  status: 'pending' | 'passed' | 'failed' | 'expired';
  step: string;
  triesLeft: number;
  outcome?: string;
  redirectUrl?: string;
  payTo?: { accountName: string; accountNumber: string; bank: string; amountFen: number };
  bound: boolean;
  record?: { name: string; level: string };
}

/** zh first, then en: the page's two languages, as every line of it. */
const LEVELS: Record<string, [string, string]> = {
  'two-factor': ['姓名 + 身份证号核验', 'name and ID number'],
  telecom: ['运营商三要素核验（姓名、身份证号、手机号 + 短信验证码）', 'name, ID number and your mobile, with an SMS code'],
  bank: ['银行卡四要素核验（姓名、身份证号、银行卡、预留手机号 + 短信验证码）', 'name, ID number, bank card and its mobile, with an SMS code'],
  face: ['人脸核身', 'a face check on the provider’s page'],
  'company-three-factor': ['企业三要素核验（企业名称、统一社会信用代码、法定代表人）', 'company name, credit code and legal representative'],
  'company-four-factor': ['企业四要素核验（另加法定代表人身份证号）', 'company four factors (with the legal representative’s ID number)'],
  'company-transfer': ['对公打款核验：向企业对公账户打一笔小额款项，回填金额', 'a small payment to the company account; enter the amount that arrived'],
  'company-reverse-payment': ['反向打款核验：由企业对公账户付一笔指定小额款项', 'the company pays a given small amount'],
  'company-authorisation': ['法定代表人授权', 'the legal representative authorises on the provider’s page'],
};

const FIELDS: Record<string, [string, string, string, string?][]> = {
  // [name, zh label, en label, input mode]
  person: [['name', '姓名', 'Name'], ['idNumber', '身份证号', 'Resident ID number']],
  telecom: [['mobile', '本人手机号', 'Your mobile', 'tel']],
  bank: [['bankCard', '银行卡号', 'Bank card number', 'numeric'], ['mobile', '银行预留手机号', 'Mobile the bank has', 'tel']],
  company: [['name', '企业名称', 'Company name'], ['creditCode', '统一社会信用代码', 'Unified social credit code'], ['legalRepresentative', '法定代表人', 'Legal representative']],
  legalId: [['legalRepresentativeIdNumber', '法定代表人身份证号', 'Legal representative’s ID number']],
  account: [['accountNumber', '对公账号', 'Company account number', 'numeric'], ['accountBank', '开户行', 'Bank branch']],
  authorisation: [['legalRepresentativeMobile', '法定代表人手机号', 'Legal representative’s mobile', 'tel']],
};

const ERRORS: Record<string, string> = {
  identity_not_signer: '所填信息与合同中的签署方不一致。',
  identity_flow_closed: '此次核验已结束（已通过、已失败或已过期），请重新开始。',
  identity_flow_not_found: '找不到此次核验，请重新开始。',
  identity_providers_unavailable: '实名认证服务暂时无法连接，请稍后重试。',
  identity_unavailable: '本平台未开通此种实名认证，请联系合同发起方。',
  identity_rejected: '实名认证服务拒绝了所填信息，请核对后重试。',
  invalid_body: '所填信息格式不正确。',
  rate_limited: '尝试次数过多，请稍后再试。',
  network: '网络连接失败，请检查网络后重试。',
};

const OUTCOMES: Record<string, [string, string]> = {
  mismatch: ['信息不一致，核验未通过。', 'The details do not match.'],
  no_record: ['查无此人（或此企业）的登记信息。', 'No record of these details.'],
  wrong_input: ['输入不正确。', 'Not right.'],
  declined: ['已拒绝授权。', 'Declined.'],
  expired: ['核验已过期。', 'Expired.'],
};

const FLOW_KEY = (token: string) => `sealflow-identity-flow:${token}`;

export interface IdentityWalk {
  /** Shows what the link asks now (hidden when no level is asked or the signer may not sign). */
  render(state: IdentityState | null | undefined, signer: { name: string }, open: boolean): void;
}

export function createIdentityWalk(options: { anchor: HTMLElement; token: string; call: Call; onVerified: () => void }): IdentityWalk {
  const { call, token } = options;
  const english = (text: string) => Object.assign(document.createElement('span'), { className: 'en', textContent: ` ${text}` });
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  const box = el('section', { id: 'identity', className: 'otp seal' });
  box.setAttribute('aria-labelledby', 'identity-title');
  box.hidden = true;
  const title = el('h2', { id: 'identity-title' }, '实名认证', english('Real-name verification'));
  const intro = el('p', { className: 'hint' });
  const body = el('div');
  const alert = el('div', { className: 'alert', id: 'identity-alert' });
  alert.setAttribute('role', 'alert');
  box.append(title, intro, body, alert);
  options.anchor.before(box);

  let shown = '';
  let signerName = '';
  let flow: FlowView | null = null;
  let busy = false;

  const fail = (caught: unknown) => {
    const error = caught instanceof ApiError ? caught : new ApiError({ status: 0, code: 'page_error', message: String(caught) });
    const where = error.details.map((d) => d.path).filter(Boolean).join(', ');
    alert.replaceChildren(ERRORS[error.code] ?? '核验未能完成。', el('span', { className: 'detail' }, `${error.message}${where && !error.message.includes(where) ? ` (${where})` : ''}`));
  };
  const key = () => (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));

  function field([name, zh, en, mode]: [string, string, string, string?], value = '') {
    const id = `identity-${name}`;
    const input = document.createElement('input');
    Object.assign(input, { id, name, value, required: true, autocomplete: 'off' });
    if (mode) input.inputMode = mode;
    const wrap = el('div', { className: 'seal-fields' }, el('label', { htmlFor: id }, zh, english(en)), input);
    return wrap;
  }

  function button(zh: string, en: string, type: 'submit' | 'button' = 'submit') {
    return el('button', { type }, zh, english(en));
  }

  async function run(action: () => Promise<void>) {
    if (busy) return;
    busy = true;
    alert.replaceChildren();
    box.setAttribute('aria-busy', 'true');
    for (const control of box.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input')) control.disabled = true;
    try {
      await action();
    } catch (caught) {
      fail(caught);
    } finally {
      busy = false;
      box.setAttribute('aria-busy', 'false');
      for (const control of box.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input')) control.disabled = false;
    }
  }

  /** What the level takes, as one form; Enter submits it. */
  function startForm(level: string, signerName: string) {
    const company = level.startsWith('company-');
    const parts = company
      ? [...FIELDS.company, ...(['company-four-factor', 'company-authorisation'].includes(level) ? FIELDS.legalId : []), ...(level === 'company-transfer' ? FIELDS.account : []), ...(level === 'company-authorisation' ? FIELDS.authorisation : [])]
      : [...FIELDS.person, ...(level === 'telecom' ? FIELDS.telecom : []), ...(level === 'bank' ? FIELDS.bank : [])];
    const form = el('form', { noValidate: true });
    form.append(...parts.map((part) => field(part, part[0] === 'name' ? signerName : '')), button('提交核验', 'Verify'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const v = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value.trim() ?? '';
      void run(async () => {
        const headers = { 'idempotency-key': key() };
        if (level === 'two-factor') return oneShot(await call('POST', '/identity/person', { name: v('name'), idNumber: v('idNumber') }, headers));
        const companyFacts = { name: v('name'), creditCode: v('creditCode').toUpperCase(), legalRepresentative: v('legalRepresentative'), ...(v('legalRepresentativeIdNumber') ? { legalRepresentativeIdNumber: v('legalRepresentativeIdNumber') } : {}) };
        if (level === 'company-three-factor' || level === 'company-four-factor') return oneShot(await call('POST', '/identity/company', companyFacts, headers));
        const input = company
          ? { company: companyFacts, ...(level === 'company-transfer' ? { account: { number: v('accountNumber').replace(/\s/g, ''), bank: v('accountBank') } } : {}), ...(level === 'company-authorisation' ? { legalRepresentativeMobile: v('legalRepresentativeMobile') } : {}) }
          : { person: { name: v('name'), idNumber: v('idNumber'), ...(v('mobile') ? { mobile: v('mobile') } : {}), ...(v('bankCard') ? { bankCard: v('bankCard').replace(/\s/g, '') } : {}) } };
        showFlow(await call<FlowView>('POST', '/identity/flows', input, headers));
      });
    });
    body.replaceChildren(form);
    (form.querySelector('input') as HTMLInputElement | null)?.focus();
  }

  function oneShot(answer: { outcome: string; bound?: boolean }) {
    if (answer.outcome === 'match' && answer.bound) return passed();
    const [zh, en] = OUTCOMES[answer.outcome] ?? ['核验未通过。', 'Not verified.'];
    alert.replaceChildren(zh, english(en));
  }

  function passed() {
    sessionStorage.removeItem(FLOW_KEY(token));
    flow = null;
    body.replaceChildren(el('p', { id: 'identity-done' }, '✓ 实名认证已完成', english('Verified')));
    options.onVerified();
  }

  /** The flow's next step, or how it ended. */
  function showFlow(next: FlowView) {
    flow = next;
    if (next.status === 'passed') return passed();
    if (next.status !== 'pending') {
      sessionStorage.removeItem(FLOW_KEY(token));
      const [zh, en] = OUTCOMES[next.outcome ?? ''] ?? ['核验未通过。', 'Not verified.'];
      alert.replaceChildren(zh, english(en), ' ', '可重新开始。', english('You may start again.'));
      return startForm(next.level, signerName);
    }
    sessionStorage.setItem(FLOW_KEY(token), next.id);
    if (next.outcome === 'wrong_input') alert.replaceChildren(`输入不正确，还可尝试 ${next.triesLeft} 次。`, english(`Not right; ${next.triesLeft} tries left.`));
    const form = el('form', { noValidate: true });
    if (next.step === 'sms_code' || next.step === 'transfer_amount') {
      const sms = next.step === 'sms_code';
      const input = document.createElement('input');
      Object.assign(input, { id: 'identity-answer', name: 'answer', required: true, autocomplete: sms ? 'one-time-code' : 'off', inputMode: sms ? 'numeric' : 'decimal' });
      form.append(
        el('div', { className: 'seal-fields' },
          el('label', { htmlFor: 'identity-answer' }, sms ? '短信验证码' : '到账金额（元）', english(sms ? 'Code from the SMS' : 'Amount that arrived (yuan)')),
          input,
          el('p', { className: 'hint' }, `剩余尝试次数 ${next.triesLeft}`, english(`${next.triesLeft} tries left`)),
        ),
        button('提交', 'Submit'),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const value = input.value.trim();
        void run(async () => {
          const headers = { 'idempotency-key': key() };
          if (sms) return showFlow(await call<FlowView>('POST', `/identity/flows/${next.id}/sms-code`, { code: value }, headers));
          showFlow(await call<FlowView>('POST', `/identity/flows/${next.id}/transfer-amount`, { amountFen: Math.round(Number(value) * 100) }, headers));
        });
      });
      body.replaceChildren(form);
      input.focus();
      return;
    }
    // Outside steps: the provider's page (face, authorisation) or a payment; then ask whether it is done.
    if (next.redirectUrl) {
      form.append(el('p', {}, el('a', { href: next.redirectUrl, id: 'identity-redirect' }, next.step === 'face' ? '前往人脸核验' : '前往授权页面', english(next.step === 'face' ? 'Go to the face check' : 'Go to the authorisation page'))));
    }
    if (next.payTo) {
      const p = next.payTo;
      form.append(el('p', { className: 'hint' }, `请从企业对公账户向 ${p.accountName}（${p.bank}，账号 ${p.accountNumber}）支付 ${(p.amountFen / 100).toFixed(2)} 元。`, english(`Pay ¥${(p.amountFen / 100).toFixed(2)} from the company account.`)));
    }
    form.append(button('我已完成，查看结果', 'I have finished: check'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void run(async () => showFlow(await call<FlowView>('POST', `/identity/flows/${next.id}/poll`, {})));
    });
    body.replaceChildren(form);
    (form.querySelector('a, button') as HTMLElement | null)?.focus();
  }

  return {
    render(state, signer, open) {
      signerName = signer.name;
      box.hidden = !state || !open;
      if (!state || !open) return;
      const [zh, en] = LEVELS[state.level] ?? [state.level, state.level];
      intro.replaceChildren(`签署前需完成：${zh}`, english(`Before signing: ${en}`));
      if (state.verified) {
        if (shown !== 'verified') body.replaceChildren(el('p', { id: 'identity-done' }, `✓ 已实名认证：${state.record?.name ?? ''}`, english('Verified')));
        shown = 'verified';
        return;
      }
      if (shown) return; // a walk in progress stays as it is
      shown = 'walk';
      // Back from the provider's page (face, authorisation): ask how it went.
      const pending = sessionStorage.getItem(FLOW_KEY(token));
      if (pending) {
        void run(async () => showFlow(await call<FlowView>('POST', `/identity/flows/${pending}/poll`, {}))).then(() => {
          if (!flow && !body.childElementCount) startForm(state.level, signer.name);
        });
        return;
      }
      startForm(state.level, signer.name);
    },
  };
}
