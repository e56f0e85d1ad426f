// Every workflow the worker runs, in one bundle entry. Deterministic workflow code only.
export { contractFlow } from './contract-flow';
export { connectorSync } from './connector-sync';
export { archiveRenewal } from './archive-renewal';
export { evidenceAnchoring } from './evidence-anchoring';
