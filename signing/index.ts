// Public surface of signing/: certificates and keys, PAdES signatures, timestamps, verification.
export { SigningError, type SigningErrorCode } from './errors';
export { createMemoryKeyRecordStore, type KeyRecord, type KeyRecordStore, type MemoryKeyRecordStore, type PrivateKeyRecord, type TenantKeyRecord, type WrappedKey } from './key-record-store';
export { createKeyVault, parseMasterKey, type KeyType, type KeyVault, type KeyVaultOptions } from './key-vault';
export { companySubject, personSubject, hashIdNumber, isValidCreditCode, creditCodeCheckCharacter, idNumberHashKey, verifiedSubject, verificationDescription, UNVERIFIED_DESCRIPTION, type CertificateSubject, type IdentityVerification, type VerifiedIdentity } from './subject';
export { createLocalCertificateAuthority, enrollSigner, type CertificateAuthority, type CertificateProfile, type CertificateRequest, type LocalCertificateAuthorityOptions } from './certificate-authority';
export { createLocalSigner, type Signer } from './signer';
export { createLocalTimestampAuthority, createTimestampHttpHandler, type TimestampAuthority, type TimestampHttpResponse, type TimestampRequest } from './timestamp-authority';
export { createHttpTimestampClient, createLocalTimestampClient, type HttpTimestampClientOptions, type TimestampClient } from './timestamp-client';
export { signPdf, addDocumentTimestamp, type SignPdfOptions, type SignatureFieldSpec, type DocumentTimestampOptions } from './sign-pdf';
export type { SignatureRect } from './pdf/signature-revision';
export type { SignatureAppearance, AppearanceBox } from './appearance/appearance';
export { companySealAppearance, type CompanySealOptions } from './appearance/company-seal';
export { personSignatureAppearance, type PersonSignatureOptions } from './appearance/person-signature';
export { verifyPdf, type SignatureReport, type VerificationReport, type VerifyPdfOptions } from './verify/verify-pdf';
export { verifyTimestampToken, type TimestampReport } from './verify/timestamp-verification';
export { createPdfVerifier, VerificationRefused, type PdfVerifier, type PdfVerifierOptions, type VerificationRefusal } from './verify/verification-pool';
export { DEFAULT_VERIFY_LIMITS, type VerifyLimits } from './verify/limits';
export type { RevisionChanges, ChangeKind } from './verify/revisions';
export { runVerifyCli } from './cli';
// Long-term validation (PAdES B-LT/B-LTA) and revocation.
export { addValidationData, archiveTimestampExpiry, extendLongTermValidation, validationDataFor, type ValidationData } from './long-term';
export { crlUrls } from './certificate-authority';
export { REVOCATION_REASONS, type Revocation, type RevocationReason } from './revocation';
export type { SigningPlatformOptions } from './platform';
// Evidence report (签约存证报告): event hash chain, report rendering, platform seal.
export { canonicalJson, chainEvents, chainGenesis, eventHash, verifyEventChain, type ChainedEvent, type ChainOptions, type ChainVerification, type EvidenceEvent, type VerifyChainOptions } from './evidence/index';
export { EVIDENCE_SEAL_AREA, renderEvidenceReport, type EvidenceContract, type EvidenceDocument, type EvidenceReportInput } from './evidence/index';
export { EVIDENCE_SIGNATURE_FIELD, sealEvidenceReport, type SealEvidenceReportOptions } from './evidence/index';
export { openSigningPlatform, keyRecordsIn, toPem, PLATFORM_SIGNER_KEY, type SigningPlatform } from './platform';
