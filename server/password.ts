// Passwords are kept as argon2id hashes (PHC strings such as `$argon2id$v=19$m=19456,t=2,p=1$…`).
// @node-rs/argon2 (RustCrypto's argon2, maintained by the napi-rs team) ships prebuilt binaries for
// every platform we ship on (no compiler at install time) and it hashes on libuv's thread
// pool, so a sign-in never blocks the event loop.
import { hash, verify, type Algorithm } from '@node-rs/argon2';

/** OWASP's password storage cheat sheet: argon2id, 19 MiB, 2 passes, 1 lane. */
// The package declares its Algorithm enum `const`, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
export const PASSWORD_PARAMS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** NIST SP 800-63B: at least 8 characters; long passphrases welcome, but not megabytes to hash. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_PARAMS);
}

/** Whether a stored hash was made with other parameters than today's: rehash it at the next sign-in. */
export function needsRehash(stored: string): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  if (!match) return true;
  const [m, t, p] = match.slice(1).map(Number);
  return m !== PASSWORD_PARAMS.memoryCost || t !== PASSWORD_PARAMS.timeCost || p !== PASSWORD_PARAMS.parallelism;
}

// Verified against when the login is unknown or has no password, so that the answer takes
// as long as for a wrong password and does not tell which logins exist.
let decoy: Promise<string> | undefined;

/**
 * Checks a password against a stored hash (argon2's own comparison is constant-time). With
 * no hash, verifies against a decoy and answers false, taking about as long.
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    decoy ??= hashPassword('decoy password that matches no account');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    // A malformed stored hash matches nothing.
    return false;
  }
}
