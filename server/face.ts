// Face verification (人脸核身) for signers whose flow says `verify: 'face'`. The signer's
// page runs a vendor's liveness SDK and sends what it produced (a token, a ticket); the
// hub asks the vendor, through this interface, whether that evidence shows the person
// named on the contract, and writes the vendor's reference into the evidence trail.
import { randomBytes } from 'node:crypto';

export interface FaceCheck {
  contractId: string;
  signerId: string;
  /** The signer's name as the contract gives it. */
  name: string;
  /** The signer's ID number on record (居民身份证号码). */
  idNumber: string;
  /** What the signer's page sent, e.g. a liveness token from a vendor SDK. */
  evidence: string;
}

export interface FaceResult {
  ok: boolean;
  /** The vendor's reference for this check, recorded in the signer's intent. */
  reference: string;
  /** Why not, when `ok` is false; shown to the signer. */
  reason?: string;
}

export interface FaceVerifier {
  /** Resolves with the verdict; rejects only when the vendor cannot be asked (the signer may try again). */
  verify(check: FaceCheck): Promise<FaceResult>;
}

/** The only evidence the development provider accepts. */
export const DEVELOPMENT_FACE_EVIDENCE = 'dev-face-ok';

/**
 * FOR DEVELOPMENT AND TESTS ONLY — THIS CHECKS NOBODY'S FACE. It accepts the literal
 * evidence "dev-face-ok" and refuses anything else, so that flows with `verify: 'face'`
 * can be tried end to end without a vendor. Its references start with "development-" so
 * that an evidence report shows the check was not real. The hub uses it only when told to
 * (SEALFLOW_FACE_PROVIDER=development), and says so at start-up; without a provider, flows
 * asking for face verification cannot be published.
 */
export function createDevelopmentFaceVerifier(): FaceVerifier {
  return {
    async verify({ evidence }) {
      const reference = `development-${randomBytes(8).toString('hex')}`;
      if (evidence === DEVELOPMENT_FACE_EVIDENCE) return { ok: true, reference };
      return { ok: false, reference, reason: `the development face provider accepts only "${DEVELOPMENT_FACE_EVIDENCE}"` };
    },
  };
}
