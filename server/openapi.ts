// The OpenAPI document, written from the same route values that serve the requests.
import { Type } from '@sinclair/typebox';
import { TENANT_HEADER } from './auth';
import type { RouteSpec } from './route';

export const ErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
  }),
});

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function openApiDocument(routes: RouteSpec[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const pathParams = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryProps = (route.query as { properties?: Record<string, unknown>; required?: string[] } | undefined)?.properties ?? {};
    const queryParams = Object.entries(queryProps).map(([name, schema]) => ({
      name,
      in: 'query',
      required: Boolean((route.query as { required?: string[] }).required?.includes(name)),
      schema,
    }));
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      if (response.contentType) responses[status] = { description: response.description, content: { [response.contentType]: { schema: { type: 'string', format: 'binary' } } } };
      else responses[status] = { description: response.description, ...(response.schema ? { content: { 'application/json': { schema: response.schema } } } : {}) };
    }
    if (route.body) responses['400'] ??= { description: 'The request is not valid; details name the JSON path of each problem', content: { 'application/json': { schema: ErrorSchema } } };
    if (route.access !== 'public') {
      responses['401'] ??= { description: 'No or unknown bearer token', content: { 'application/json': { schema: ErrorSchema } } };
    }
    (paths[toOpenApiPath(route.path)] ??= {})[route.method] = {
      summary: route.summary,
      tags: [route.tag],
      ...(route.access === 'public' ? { security: [] } : {}),
      parameters: [...pathParams, ...queryParams],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
      ...(route.requestContentType ? { requestBody: { required: true, content: { [route.requestContentType]: { schema: { type: 'string', format: 'binary' } } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Sealflow API', version, description: 'Contract flows: definitions, contracts, approvals, users.' },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: `The admin token (SEALFLOW_ADMIN_TOKEN) and other callers with hub.manage act in the default tenant, or in the tenant named in the ${TENANT_HEADER} header; anyone else who names a tenant not their own is refused (403).`,
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
