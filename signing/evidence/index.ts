// Public surface of signing/evidence: the event hash chain, the evidence report and its seal.
export { canonicalJson } from './canonical-json';
export { chainEvents, chainGenesis, eventHash, verifyEventChain, type ChainedEvent, type ChainOptions, type ChainVerification, type EvidenceEvent, type VerifyChainOptions } from './event-chain';
export { EVIDENCE_SEAL_AREA, renderEvidenceReport, type EvidenceContract, type EvidenceDocument, type EvidenceReportInput } from './evidence-report';
export { EVIDENCE_SIGNATURE_FIELD, sealEvidenceReport, type SealEvidenceReportOptions } from './seal-evidence-report';
