// Orchestration: the contract workflow's public names, its activities and its worker.
export * from './contract-flow.defs';
export { createActivities, type ContractActivities, type ApproverNotice } from './activities';
export { createContractWorker, bundleContractWorkflows, workflowsPath, type ContractWorkerOptions } from './worker';
export { createContractStarter, contractIdFor, ContractStartError, type ContractStarter, type ContractStartErrorCode, type ContractStartRequest } from './contract-starter';
