// The CA's public revocation status and the administrator's revocation of a signer
// certificate. CRLs are public (every validator fetches them, from the URL in each issued
// certificate) and rate-limited per client like /tsa; revoking is the hub admin's
// (hub.manage), e.g. when a signer's key is known or suspected to be compromised.
import { Type } from '@sinclair/typebox';
import { REVOCATION_REASONS, type SigningPlatform } from '../../signing';
import type { Store } from '../../store';
import { AppError, notFound } from '../errors';
import { defineRoute } from '../route';

export const RevokeBody = Type.Object(
  {
    contractId: Type.String({ minLength: 1, maxLength: 200 }),
    signerId: Type.String({ minLength: 1, maxLength: 100 }),
    reason: Type.Union(
      Object.keys(REVOCATION_REASONS).map((reason) => Type.Literal(reason)),
      { description: 'RFC 5280 reason code; keyCompromise for a key known or suspected to be in other hands' },
    ),
    revokedAt: Type.Optional(Type.String({ format: 'date-time', description: 'since when the certificate is not to be trusted (for a compromise: when it began, if earlier than now); default now' })),
  },
  { additionalProperties: false },
);

const RevocationSchema = Type.Object({
  serial: Type.String(),
  issuer: Type.String(),
  reason: Type.String(),
  revokedAt: Type.String(),
  recordedAt: Type.String(),
  subject: Type.String(),
});

export function pkiRoutes(signing: SigningPlatform, store: Store) {
  const crl = (which: 'issuing' | 'root') => async () => ({ body: Buffer.from((await signing.ca.crls())[which]), contentType: 'application/pkix-crl' });
  return [
    defineRoute({
      method: 'get', path: '/pki/ca.crl', tag: 'signatures', access: 'public',
      summary: 'CRL of the Sealflow issuing CA: revoked signer and TSA certificates (DER; the URL named in each certificate)',
      responses: { 200: { description: 'CRL (DER)', contentType: 'application/pkix-crl' }, 429: { description: 'too many requests from this client; see Retry-After' } },
      handler: crl('issuing'),
    }),
    defineRoute({
      method: 'get', path: '/pki/root.crl', tag: 'signatures', access: 'public',
      summary: 'CRL of the Sealflow root CA (covers the issuing CA certificate)',
      responses: { 200: { description: 'CRL (DER)', contentType: 'application/pkix-crl' }, 429: { description: 'too many requests from this client; see Retry-After' } },
      handler: crl('root'),
    }),
    defineRoute({
      method: 'get', path: '/api/pki/revocations', tag: 'signatures', access: 'hub.manage',
      summary: 'Every certificate the CA revoked',
      responses: { 200: { description: 'revocations', schema: Type.Object({ items: Type.Array(RevocationSchema) }) } },
      handler: async () => ({ body: { items: await signing.ca.revocations() } }),
    }),
    defineRoute({
      method: 'post', path: '/api/pki/revocations', tag: 'signatures', access: 'hub.manage', body: RevokeBody,
      summary: "Revoke a signer's certificate (e.g. key compromise): the next CRL lists it, and archives renewed after it carry that CRL",
      responses: { 201: { description: 'revoked', schema: RevocationSchema }, 400: { description: 'invalid (path says where)' }, 404: { description: 'no such contract or signer certificate' } },
      handler: async ({ body }) => {
        const contract = await store.contracts.get(body.contractId);
        const keyId = `signer:${body.contractId}:${body.signerId}`;
        if (!contract || !(await signing.vault.hasKey(keyId))) throw notFound(`A certificate of signer "${body.signerId}" on contract "${body.contractId}"`);
        const [certificate] = await signing.vault.certificateChain(keyId);
        if (!certificate) throw notFound(`A certificate of signer "${body.signerId}" on contract "${body.contractId}"`);
        const revokedAt = body.revokedAt === undefined ? undefined : new Date(body.revokedAt);
        if (revokedAt && Number.isNaN(revokedAt.getTime())) throw new AppError('invalid_body', 'revokedAt is not a time', { details: [{ path: '/revokedAt', message: 'must be a date-time' }] });
        return { status: 201, body: await signing.ca.revoke({ certificate, reason: body.reason as keyof typeof REVOCATION_REASONS, revokedAt }) };
      },
    }),
  ];
}
