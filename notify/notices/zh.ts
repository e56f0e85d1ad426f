// Chinese notices: the default language of signers.
import type { Notice } from './types';
import { dateParts, isPlainDate, type Wording } from './wording';

const pad = (n: number) => String(n).padStart(2, '0');

function fullDate(iso: string, timeZone: string): string {
  if (isPlainDate(iso)) {
    const [year, month, day] = iso.split('-').map(Number);
    return `${year}年${month}月${day}日`;
  }
  const { year, month, day, hour, minute } = dateParts(iso, timeZone);
  const zone = timeZone === 'Asia/Shanghai' ? '（北京时间）' : `（${timeZone}）`;
  return `${year}年${month}月${day}日 ${pad(hour)}:${pad(minute)}${zone}`;
}

function shortDate(iso: string, timeZone: string): string {
  const { month, day } = isPlainDate(iso) ? { month: Number(iso.slice(5, 7)), day: Number(iso.slice(8, 10)) } : dateParts(iso, timeZone);
  return `${month}月${day}日`;
}

const quoted = (title: string) => `《${title}》`;
const documentsLine = (notice: Notice) => notice.documents.map((d) => `${quoted(d.title)}（${d.pages} 页）`).join('、');

export const zh: Wording = {
  htmlLang: 'zh-CN',
  greeting: (recipient) => `${recipient}，您好：`,
  labels: { contract: '合同', sender: '发起方', deadline: '签署截止', linkValid: '链接有效期至', documents: '文件', parties: '签署方' },
  pages: (count) => `${count} 页`,
  partyStatus: (party) => (party.declined ? '已拒签' : party.signed ? '已签署' : '待签署'),
  date: fullDate,
  shortDate,
  copyLink: '按钮无法打开时，请复制以下链接到浏览器：',
  notForYou: (notice) => `如果您不是${notice.recipient}，或并不认识${notice.sender}，请忽略并删除本邮件，不要转发其中的链接。`,
  footer: (notice) => `本邮件由 ${notice.sender} 通过 Sealflow 电子签约自动发送，请勿直接回复。`,
  kinds: {
    invitation: {
      subject: (n, d) => `请于${d.dueShort}前签署：${n.title}`,
      lead: (n, d) => [
        `${n.sender} 邀请您签署${quoted(n.title)}${n.documents.length > 1 ? `，共 ${n.documents.length} 份文件：${documentsLine(n)}` : n.documents.length === 1 ? `（${n.documents[0].pages} 页）` : ''}。`,
        n.deadline ? `请在 ${d.deadline} 前完成签署。` : `签署链接 ${d.linkExpires} 前有效。`,
      ],
      action: '查看并签署',
      actionNote: (n, d) => `此链接仅限${n.recipient}本人使用，${d.linkExpires} 前有效。`,
      sms: (p) => `【${p.sender}】请${p.date ? `于${p.date}前` : ''}签署${quoted(p.title)}：${p.url}`,
    },
    reminder: {
      subject: (n, d) => `签署提醒：${n.title}（${d.dueShort}截止）`,
      lead: (n, d) => [`${quoted(n.title)}仍在等待您签署。`, n.deadline ? `签署将于 ${d.deadline} 截止，请尽快完成。` : `签署链接 ${d.linkExpires} 前有效。`],
      action: '查看并签署',
      actionNote: (n, d) => `此链接仅限${n.recipient}本人使用，${d.linkExpires} 前有效。`,
      sms: (p) => `【${p.sender}】提醒：请${p.date ? `于${p.date}前` : ''}签署${quoted(p.title)}：${p.url}`,
    },
    nudge: {
      subject: (n, d) => `催办：请尽快签署 ${n.title}（${d.dueShort}截止）`,
      lead: (n, d) => [`${n.sender} 提醒您尽快签署${quoted(n.title)}。`, n.deadline ? `签署将于 ${d.deadline} 截止。` : `签署链接 ${d.linkExpires} 前有效。`],
      action: '立即签署',
      actionNote: (n, d) => `此链接仅限${n.recipient}本人使用，${d.linkExpires} 前有效。`,
      sms: (p) => `【${p.sender}】催办：请${p.date ? `于${p.date}前` : '尽快'}签署${quoted(p.title)}：${p.url}`,
    },
    completed: {
      subject: (n) => `已完成签署：${n.title}`,
      lead: (n, d) => [
        `${quoted(n.title)}已由各方签署完成${d.at ? `（${d.at}）` : ''}。`,
        '签署完成的文件见附件，可用 sealflow verify 或任意 PDF 阅读器独立验证签名。',
      ],
      action: '下载签署副本',
      actionNote: (_n, d) => `下载链接 ${d.linkExpires} 前有效。`,
      sms: (p) => `【${p.sender}】${quoted(p.title)}${p.date ? `已于${p.date}` : '已'}完成签署，副本见邮件。`,
    },
    declined: {
      subject: (n) => `已被拒签：${n.title}`,
      lead: (n) => [`${n.by ?? '一位签署方'}拒绝签署${quoted(n.title)}${n.reason ? `，理由：${n.reason}` : ''}。`, '合同签署已终止，您无需再做任何操作。'],
      sms: (p) => `【${p.sender}】${quoted(p.title)}已被拒签，签署已终止，无需操作。`,
    },
    expired: {
      subject: (n) => `已过签署截止时间：${n.title}`,
      lead: (n, d) => [`${quoted(n.title)}未能在 ${d.deadline ?? d.at ?? '截止时间'} 前由各方签署完毕，签署已关闭。`, `如仍需签署，请联系 ${n.sender} 重新发起。`],
      sms: (p) => `【${p.sender}】${quoted(p.title)}已过签署截止时间${p.date ? `（${p.date}）` : ''}，签署已关闭。`,
    },
    cancelled: {
      subject: (n) => `已取消：${n.title}`,
      lead: (n) => [`${n.sender} 已取消${quoted(n.title)}的签署${n.reason ? `，原因：${n.reason}` : ''}。`, '之前收到的签署链接已失效，您无需再做任何操作。'],
      sms: (p) => `【${p.sender}】${quoted(p.title)}已取消，签署链接已失效，无需操作。`,
    },
    expiry_reminder: {
      subject: (n, d) => `即将到期：${n.title}（${d.endsOnShort}）`,
      lead: (n, d) => [`${quoted(n.title)}将于 ${d.endsOn} 到期。`, `如需续签，请与 ${n.sender} 联系。`],
      sms: (p) => `【${p.sender}】${quoted(p.title)}即将到期${p.date ? `（${p.date}）` : ''}，如需续签请联系我们。`,
    },
  },
};
