// The Temporal SDK's side of observability: Core's own Prometheus exporter (task latencies,
// poll results, sticky cache, activity and workflow counters) and the SDK's log lines through
// the hub logger. Runtime.install runs once per process, before any connection or worker.
import type { RuntimeOptions } from '@temporalio/worker';
import { temporalLogger, type HubLogger } from './log';

export interface TemporalTelemetry {
  logger: HubLogger;
  /**
   * SEALFLOW_TEMPORAL_METRICS_ADDRESS (host:port): where Core serves the SDK's metrics at
   * /metrics. Loopback by default use; the server's /metrics appends them (see createMetrics).
   */
  metricsAddress?: string | null;
}

/** Options for Runtime.install: the SDK logs through the hub logger and, with an address, exports its metrics. */
export function temporalRuntimeOptions({ logger, metricsAddress }: TemporalTelemetry): RuntimeOptions {
  return {
    logger: temporalLogger(logger),
    telemetryOptions: {
      // Core's own lines (Rust) come through the same logger, at WARN and above.
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(metricsAddress ? { metrics: { metricPrefix: 'temporal_', prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } : {}),
    },
  };
}

/** The URL the exporter at `address` answers on, as the server's /metrics fetches it. */
export function temporalMetricsUrl(address: string): string {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), address.slice(address.lastIndexOf(':') + 1)];
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `http://${reachable}:${port}/metrics`;
}
