// The platform signs the evidence report: a PAdES B-T signature (signPdf always adds the
// signature timestamp) whose visible stamp sits in the area the report left blank at the
// top of page 1, so the report verifies with verifyPdf, pdfsig and pyHanko like a contract.
import { FontLibrary } from '../../templates';
import { personSignatureAppearance } from '../appearance/person-signature';
import { signPdf } from '../sign-pdf';
import type { Signer } from '../signer';
import type { TimestampClient } from '../timestamp-client';
import { EVIDENCE_SEAL_AREA } from './evidence-report';

export interface SealEvidenceReportOptions {
  /** The report from renderEvidenceReport(). */
  pdf: Uint8Array;
  /** The platform's signer (its certificate names Sealflow, not a party of the contract). */
  signer: Signer;
  timestamp: TimestampClient;
  /** Claimed time on the stamp and in /M; the trusted time is the timestamp's. */
  signingTime?: Date;
  /** false: an invisible signature, nothing drawn on the page. */
  visible?: boolean;
  /** The process's font library for the stamp (pass the worker's: a new one reads the fonts again). */
  fonts?: FontLibrary;
}

export const EVIDENCE_SIGNATURE_FIELD = 'SealflowEvidence';
const STAMP_NAME = 'Sealflow 平台';

export async function sealEvidenceReport(options: SealEvidenceReportOptions): Promise<Uint8Array> {
  const { page, ...rect } = EVIDENCE_SEAL_AREA;
  const visible = options.visible ?? true;
  const appearance = visible ? await personSignatureAppearance({ name: STAMP_NAME, fonts: options.fonts ?? new FontLibrary() }) : undefined;
  return signPdf({
    pdf: options.pdf,
    signer: options.signer,
    field: { name: EVIDENCE_SIGNATURE_FIELD, page, rect: visible ? rect : undefined, appearance },
    timestamp: options.timestamp,
    reason: '签约存证报告 Evidence report',
    signingTime: options.signingTime,
  });
}
