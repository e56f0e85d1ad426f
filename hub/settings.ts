// The settings the server and the worker must agree on, derived once from the configuration.
// A server starts contracts on a task queue and under an id scope, and checks signing links
// with a secret; the worker runs those contracts and writes those links. Both read these
// values from here, so a part started alone cannot disagree with the other.
import { ConfigError, type SealflowConfig } from '../config';

export type HubRole = 'server' | 'worker' | 'all';

export interface HubSettings {
  /** Temporal frontend, host:port. */
  address: string;
  namespace: string;
  /** Where servers start contracts and connector syncs, and where workers poll for them. */
  taskQueue: string;
  /** See contractIdFor: set when several hubs share one Temporal namespace (tests); '' in production. */
  contractIdScope: string;
  /** SEALFLOW_MASTER_KEY: seals connector secrets, wraps signing keys, and is the secret of signing links. */
  masterKey: Buffer;
  /**
   * Base of signing links. null only where PORT is 0 and SEALFLOW_PUBLIC_URL is unset: the
   * server's address is known once it listens, and that address is the public URL.
   */
  publicUrl: string | null;
  /** The sender notices name and how long links live; the signer page names the same sender. */
  notices: SealflowConfig['notices'];
}

/**
 * Fails with the setting's name when a part cannot run: every role needs a Temporal address
 * (only `npm start` runs a dev server, and it puts that address into the config before this)
 * and the master key (a generated one would differ between processes, and every signing link
 * a worker writes would be refused by the servers).
 */
export function hubSettings(config: SealflowConfig, overrides: { contractIdScope?: string } = {}): HubSettings {
  const address = config.temporal.address;
  if (!address) throw new ConfigError('TEMPORAL_ADDRESS', 'must be set (host:port of the Temporal frontend): the server and worker parts never start a dev server; `npm start` does');
  if (!config.masterKey) throw new ConfigError('SEALFLOW_MASTER_KEY', 'must be set, the same in every server and worker: it seals secrets and signs the links workers send and servers check (e.g. `openssl rand -hex 32`)');
  // PORT=0 makes the default public URL http://localhost:0, which reaches nobody.
  const publicUrl = new URL(config.publicUrl).port === '0' ? null : config.publicUrl;
  return {
    address,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    contractIdScope: overrides.contractIdScope ?? '',
    masterKey: config.masterKey,
    publicUrl,
    notices: config.notices,
  };
}
