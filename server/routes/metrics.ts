// GET /metrics: the Prometheus scrape. Counts leak how much business a hub does, so the route
// needs the right `metrics.read`, which only the admin role holds: Prometheus scrapes with an
// API key scoped to it alone (POST /api/keys {scopes: ["metrics.read"]}), and that key can do
// nothing else. The Temporal SDK's metrics of a worker in this process come along (see observability/).
import type { HubMetrics } from '../../observability';
import { defineRoute } from '../route';

export function metricsRoutes(metrics: HubMetrics) {
  return [
    defineRoute({
      method: 'get', path: '/metrics', tag: 'system', access: 'metrics.read',
      summary: 'Prometheus metrics: contracts by status, stage durations, signatures, connector errors, process and Temporal SDK metrics',
      responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain; version=0.0.4' }, 401: { description: 'no credentials' }, 403: { description: 'the caller lacks metrics.read' } },
      handler: async () => {
        const { contentType, text } = await metrics.scrape();
        return { body: Buffer.from(text), contentType, headers: { 'cache-control': 'no-store' } };
      },
    }),
  ];
}
