// A route is a value: method, path, access, the schemas of what it accepts and returns,
// and a thin handler. The same values register the express routes, validate requests and
// write the OpenAPI document, so the three cannot drift apart.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import { Readable, pipeline } from 'node:stream';
import type { Request, Response, Router } from 'express';
import type { AuditHook } from './audit';
import { toIssues } from '../flows';
import type { Principal } from './access';
import { authorize, type Access } from './auth';
import { AppError } from './errors';
import { MAX_JSON_DEPTH, tooDeepAt } from './json-depth';
import type { HubLogger } from '../observability';

export interface RouteContext<B extends TSchema, Q extends TSchema> {
  body: Static<B>;
  query: Static<Q>;
  params: Record<string, string>;
  /** The authenticated caller; null on public routes. */
  actor: Principal | null;
  req: Request;
}

export interface RouteResult {
  status?: number;
  /** JSON, unless `contentType` says the body is bytes (a PDF, a certificate). */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteSpec<B extends TSchema = TSchema, Q extends TSchema = TSchema> {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: B;
  /** A route that takes raw bytes (a PDF, a timestamp query) instead of JSON. */
  requestContentType?: string;
  query?: Q;
  responses: Record<number, { description: string; schema?: TSchema; contentType?: string }>;
  handler: (ctx: RouteContext<B, Q>) => Promise<RouteResult>;
}

export function defineRoute<B extends TSchema, Q extends TSchema>(spec: RouteSpec<B, Q>): RouteSpec {
  return spec as unknown as RouteSpec;
}

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;
const bodyAjv = new Ajv({ allErrors: true, strict: false });
// Query strings are text: coerce "2" to 2 for schemas that ask for numbers.
const queryAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: true, useDefaults: true });
addFormats(bodyAjv);
addFormats(queryAjv);

function validator(ajv: Ajv, schema: TSchema, where: string, code: string) {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value: unknown) => {
    if (!validate(value)) {
      const details = toIssues(validate.errors);
      throw new AppError(code, `The ${where} is not valid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, { details });
    }
    return value;
  };
}

/** A contract's routes name it by :id: their request lines carry it as contractId. */
const CONTRACT_ROUTE = /^\/api\/contracts\/:id(\/|$)/;

export function registerRoutes(router: Router, routes: RouteSpec[], authenticate: (req: Request) => Promise<Principal>, audit?: AuditHook, logger?: HubLogger): void {
  for (const route of routes) {
    const checkBody = route.body ? validator(bodyAjv, route.body, 'request body', 'invalid_body') : null;
    const checkQuery = route.query ? validator(queryAjv, route.query, 'query string', 'invalid_query') : null;
    router[route.method](route.path, async (req: Request, res: Response) => {
      // One line per request once answered (errors too). The route's pattern, never the URL: a
      // signing link's token is in the URL.
      if (logger) {
        const started = performance.now();
        const contractId = CONTRACT_ROUTE.test(route.path) ? req.params.id : undefined;
        res.once('finish', () => logger.info({ method: route.method.toUpperCase(), route: route.path, status: res.statusCode, ms: Math.round(performance.now() - started), ...(contractId ? { contractId } : {}) }, 'request'));
      }
      let actor: Principal | null = null;
      if (route.access !== 'public') {
        actor = await authenticate(req);
        authorize(actor, route.access);
      }
      const deep = tooDeepAt(req.body);
      if (deep !== null) {
        throw new AppError('invalid_body', `The request body is nested more than ${MAX_JSON_DEPTH} levels deep`, { details: [{ path: deep, message: `is nested more than ${MAX_JSON_DEPTH} levels deep` }] });
      }
      const body = checkBody ? checkBody(req.body ?? undefined) : req.body;
      const query = checkQuery ? checkQuery({ ...req.query }) : req.query;
      const result = await route.handler({ body, query, params: req.params as Record<string, string>, actor, req });
      await audit?.({ route, actor, params: req.params as Record<string, string>, req });
      res.status(result.status ?? 200);
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      // A long download or an event stream: piped as it is produced (a failure mid-way cuts the response off).
      if (result.body instanceof Readable) return void pipeline(result.body, res.type(result.contentType ?? 'application/octet-stream'), () => {});
      if (result.contentType) res.type(result.contentType).send(Buffer.from(result.body as Uint8Array));
      else res.json(result.body);
    });
  }
}
