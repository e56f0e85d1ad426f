// What the dev outbox keeps of a message that really went out by email or SMS: the text,
// with every live secret in it masked. The person it was for has it; an admin reading the
// outbox (or anyone reading the database) must not be able to sign or download with it.

/** Link tokens in Sealflow URLs: a signing link (43 characters; 16 in an SMS), a signed copy's download link. */
const LINK_TOKEN = /(\/(?:sign|api\/copies)\/)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]{12,}/g;
/** A one-time code as our SMS words it (验证码 123456), also when the sender forgot to list it. */
const CODE = /(验证码(?:为|是)?[\s:：]*)\d{4,8}/g;

export const MASK = '******';

/** The text with link tokens cut to their first 4 characters, codes and the listed secrets masked. */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let masked = text;
  for (const secret of secrets) if (secret) masked = masked.split(secret).join(MASK);
  return masked.replace(LINK_TOKEN, `$1$2${MASK}`).replace(CODE, `$1${MASK}`);
}
