// The fixed wording of the evidence report, Chinese first with an English subtitle: the
// text source of evidence-report.hbs (the page footer is written in the template itself,
// since only the template may hold the {page} and {pages} placeholders).

export const TEXT = {
  title: '签约存证报告',
  subtitle: 'Evidence Report · Sealflow',
  intro:
    '本报告列明合同、每个文档版本的 SHA-256 值及全部签约事件。事件按顺序以哈希链相连，本报告由 Sealflow 平台签名并加盖可信时间戳。',
  introEn:
    'This report lists the contract, the SHA-256 of every document version and every event. The events form a hash chain; the report is signed and timestamped by the Sealflow platform.',
  sections: {
    contract: ['合同信息', 'Contract'],
    documents: ['文档版本', 'Documents'],
    events: ['签约事件', 'Events (hash chain)'],
    chain: ['哈希链', 'Hash chain'],
    verify: ['验证方法', 'How to verify'],
  },
  contract: {
    id: ['合同编号', 'Contract ID'],
    title: ['合同标题', 'Title'],
    flow: ['流程', 'Flow'],
    status: ['状态', 'Status'],
    createdAt: ['创建时间', 'Created'],
    completedAt: ['完成时间', 'Completed'],
    parties: ['签约方', 'Parties'],
    generatedAt: ['报告生成时间', 'Report generated'],
  },
  documentColumns: {
    seq: ['序号', 'No.'],
    document: ['文档', 'Document'],
    version: ['版本', 'Version'],
    pages: ['页数', 'Pages'],
    sha256: ['SHA-256', 'of the file'],
  },
  eventColumns: {
    seq: ['序号', 'Seq'],
    time: ['时间', 'Time (UTC+8)'],
    actor: ['操作人', 'Actor'],
    action: ['操作', 'Action'],
    source: ['来源', 'IP / User agent'],
    intent: ['意愿验证', 'Intent'],
    hash: ['事件哈希', 'Event hash'],
  },
  eventsNote: '时间为北京时间（Asia/Shanghai，UTC+8）；事件哈希仅显示前 16 位，完整数据见附件 evidence.json。',
  eventsNoteEn: 'Times are China Standard Time (Asia/Shanghai, UTC+8). Event hashes are shortened to 16 hex digits; the full events are in the attached evidence.json.',
  noEvents: '（无事件 no events）',
  noDocuments: '（无文档 no documents）',
  ip: 'IP ',
  document: '文档 ',
  detail: '详情 ',
  brokenRow: '链接断裂 broken',
  chain: {
    genesis: ['起点', 'Genesis = SHA-256(contract ID)'],
    count: ['事件数', 'Events'],
    head: ['链头哈希', 'Chain head'],
    check: ['链校验', 'Chain check'],
    intact: '完整：每条事件均与前一条事件及起点相连。',
    intactEn: 'Intact: every event links to the event before it and to the genesis.',
    broken: (seq: number) => `断裂：第 ${seq} 条事件起哈希链不再成立，数据库中的事件记录已被改动。`,
    brokenEn: (seq: number, reason: string) => `BROKEN at event ${seq}: ${reason}`,
  },
  banner: (seq: number) => `警告：哈希链在第 ${seq} 条事件处断裂，事件记录已被改动。`,
  bannerEn: (seq: number) => `Warning: the hash chain is broken at event ${seq}; the event records were altered.`,
  verify: [
    '1. 重算哈希链：附件 evidence.json 含全部事件。令 prevHash 初值为合同编号（UTF-8）的 SHA-256；按序号依次计算 hash = SHA-256(prevHash + 换行符 + 事件的规范化 JSON)，规范化 JSON 按 RFC 8785 排序键名、不含空白，只含 seq、at、actor、actorName、action、ip、userAgent、intent、documentSha256、detail 中非空的字段。每条事件的 hash 须与记录相符，最后一个 hash 须等于上方链头哈希。',
    '1. Recompute the chain: evidence.json (attached) holds every event. Start with prevHash = SHA-256 of the contract ID (UTF-8); for each event in seq order, hash = SHA-256(prevHash + "\\n" + canonical JSON of the event), where the canonical JSON (RFC 8785: sorted keys, no whitespace) holds the non-empty fields among seq, at, actor, actorName, action, ip, userAgent, intent, documentSha256, detail. Each hash must match, and the last must equal the chain head above.',
    '2. 校验文档：对每个文档版本的 PDF 文件计算 SHA-256，须与上表一致。',
    '2. Check the documents: the SHA-256 of each document version\'s file must equal the value listed above.',
    '3. 校验本报告：本报告带有 Sealflow 平台的 PAdES 签名及 RFC 3161 时间戳，签名须有效并覆盖整个文件（可用 PDF 阅读器、pdfsig 或 pyHanko 验证）。',
    '3. Check this report: it carries the Sealflow platform\'s PAdES signature with an RFC 3161 timestamp; the signature must be valid and cover the whole file (any PDF reader, pdfsig or pyHanko).',
  ],
  runningHeader: '签约存证报告 Evidence Report · 合同 ',
  attachmentDescription: '签约事件及哈希链 Evidence events and hash chain',
} as const;

/** Chinese names of the actions Sealflow records; unknown actions are shown by their key alone. */
export const ACTION_LABELS: Record<string, string> = {
  'contract.started': '发起合同',
  'contract.completed': '合同完成',
  'contract.cancelled': '合同撤销',
  'approval.requested': '提交审批',
  'approval.approved': '审批通过',
  'approval.rejected': '审批驳回',
  'document.generated': '生成文档',
  'document.viewed': '查看文档',
  'signer.invited': '邀请签署',
  'signer.viewed': '签署人查看',
  'signer.otp_sent': '发送验证码',
  'signer.otp_verified': '验证码校验通过',
  'signer.signed': '签署',
  'signer.declined': '拒绝签署',
};

export const INTENT_LABELS: Record<string, string> = {
  'sms-otp': '短信验证码',
  'email-otp': '邮件验证码',
  'must-read': '强制阅读',
  'bearer-token': '访问令牌',
};

export const STATUS_LABELS: Record<string, string> = {
  draft: '草稿',
  running: '进行中',
  signing: '签署中',
  completed: '已完成',
  declined: '已拒签',
  cancelled: '已撤销',
  rejected: '已驳回',
};
