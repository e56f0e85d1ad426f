// The Temporal SDK's runtime (its native core, logger and telemetry) exists once per process
// and is configured before the first connection; every entry point installs it through here.
import { inspect } from 'node:util';
import { DefaultLogger, Runtime, type LogLevel, type RuntimeOptions } from '@temporalio/worker';
import { temporalRuntimeOptions, type HubLogger } from '../observability';

let installed = false;

export interface TemporalRuntimeOptions {
  /** Where the SDK's lines go (default: its own stderr logger); start scripts pass theirs to redact them. */
  log?: (line: string) => void;
  /** Default WARN: the SDK is chatty at INFO. */
  level?: LogLevel;
  /** Telemetry (e.g. SDK metrics) as Runtime.install takes it. */
  telemetryOptions?: RuntimeOptions['telemetryOptions'];
  /** The hub logger: the SDK's lines, and activities' and workflows' `log` calls, become its lines (with contractId). Takes the place of `log`. */
  logger?: HubLogger;
  /** config.observability.temporalMetricsAddress: the SDK's Prometheus exporter (with `logger`). */
  metricsAddress?: string | null;
}

/** Installs the runtime on the first call; later calls keep the first one (a process has one runtime). */
export function installTemporalRuntime(options: TemporalRuntimeOptions = {}): void {
  if (installed) return;
  installed = true;
  if (options.logger) {
    Runtime.install(temporalRuntimeOptions({ logger: options.logger, metricsAddress: options.metricsAddress }));
    return;
  }
  const level = options.level ?? 'WARN';
  const log = options.log;
  Runtime.install({
    logger: log
      ? new DefaultLogger(level, ({ level: lineLevel, message, meta }) => log(`[temporal] [${lineLevel}] ${message}${meta === undefined ? '' : ` ${inspect(meta, { depth: 4, breakLength: Infinity })}`}`))
      : new DefaultLogger(level),
    ...(options.telemetryOptions ? { telemetryOptions: options.telemetryOptions } : {}),
  });
}
