// The express app: the only door from outside.
import express, { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Store } from '../store';
import { createAuthenticator } from './auth';
import { createContractService } from './contracts';
import { AppError, errorHandler } from './errors';
import { openApiDocument } from './openapi';
import { defineRoute, registerRoutes, type RouteSpec } from './route';
import { contractRoutes } from './routes/contracts';
import { FlowSchemaRoute, flowRoutes } from './routes/flows';
import { userRoutes } from './routes/users';
import { HealthSchema } from './schemas';

export interface AppOptions {
  store: Store;
  client: Client;
  taskQueue: string;
  namespace: string;
  adminToken: string | null;
  version?: string;
  log?: (message: string) => void;
}

const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

export function createApp(options: AppOptions) {
  const { store, client } = options;
  const contracts = createContractService({ store, client, taskQueue: options.taskQueue });

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

  const routes: RouteSpec[] = [health, FlowSchemaRoute, ...flowRoutes(store), ...contractRoutes(store, contracts), ...userRoutes(store)];
  const openapi = openApiDocument(
    [...routes, defineRoute({ method: 'get', path: '/openapi.json', tag: 'system', access: 'public', summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } }, handler: async () => ({ body: null }) })],
    options.version ?? '0.1.0',
  );

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: '1mb' }));
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  registerRoutes(router, routes, createAuthenticator({ store, adminToken: options.adminToken }));
  app.use(router);
  app.use((req, _res, next) => next(new AppError('not_found', `No route for ${req.method} ${req.path}`, { status: 404 })));
  app.use(errorHandler(options.log));
  return app;
}
