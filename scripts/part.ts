// `sealflow server` and `sealflow worker`: one part of the hub in this process, on an existing
// Temporal cluster. Unlike `npm start` it never starts a dev server and never makes up a key:
// parts on different machines must share the master key, so it comes from the environment.
import { ConfigError, installOutboundAllowlist, loadConfig, type SealflowConfig } from '../config';
import { createHub, hubLogger, hubSettings, installTemporalRuntime, runUntilSignalled, type HubRole } from '../hub';
import { redactConsole } from '../server/redact';

export async function runPart(role: Exclude<HubRole, 'all'>): Promise<number> {
  const log = (message: string) => console.log(`[sealflow ${role}] ${message}`);
  // Every line this process logs goes out without signing links, codes or keys.
  redactConsole();
  let config: SealflowConfig;
  try {
    config = loadConfig();
    hubSettings(config); // TEMPORAL_ADDRESS and SEALFLOW_MASTER_KEY, named before anything starts
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[sealflow ${role}] configuration: ${error.message}`);
    return 1;
  }
  installOutboundAllowlist(config.outboundAllow);
  // One logger (LOG_FORMAT, LOG_LEVEL) for the hub and the Temporal SDK; a worker exports the SDK's metrics when configured.
  const logger = hubLogger(config, role);
  installTemporalRuntime({ logger, metricsAddress: role === 'worker' ? config.observability.temporalMetricsAddress : null });

  if (role === 'worker') log('bundling workflows and starting the worker…');
  let hub;
  try {
    hub = await createHub(config, { role, logger });
  } catch (error) {
    console.error(`[sealflow ${role}] could not start: ${(error as Error).stack ?? error}`);
    return 1;
  }
  log(`Temporal at ${hub.settings.address}, namespace ${hub.settings.namespace}, task queue ${hub.settings.taskQueue}`);
  log(`database: ${hub.store.dialect}${hub.store.dialect === 'sqlite' ? ` at ${config.sqlitePath} (one machine only; DATABASE_URL for PostgreSQL)` : ''}`);
  if (role === 'server') {
    log(`REST API on ${hub.url} (GET /healthz, /openapi.json)`);
    log(config.adminToken ? 'admin token from SEALFLOW_ADMIN_TOKEN' : 'no SEALFLOW_ADMIN_TOKEN: only existing users and API keys can sign in');
  } else {
    log(hub.healthPort === undefined ? 'no SEALFLOW_HEALTH_PORT: no health endpoint' : `health on http://localhost:${hub.healthPort}/healthz, metrics on /metrics`);
    if (!process.env.SEALFLOW_PUBLIC_URL) log(`WARNING: SEALFLOW_PUBLIC_URL is unset: signing links point at ${config.publicUrl}`);
  }
  const exited = runUntilSignalled({ stop: hub.stop, failure: hub.workerDone, log });
  log('ready.');
  // The Temporal runtime's threads would keep a finished process alive: exit explicitly.
  process.exit(await exited);
}
