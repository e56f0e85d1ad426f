// The express app: the only door from outside.
import type { Server } from 'node:http';
import express, { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Store } from '../store';
import type { Notifier } from '../notify';
import { createPdfVerifier, type PdfVerifier, type SigningPlatform } from '../signing';
import { useExpressionPool } from '../flows/expression-pool';
import type { DocumentService } from '../workflows';
import { createAuthenticator, SIGN_IN_RATE_LIMIT } from './auth';
import { createAuditHook } from './audit';
import { createContractEvents } from './events';
import { ledgerExportRoutes } from './routes/ledger-export';
import { bulkRoutes } from './routes/bulk';
import { evidencePackageRoutes } from './routes/evidence-package';
import { attentionRoutes } from './routes/attention';
import { statsRoutes } from './routes/stats';
import { auditRoutes } from './routes/audit';
import { createContractService } from './contracts';
import { createContractStarter } from '../workflows';
import { createConnectorService } from './connectors';
import { createWebhookHandler, webhookRouteDoc, type WebhookRateLimit } from './hooks';
import { connectorRoutes } from './routes/connectors';
import { connectorSampleRoutes } from './routes/connector-sample';
import { templateSourceRoutes } from './routes/template-source';
import { AppError, errorHandler } from './errors';
import { openApiDocument } from './openapi';
import { defineRoute, registerRoutes, type RouteSpec } from './route';
import { contractRoutes } from './routes/contracts';
import { FlowSchemaRoute, flowRoutes } from './routes/flows';
import { templateRoutes } from './routes/templates';
import { signatureRoutes } from './routes/signatures';
import { pkiRoutes } from './routes/pki';
import { perClientRateLimit, refuseBodiesOver, type RateLimit } from './rate-limit';
import { signingRoutes } from './routes/signing';
import { sealRoutes } from './routes/seals';
import { tenantRoutes } from './routes/tenants';
import { createSigningSession } from './signing-session';
import { signerPageRouter } from './signer-page';
import { consoleFontRoute, designerRouter } from './designer';
import { userRoutes } from './routes/users';
import { sessionRoutes } from './routes/session';
import { keyRoutes } from './routes/keys';
import { HealthSchema } from './schemas';
import { createIdentityRouter, createIdentityService, createSignerIdentity, LOCAL_PROVIDER_ID, offeredLevels, type IdentityProvider, type RouterOptions } from '../identity';
import { idNumberHashKey } from '../signing';
import { identityCostRoutes, identityRoutes, localIdentityPages } from './routes/identity';
import { metricsRoutes } from './routes/metrics';
import { createMetrics, storeContractCounts, type HubLogger, type HubMetrics } from '../observability';

export interface AppOptions {
  store: Store;
  client: Client;
  documents: DocumentService;
  signing: SigningPlatform;
  /** Sends signers their one-time codes. */
  notifier: Notifier;
  taskQueue: string;
  namespace: string;
  /** See contractIdFor: set when several hubs share one Temporal namespace. */
  contractIdScope?: string;
  adminToken: string | null;
  version?: string;
  log?: (message: string) => void;
  /** SEALFLOW_MASTER_KEY (32 bytes): seals and opens connector secrets. Without it, connector instances cannot be configured. */
  masterKey: Uint8Array;
  /** Per connector instance, for POST /hooks/:connectorId. */
  webhookRateLimit?: WebhookRateLimit;
  /** Per client address, for the endpoints anyone may call without logging in. */
  publicRateLimits?: { verify?: RateLimit; tsa?: RateLimit };
  /** Verifies PDFs posted to /api/verify (default: a worker pool trusting our root, closed when the server closes). */
  verifier?: PdfVerifier;
  /** SEALFLOW_COMPANY_NAME: the sender the signer page names (as the notices do); default each contract's own. */
  companyName?: string | null;
  /**
   * Real-name verification providers in priority order (identity/ identityProvidersFor(config.identityProviders),
   * plus vendors' adapters). Default none: flows asking an identity level cannot be published.
   */
  identityProviders?: IdentityProvider[];
  /** The identity router's time limit and health settings (tests shorten them). */
  identityRouting?: Omit<RouterOptions, 'providers'>;
  /** Per signing link, for the identity routes (default DEFAULT_IDENTITY_RATE_LIMIT). */
  identityRateLimit?: RateLimit;
  /** The process's metrics, served at /metrics (default: this app's own registry, contract counts from the store). */
  metrics?: HubMetrics;
  /** Structured request lines (method, route, status, ms, contractId); none when absent. */
  logger?: HubLogger;
}

