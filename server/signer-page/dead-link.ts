// The page a signing link shows when it no longer opens: why, in words a signer reads
// (never an error code), in the page's own style and font, with no script to run.

interface Words {
  title: string;
  en: string;
  text: string;
}

/** By the API's code, and for `link_closed` by why the contract closed (the error's `/contract/status` detail). */
export const DEAD_LINK_WORDS: Record<string, Words> = {
  completed: { title: '合同已签署完成', en: 'This contract has been signed by everyone', text: '各方均已签署此合同，签署链接已失效。已签署的合同已随完成通知发送给您，通知中有下载链接。' },
  cancelled: { title: '合同已撤销', en: 'The sender cancelled this contract', text: '发起方已撤销此合同，无需再签署，签署链接已失效。如有疑问，请联系合同发起方。' },
  declined: { title: '合同已被拒签', en: 'This contract was declined', text: '一位签署方拒绝签署此合同，签署已终止，签署链接已失效。如有疑问，请联系合同发起方。' },
  expired: { title: '合同已过签署截止时间', en: 'The signing deadline has passed', text: '此合同在截止时间前未完成签署，已自动关闭，签署链接已失效。如仍需签署，请联系合同发起方重新发起。' },
  link_closed: { title: '合同已结束签署', en: 'No longer open for signing', text: '此合同已不再开放签署，签署链接已失效。如有疑问，请联系合同发起方。' },
  link_expired: { title: '签署链接已过期', en: 'This signing link has expired', text: '签署链接已超过有效期。请联系合同发起方重新发送（催办）。' },
  link_not_found: { title: '签署链接无效', en: 'This signing link does not exist', text: '请核对链接是否完整，或联系合同发起方。' },
  link_locked: { title: '签署链接已锁定', en: 'This signing link is locked', text: '验证码错误次数过多，签署链接已锁定。请联系合同发起方重新发送邀请（催办）。' },
  other: { title: '签署链接不可用', en: 'This signing link cannot be used', text: '请联系合同发起方。' },
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function deadLinkWords(error: { code?: string; details?: { path: string; message: string }[] }): Words {
  const reason = error.code === 'link_closed' ? error.details?.find((d) => d.path === '/contract/status')?.message : undefined;
  return (reason && DEAD_LINK_WORDS[reason]) || (error.code && DEAD_LINK_WORDS[error.code]) || DEAD_LINK_WORDS.other!;
}

/** The whole page; `style` is the signer page's stylesheet (the CSP allows it by hash). */
export function deadLinkPage(error: { code?: string; details?: { path: string; message: string }[] }, style: string): string {
  const words = deadLinkWords(error);
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex,nofollow"><title>${escapeHtml(words.title)} · Sealflow</title><style>${style}</style></head>
<body><header class="topbar"><span class="brand">Sealflow</span><span class="en">合同签署 · Contract signing</span></header>
<main class="layout"><div class="outcome ${words === DEAD_LINK_WORDS.completed ? 'ok' : 'bad'}" id="outcome"><h1 class="big">${escapeHtml(words.title)} <span class="en">${escapeHtml(words.en)}</span></h1><p>${escapeHtml(words.text)}</p></div></main></body></html>`;
}
