// Orchestration: the contract workflow's public names, its activities and its worker.
export * from './contract-flow.defs';
export { createActivities, type ContractActivities, type ApproverNotice } from './activities';
export { createContractWorker, bundleContractWorkflows, workflowsPath, type ContractWorkerOptions } from './worker';
export { createContractStarter, contractIdFor, ContractStartError, type ContractStarter, type ContractStartErrorCode, type ContractStartRequest } from './contract-starter';
export { createDocumentService, type DocumentService, type TemplateSummary, type TemplateUpload } from './documents';
export * from './connector-sync.defs';
export { createConnectorActivities, type ConnectorActivities, type ConnectorActivityDependencies } from './activities/connectors';
export { connectorActor, connectorContractStart, describeSourceChange, loadConnectorInstance, reportSourceChange, type LoadedConnectorInstance, type SourceWriteBack } from './connector-runtime';
export { signerLinkToken, type SigningActivities } from './activities/signing';
export { anchorScheduleId, ensureAnchorSchedule } from './anchor-schedule';
