// 人脸核身 for signers whose flow says `verify: 'face'`: evidence present before any code is
// used, then the provider's verdict, whose reference goes into the signer's intent.
import type { SignerState } from '../../flows';
import { AppError } from '../errors';
import type { SessionContext } from './context';

/** What can be checked without asking the provider. */
export function mustHaveFaceEvidence(signer: SignerState, face: string | undefined) {
  if (!signer.idNumber) throw new AppError('no_id_number', 'Face verification needs your ID number on record; ask the sender to add it', { status: 409 });
  if (!face) throw new AppError('face_required', 'Verify your face first', { status: 400, details: [{ path: '/face', message: 'is required' }] });
}

/** Asks the provider; returns the intent part (`face <reference>`). */
export async function verifyFace({ faceVerifier }: SessionContext, { contractId, signer, face }: { contractId: string; signer: SignerState; face: string }): Promise<string> {
  let result;
  try {
    if (!faceVerifier) throw new Error('no face verification provider is configured on this hub');
    result = await faceVerifier.verify({ contractId, signerId: signer.id, name: signer.name, idNumber: signer.idNumber!, evidence: face });
  } catch (error) {
    throw new AppError('face_unavailable', `Face verification could not be done just now (${(error as Error).message}); try again`, { status: 503 });
  }
  if (!result.ok) throw new AppError('face_mismatch', `Face verification failed${result.reason ? `: ${result.reason}` : ''} (reference ${result.reference})`, { status: 403 });
  return `face ${result.reference}`;
}
