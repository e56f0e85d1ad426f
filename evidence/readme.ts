// README.txt of an evidence package (证据包说明), Chinese then English: what each part is and
// the exact command that checks it with tools anyone can install (pyHanko, openssl, Python).

export interface ReadmeFacts {
  contractId: string;
  title: string;
  generatedAt: string;
  signed: string[];
  originals: string[];
  hasReport: boolean;
  /** timestamps/<name>.tsr, each with how its digest is derived. */
  timestamps: { file: string; kind: 'signature' | 'document-timestamp' }[];
  anchors: { seq: number; tsa: string }[];
  /** Events recorded after the last anchor holding this contract. */
  notYetAnchored: number;
  /** The anchors were stamped by the hub's own TSA. */
  ownTsa: boolean;
}

/**
 * pyHanko's AdES validation takes revocation data only from the file (the archive's DSS,
 * PAdES B-LTA), so it works offline and years later; `sign validate` would fetch the CRLs
 * the certificates point at, and fail when the hub is gone.
 */
const pyhankoCheck = (file: string) => `pyhanko sign adesverify --trust certificates/root.pem --trust-replace ${file}`;

export function evidenceReadme(f: ReadmeFacts): string {
  const pdfs = f.signed.map((name) => `  ${pyhankoCheck(`signed/${name}`)}`).join('\n');
  const tokens = f.timestamps
    .map((t) => `  openssl ts -verify -token_in -in timestamps/${t.file}.tsr -digest $(cat timestamps/${t.file}.digest) -CAfile certificates/root.pem -untrusted certificates/chain.pem`)
    .join('\n');
  const anchors = f.anchors
    .map((a) => `  openssl ts -verify -token_in -in anchors/anchor-${a.seq}.tsr -data anchors/anchor-${a.seq}.root -CAfile certificates/root.pem -untrusted certificates/chain.pem`)
    .join('\n');
  const none = '  (无 / none)';
  return `Sealflow 证据包 / evidence package
合同 Contract: ${f.title} (${f.contractId})
生成时间 Generated: ${f.generatedAt}

================================ 中文 ================================
本包可以不依赖 Sealflow 独立核验。需要的工具：pyHanko（pip install pyHanko pyhanko-cli）、
openssl（1.1 或 3.x）、python3（只用标准库）。在本文件所在目录执行以下命令。

内容
  originals/            审批通过后生成的原始文件（未签名）
  signed/               最终签署版本（含每位签署人的签名、时间戳和归档时间戳）
  evidence-report.pdf   签约存证报告（平台签名并加时间戳；附件 evidence.json 为当时的事件链）
  events.json           全部审计事件及其哈希链（每个事件的 hash、prevHash，链头 head）
  certificates/         root.pem（Sealflow 根证书，信任锚）、chain.pem（全部中间证书、签署人证书、TSA 证书）、每张证书一个 .pem
  timestamps/           从签名中提取的 RFC 3161 时间戳令牌（.tsr）及其应盖的摘要（.digest）；签名时间戳另附被盖的签名值（.sig）
  identity/             每位签署人的实名认证记录（方式、服务商、流水号、时间、证据摘要）；未认证者写明"not verified"
  anchors/              本合同事件所在的锚定（Merkle 根 + RFC 3161 时间戳）的包含证明
  verify_events.py      只用 sha256 重算事件链和 Merkle 证明的脚本

1. 签署文件：pyHanko 以 root.pem 为唯一信任锚验证每个签名及其时间戳，吊销信息只取自文件内的长期验证数据（DSS），无需联网（应显示 The signature is judged VALID）
${pdfs || none}
  存证报告同样可验：
  ${pyhankoCheck('evidence-report.pdf')}
2. 时间戳令牌：openssl 验证令牌签名、TSA 证书链，以及令牌所盖的摘要（应输出 Verification: OK）
${tokens || none}
  签名时间戳的摘要是签名值的 SHA-256：openssl dgst -sha256 timestamps/<名>.sig 的结果应等于 <名>.digest；
  文档（归档）时间戳的摘要是 PDF 中该签名 /ByteRange 覆盖字节的 SHA-256，pyHanko 在第 1 步已核对。
3. 证书：openssl x509 -in certificates/<文件>.pem -noout -text -nameopt utf8 显示主体、颁发者、有效期和用途；
  openssl verify -CAfile certificates/root.pem -untrusted certificates/chain.pem certificates/<文件>.pem
4. 事件链和锚定证明：python3 verify_events.py （应输出 OK；改动 events.json 中任一事件则输出 NOT OK 并指出事件）
  与存证报告比对：qpdf --show-attachment=evidence.json evidence-report.pdf 中的 head 应出现在 events.json 的事件 hash 中。
5. 锚定时间戳：每个 anchors/anchor-<n>.tsr 盖的是 anchor-<n>.root（Merkle 根的 32 个字节）
${anchors || none}
${f.notYetAnchored ? `  本合同有 ${f.notYetAnchored} 个事件在最后一次锚定之后记录，尚未锚定。\n` : ''}${f.ownTsa ? '  注意：这些锚定由 Sealflow 自己的 TSA 盖章，只证明平台自己的时间说法；配置外部可信 TSA（SEALFLOW_ANCHOR_TSA_URL）的锚定才有第三方时间证明。\n' : ''}  root.pem 来自平台本身：请与平台公布的根证书指纹比对（openssl x509 -in certificates/root.pem -noout -fingerprint -sha256）。

=============================== English ===============================
Everything here can be checked without Sealflow. Tools: pyHanko (pip install pyHanko
pyhanko-cli), openssl (1.1 or 3.x), python3 (standard library only). Run the commands in
the folder of this file.

Contents
  originals/            the documents as generated after approval (unsigned)
  signed/               the final signed versions (every signer's signature, timestamps, archive timestamp)
  evidence-report.pdf   the evidence report, signed and timestamped by the platform (its attachment evidence.json is the chain as it stood then)
  events.json           every audit event with its hash chain (each event's hash and prevHash, the head)
  certificates/         root.pem (the Sealflow root, the trust anchor), chain.pem (every intermediate, signer and TSA certificate), one .pem per certificate
  timestamps/           the RFC 3161 tokens taken from the signatures (.tsr) and the digest each must stamp (.digest); a signature timestamp also has the signature value it stamps (.sig)
  identity/             each signer's real-name verification record (method, provider, reference, time, evidence digest), or "not verified"
  anchors/              inclusion proofs of this contract's events in anchored Merkle roots, with the roots' RFC 3161 tokens
  verify_events.py      recomputes the event chain and the Merkle proofs with sha256 alone

1. Signed PDFs: pyHanko, with root.pem as the only trust anchor, checks each signature and its timestamp, taking revocation data only from the validation data inside the file (DSS), offline ("The signature is judged VALID")
${pdfs || none}
  The evidence report checks the same way:
  ${pyhankoCheck('evidence-report.pdf')}
2. Timestamp tokens: openssl checks the token's signature, the TSA's chain and the digest it stamps ("Verification: OK")
${tokens || none}
  A signature timestamp's digest is the SHA-256 of the signature value: openssl dgst -sha256 timestamps/<name>.sig equals <name>.digest.
  A document (archive) timestamp's digest is the SHA-256 of the bytes its /ByteRange covers; pyHanko checked that in step 1.
3. Certificates: openssl x509 -in certificates/<file>.pem -noout -text -nameopt utf8 shows subject, issuer, validity and usage;
  openssl verify -CAfile certificates/root.pem -untrusted certificates/chain.pem certificates/<file>.pem
4. The event chain and the anchor proofs: python3 verify_events.py (prints OK; change any event in events.json and it prints NOT OK naming the event)
  Against the report: the head in qpdf --show-attachment=evidence.json evidence-report.pdf is one of the event hashes in events.json.
5. Anchor timestamps: each anchors/anchor-<n>.tsr stamps anchor-<n>.root (the 32 bytes of the Merkle root)
${anchors || none}
${f.notYetAnchored ? `  ${f.notYetAnchored} event(s) of this contract were recorded after its last anchor and are not anchored yet.\n` : ''}${f.ownTsa ? "  Note: these anchors were stamped by Sealflow's own TSA, which proves only the platform's own word on the time; anchors stamped by an outside trusted TSA (SEALFLOW_ANCHOR_TSA_URL) give third-party proof of time.\n" : ''}  root.pem comes from the platform itself: compare its fingerprint with the one the platform publishes (openssl x509 -in certificates/root.pem -noout -fingerprint -sha256).
`.replace(/\n/g, '\r\n');
}
