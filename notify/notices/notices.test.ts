import { describe, expect, it } from 'vitest';
import { renderNotice, smsLength, SMS_SEGMENT, type Notice, type NoticeKind } from './index';

const KINDS: NoticeKind[] = ['invitation', 'reminder', 'nudge', 'completed', 'declined', 'cancelled', 'expired', 'expiry_reminder'];
const LOCALES = ['zh', 'en'] as const;
const TITLE = '技术服务协议 · PO 4500000001';
// 2026-12-05 18:00 in Beijing
const DEADLINE = '2026-12-05T10:00:00.000Z';
const DEADLINE_TEXT = { zh: '2026年12月5日 18:00', en: '5 December 2026, 18:00' };
const DEADLINE_SHORT = { zh: '12月5日', en: '5 Dec' };

function notice(kind: NoticeKind, locale: 'zh' | 'en', overrides: Partial<Notice> = {}): Notice {
  const signerNotice = kind === 'invitation' || kind === 'reminder' || kind === 'nudge';
  return {
    kind,
    locale,
    recipient: '深圳市华强电子有限公司',
    sender: '上海启明智能制造有限公司',
    title: TITLE,
    deadline: DEADLINE,
    link: signerNotice
      ? { url: 'https://sign.example.com/sign/6fVv0YQ2m9x1Zr8y3tKpLq7wN4sB5cD2eF0gH1iJ2kA', smsUrl: 'https://sign.example.com/sign/6fVv0YQ2m9x1Zr8y', expiresAt: DEADLINE }
      : kind === 'completed'
        ? { url: 'https://sign.example.com/api/copies/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg', expiresAt: '2027-01-04T10:00:00.000Z' }
        : null,
    documents: [
      { title: '采购合同', pages: 3 },
      { title: '保密协议', pages: 2 },
    ],
    parties: [
      { name: '上海启明智能制造有限公司', signed: true },
      { name: '深圳市华强电子有限公司', signed: false, declined: kind === 'declined' },
    ],
    at: '2026-12-03T02:30:00.000Z',
    by: kind === 'declined' ? '深圳市华强电子有限公司' : '王经理',
    reason: kind === 'declined' || kind === 'cancelled' ? '价格有误' : null,
    endsOn: '2027-12-31',
    ...overrides,
  };
}

describe('renderNotice', () => {
  for (const locale of LOCALES) {
    for (const kind of KINDS) {
      it(`${kind} (${locale}): subject and text name the contract and its deadline, never an id; HTML and text both; SMS in one segment with the sender in 【】`, () => {
        const rendered = renderNotice(notice(kind, locale));
        expect(rendered.subject).toContain(TITLE);
        expect(rendered.text).toContain(TITLE);
        expect(rendered.text).toContain(DEADLINE_TEXT[locale]);
        if (kind === 'invitation' || kind === 'reminder' || kind === 'nudge') expect(rendered.subject).toContain(DEADLINE_SHORT[locale]);
        for (const part of [rendered.subject, rendered.text, rendered.html, rendered.sms]) expect(part).not.toMatch(/ct_[0-9a-f]/);
        expect(rendered.html).toMatch(/^<!doctype html>/);
        expect(rendered.html).toContain('技术服务协议 · PO 4500000001');
        expect(rendered.text.length).toBeGreaterThan(50);
        expect(smsLength(rendered.sms)).toBeLessThanOrEqual(SMS_SEGMENT);
        expect(rendered.sms).toMatch(/^【[^】]+】/);
      });
    }
  }

  it('an invitation has one button to the link, the documents with their page counts, who signed already, and what to do if it is not yours', () => {
    const { html, text, sms } = renderNotice(notice('invitation', 'zh'));
    expect(html.match(/<a /g)).toHaveLength(1);
    expect(html).toContain('href="https://sign.example.com/sign/6fVv0YQ2m9x1Zr8y3tKpLq7wN4sB5cD2eF0gH1iJ2kA"');
    expect(text).toContain('https://sign.example.com/sign/6fVv0YQ2m9x1Zr8y3tKpLq7wN4sB5cD2eF0gH1iJ2kA');
    expect(text).toContain('采购合同 · 3 页');
    expect(text).toContain('保密协议 · 2 页');
    expect(text).toContain('上海启明智能制造有限公司 · 已签署');
    expect(text).toContain('如果您不是深圳市华强电子有限公司');
    expect(sms).toContain('https://sign.example.com/sign/6fVv0YQ2m9x1Zr8y');
    expect(sms).not.toContain('3tKpLq7w');
  });

  it('without a deadline the invitation says until when its link works', () => {
    const { subject, text } = renderNotice(notice('invitation', 'zh', { deadline: null, link: { url: 'https://s.example/sign/x', expiresAt: '2027-01-04T10:00:00.000Z' } }));
    expect(subject).toBe(`请于1月4日前签署：${TITLE}`);
    expect(text).toContain('签署链接 2027年1月4日 18:00（北京时间） 前有效');
    expect(text).toContain('链接有效期至：2027年1月4日 18:00（北京时间）');
  });

  it('shortens a long title and sender to keep the SMS in one segment, and keeps the whole link', () => {
    const url = 'https://sign.example.com/sign/6fVv0YQ2m9x1Zr8y';
    const { sms } = renderNotice(notice('invitation', 'zh', { title: '某某集团华东区域二〇二六年度办公设备及耗材集中采购框架协议 · 4500000001', sender: '某某集团华东区域采购共享服务中心有限公司', link: { url, smsUrl: url, expiresAt: DEADLINE } }));
    expect(smsLength(sms)).toBeLessThanOrEqual(SMS_SEGMENT);
    expect(sms.endsWith(url)).toBe(true);
    expect(sms).toMatch(/^【某某集…】请于12月5日前签署《某某集团…》：/);
  });

  it('escapes what the contract data puts into the HTML part and keeps subject lines on one line', () => {
    const { html, subject } = renderNotice(notice('invitation', 'en', { title: 'PO <b>1</b>\r\nBcc: x@evil', recipient: '<script>alert(1)</script>' }));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>1</b>');
    expect(html).toContain('&lt;b&gt;1&lt;/b&gt;');
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it('writes English for an English signer', () => {
    const { subject, text } = renderNotice(notice('invitation', 'en'));
    expect(subject).toBe(`Please sign by 5 Dec: ${TITLE}`);
    expect(text).toContain('Dear 深圳市华强电子有限公司,');
    expect(text).toContain('“采购合同” (3 pages)');
  });

  it('writes each signer\'s deadline in their own time zone, also after notices in many other zones', () => {
    // dateParts keeps a bounded set of formatters per time zone: one zone's formatter must never
    // answer for another, and a zone dropped from the set is built again right.
    const zones = Intl.supportedValuesOf('timeZone').slice(0, 80);
    for (const timeZone of zones) renderNotice(notice('invitation', 'en', { timeZone }));
    expect(renderNotice(notice('invitation', 'en', { timeZone: 'Europe/London' })).text).toContain('5 December 2026, 10:00');
    expect(renderNotice(notice('invitation', 'zh', { timeZone: 'Asia/Shanghai' })).text).toContain(DEADLINE_TEXT.zh);
    expect(renderNotice(notice('invitation', 'en', { timeZone: 'America/New_York' })).text).toContain('5 December 2026, 05:00');
  });
});
