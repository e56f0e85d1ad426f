// What every rule of a signing session works with: one options object, wired once.
import type { Notifier } from '../../notify';
import type { Store } from '../../store';
import type { ContractService } from '../contracts';
import type { SignerIdentity } from '../../identity';

/** The time now; tests pass a fake one. */
export type Clock = () => Date;

export interface SigningSessionOptions {
  store: Store;
  contracts: ContractService;
  /** Sends signers their one-time codes. */
  notifier: Notifier;
  /** Keys the hash of one-time codes (the master key). */
  secret: Uint8Array;
  /** Real-name verification on the link: signers whose flow asks a level sign only once a bound record proves it (default: read from the store). */
  identity?: Pick<SignerIdentity, 'recordFor'>;
  clock?: Clock;
  /** SEALFLOW_COMPANY_NAME: the sender the page names, as the notices do; null: each contract's own. */
  companyName?: string | null;
}

export type SessionContext = Required<SigningSessionOptions>;
