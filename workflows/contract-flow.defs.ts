// The names through which the outside world talks to a running contract. The server
// imports these values; it never imports workflow code.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ContractState, Decision, FlowDefinition } from '../flows';

export interface ContractInput {
  contractId: string;
  flow: { key: string; version: number; name: string; definition: FlowDefinition };
  data: Record<string, unknown>;
  sourceKey: string | null;
  startedBy: string;
  createdAt: string;
}

/** The user acting on a contract, as the server authenticated them. */
export interface Actor {
  id: string;
  name: string;
  roles: string[];
}

export interface DecisionInput {
  actor: Actor;
  decision: Decision;
  comment: string | null;
}

export interface CancelInput {
  actor: Actor;
  reason: string;
}

/** Error types an update validator rejects with; the server maps each to an HTTP status. */
export const ContractErrors = {
  forbidden: 'forbidden',
  alreadyDecided: 'already_decided',
  notPending: 'not_pending',
  invalidData: 'invalid_flow_data',
} as const;

/** An approver's decision on the contract's current step; answers with the state after it. */
export const decide = defineUpdate<ContractState, [DecisionInput]>('decide');
/** Stops the contract; answers with the final state. */
export const cancel = defineUpdate<ContractState, [CancelInput]>('cancel');
/** The live state, straight from the workflow. */
export const contractState = defineQuery<ContractState>('contractState');

export const CONTRACT_WORKFLOW = 'contractFlow';
