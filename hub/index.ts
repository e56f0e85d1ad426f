// Building Sealflow: one composition root for every entry point (npm start, `sealflow server`,
// `sealflow worker`, the test and bench hubs).
export { closer, createHub, hubLogger, type Hub, type HubOptions } from './create-hub';
export { hubSettings, type HubRole, type HubSettings } from './settings';
export { installTemporalRuntime, type TemporalRuntimeOptions } from './runtime';
export { runUntilSignalled, type RunningProcess } from './process';
export { checkWorkerHealth, type WorkerHealth } from './worker-health';
