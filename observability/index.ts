// Metrics and logs of a hub process: what server/, workflows/ and the composition root import.
export { CONTRACT_STAGES, createMetrics, storeContractCounts, type ConnectorOperation, type ContractStage, type HubMetrics, type MetricsOptions } from './metrics';
export { createLogger, temporalLogger, type HubLogger, type LogFormat, type LoggerOptions } from './log';
export { redact, redactConsole, redactingLog } from './redact';
export { temporalMetricsUrl, temporalRuntimeOptions, type TemporalTelemetry } from './temporal';
export { stagesEnded, type EndedStage } from './stages';