/** A PDF verification costs milliseconds of a worker; a timestamp one RSA signature. */
export const DEFAULT_PUBLIC_RATE_LIMITS: { verify: RateLimit; tsa: RateLimit } = { verify: { burst: 20, perSecond: 2 }, tsa: { burst: 50, perSecond: 10 } };
/** A TimeStampReq is a few hundred bytes. */
const TSA_MAX_BYTES = 64 * 1024;

const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

export function createApp(options: AppOptions) {
  const { store, client } = options;
  // One door for starting contracts, shared by the API and connector webhooks.
  const startContract = createContractStarter({ store, client, documents: options.documents, taskQueue: options.taskQueue, idScope: options.contractIdScope });
  const contracts = createContractService({ store, client, startContract });
  // Real-name verification: records keyed by the same ID-number HMAC the CA writes into certificates.
  const identityProviders = options.identityProviders ?? [];
  // Costs are counted in the database (every server adds to one count); health stays per process (identity/README.md).
  const identityRouter = createIdentityRouter({ costs: store.identityCosts, ...options.identityRouting, providers: identityProviders });
  const identityService = createIdentityService({ store: store.identities, router: identityRouter, idHashKey: idNumberHashKey(options.masterKey) });
  const signerIdentity = createSignerIdentity({ service: identityService, store: store.identities });
  const session = createSigningSession({ store, contracts, notifier: options.notifier, secret: options.masterKey, identity: signerIdentity, companyName: options.companyName });
  const connectors = createConnectorService({ store, client, taskQueue: options.taskQueue, masterKey: options.masterKey, startContract });
  const verifier = options.verifier ?? createPdfVerifier({ trustAnchors: [options.signing.ca.rootCertificate] });
  // Flow and mapping expressions are untrusted code: this process evaluates them in a pool of worker processes (flows/expression-pool.ts).
  useExpressionPool();

  const health = defineRoute({
    method: 'get', path: '/healthz', tag: 'system', access: 'public',
    summary: 'Whether Temporal and the database answer',
    responses: { 200: { description: 'all up', schema: HealthSchema }, 503: { description: 'something is down', schema: HealthSchema } },
    handler: async () => {
      const [temporal, database] = await Promise.all([
        within(3000, client.workflowService.describeNamespace({ namespace: options.namespace })).then(() => 'up' as const, () => 'down' as const),
        within(3000, store.ping()).then(() => 'up' as const, () => 'down' as const),
      ]);
      const ok = temporal === 'up' && database === 'up';
      return { status: ok ? 200 : 503, body: { ok, temporal, database } };
    },
  });

  // One authenticator for every route, and for the event stream's checks every minute.
  const authenticate = createAuthenticator({ store, adminToken: options.adminToken });
  const events = createContractEvents({ store, authenticate, log: options.log });

  const routes: RouteSpec[] = [
    health,
    FlowSchemaRoute,
    // Ahead of /api/contracts/:id, which would take "export.csv" or "bulk" for an id.
    ...ledgerExportRoutes(store),
    ...bulkRoutes({ store, contracts, session, log: options.log }),
    ...evidencePackageRoutes({ store, contracts, signing: options.signing, verifier, log: options.log }),
    ...attentionRoutes(store),
    ...statsRoutes(store),
    ...auditRoutes(store),
    events.route,
    ...flowRoutes(store, options.documents, { identityLevels: offeredLevels(identityProviders) }),
    ...contractRoutes(store, contracts, options.documents),
    ...templateRoutes(options.documents),
    ...templateSourceRoutes(options.documents),
    ...userRoutes(store),
    ...sessionRoutes(store),
    ...keyRoutes(store),
    ...signatureRoutes(options.signing, verifier),
    ...pkiRoutes(options.signing, store),
    // Ahead of the signing routes: /api/sign/:token/identity/... is not a token's action.
    ...identityRoutes({ identity: signerIdentity, signerOn: session.signerOn, rateLimit: options.identityRateLimit, buckets: store.rateLimits }),
    ...identityCostRoutes(identityRouter),
    ...signingRoutes({ store, contracts, session }),
    ...sealRoutes(store),
    ...tenantRoutes(store),
    ...connectorRoutes(connectors),
    ...connectorSampleRoutes({ store, masterKey: options.masterKey }),
    consoleFontRoute(),
    ...metricsRoutes(options.metrics ?? createMetrics({ contractCounts: storeContractCounts(store), processMetrics: false })),
  ];
  const openapi = openApiDocument(
    [...routes, webhookRouteDoc, defineRoute({ method: 'get', path: '/openapi.json', tag: 'system', access: 'public', summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } }, handler: async () => ({ body: null }) })],
    options.version ?? '0.1.0',
  );

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Webhooks need the raw bytes for their HMAC: their own parser, ahead of the JSON one.
  app.post('/hooks/:connectorId', express.raw({ type: () => true, limit: '1mb' }), createWebhookHandler({ store, client, masterKey: options.masterKey, startContract: connectors.startContract, rateLimit: options.webhookRateLimit }));
  // Public endpoints: the client's rate is checked before its body is read, and a
  // Content-Length over the limit is refused (413) from the headers, before any byte is read.
  const rateLimits = { ...DEFAULT_PUBLIC_RATE_LIMITS, ...options.publicRateLimits };
  app.post('/api/verify', perClientRateLimit('verification', rateLimits.verify, store.rateLimits), refuseBodiesOver(verifier.limits.maxBytes), express.raw({ type: () => true, limit: verifier.limits.maxBytes }));
  // Each password check costs 19 MiB and tens of ms of a libuv thread: one client cannot queue thousands (the per-login lockout is in the database).
  app.post(['/api/session', '/api/session/password'], perClientRateLimit('sign-in', SIGN_IN_RATE_LIMIT, store.rateLimits));
  // CRLs: validators fetch them; each answer is cached, but a build costs an RSA signature.
  app.get(['/pki/ca.crl', '/pki/root.crl'], perClientRateLimit('revocation status', rateLimits.tsa, store.rateLimits));
  app.post('/tsa', perClientRateLimit('timestamp', rateLimits.tsa, store.rateLimits), refuseBodiesOver(TSA_MAX_BYTES), express.raw({ type: () => true, limit: TSA_MAX_BYTES }));
  app.use(express.json({ limit: '1mb' }));
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  registerRoutes(router, routes, authenticate, createAuditHook({ store, log: options.log }), options.logger);
  app.use(router);
  // The local provider's stand-in pages for face and authorisation (it checks nobody; only when configured).
  if (identityProviders.some((p) => p.id === LOCAL_PROVIDER_ID)) app.use(localIdentityPages());
  app.use(signerPageRouter({ checkLink: session.checkLink, linkText: session.pageText }));
  app.use(designerRouter());
  app.use((req, _res, next) => next(new AppError('not_found', `No route for ${req.method} ${req.path}`, { status: 404 })));
  app.use(errorHandler(options.log));
  // The app owns the verifier it made: its workers stop when the server listening with it closes.
  if (!options.verifier) {
    const listen = app.listen.bind(app) as (...args: unknown[]) => Server;
    app.listen = ((...args: unknown[]) => listen(...args).once('close', () => void verifier.close())) as typeof app.listen;
  }
  return app;
}
