// Everything a contract's workflow does to the world goes through these activities.
// The worker wires in the real store and notifier; nothing here is imported by workflow code
// except as a type.
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  contractOwner,
  contractTitle,
  DEFAULT_TENANT,
  ExpressionError,
  expressionFailureType,
  parseApprover,
  partyNames,
  planApproval,
  planSigning,
  PROJECTION_OUT_OF_ORDER,
  type ApprovalPlan,
  type ContractChanges,
  type ContractDocument,
  type ContractOwner,
  type ContractState,
  type FlowDefinition,
  type SigningPlan,
} from '../../flows';
import type { Notifier } from '../../notify';
import { stagesEnded, type HubMetrics } from '../../observability';
import type { Store } from '../../store';
import { TemplateError } from '../../templates';
import type { DocumentService } from '../documents';

export interface ApproverNotice {
  contractId: string;
  /** Whose holders of a role are told: the nearest up the org tree from the contract's unit. Absent on old contracts. */
  owner?: ContractOwner;
  title: string | null;
  step: number;
  stepName: string;
  /** Approver slots to tell, e.g. role:finance-director. */
  approvers: string[];
  kind: 'approval_requested' | 'reminder' | 'escalation';
  /** Same key, same messages: a retried activity never notifies twice. */
  idempotencyKey: string;
}

/** A flow expression that failed on this data (or ran out of its budget) fails the same way on every retry. */
function expressionFailure(error: unknown): unknown {
  if (!(error instanceof ExpressionError)) return error;
  return ApplicationFailure.create({ type: expressionFailureType(error.kind), message: error.message, nonRetryable: true });
}

export interface ActivityDependencies {
  store: Store;
  notifier: Notifier;
  documents: DocumentService;
  /** SEALFLOW_PUBLIC_URL: approval notices link the contract's page in the console (it works on a phone). */
  publicUrl?: string;
  /** Stage durations are observed here as stages end. */
  metrics?: HubMetrics;
}


export function createActivities({ store, notifier, documents, publicUrl, metrics }: ActivityDependencies) {
  return {
    /** Writes the contract's projection whole; an older revision never overwrites a newer one. */
    async saveContract(state: ContractState): Promise<void> {
      await store.contracts.save(state);
      log.info('contract saved', { revision: state.revision, status: state.status, whole: true });
    },

    /** Applies a running contract's changes since its previous save (see flows/contract-changes.ts); a retry of applied changes does nothing. */
    async saveContractChanges(changes: ContractChanges): Promise<void> {
      const result = await store.contracts.applyChanges(changes);
      if (result.outcome === 'out-of-order') {
        throw ApplicationFailure.create({ type: PROJECTION_OUT_OF_ORDER, message: `contract ${changes.id} is stored at revision ${result.stored ?? 'none'}, not ${changes.base}`, nonRetryable: true });
      }
      if (result.outcome === 'already-applied') return;
      for (const { stage, seconds, outcome } of stagesEnded(result.previous, result.state)) {
        metrics?.stageEnded(stage, seconds, outcome);
        log.info('stage ended', { stage, outcome, seconds });
      }
      log.info('contract saved', { revision: changes.revision, status: result.state.status, fields: Object.keys(changes.set), events: changes.appended.map((e) => e.type) });
    },

    /** Tells every user who can fill one of the slots; returns how many were told. */
    async notifyApprovers(notice: ApproverNotice): Promise<number> {
      const users = new Map<string, { id: string; name: string }>();
      for (const slot of notice.approvers) {
        const { kind, name } = parseApprover(slot);
        const owner = contractOwner(notice);
        const found = kind === 'role' ? await store.users.nearestHolders(name, owner.tenantId, owner.unit?.path ?? null) : [await store.users.get(name)].filter((u): u is NonNullable<typeof u> => u !== null && !u.disabled);
        for (const user of found) users.set(user.id, user);
      }
      const subject = {
        approval_requested: '待审批',
        reminder: '审批提醒',
        escalation: '审批升级',
      }[notice.kind];
      for (const user of users.values()) {
        await notifier.send(
          {
            channel: 'inbox',
            to: user.id,
            contractId: notice.contractId,
            subject: `${subject}: ${notice.title ?? notice.contractId}`,
            // By name, like every notice a person reads, with the page where they decide (sign-in first).
            body: `${user.name}，您好：\n\n《${notice.title ?? notice.contractId}》在「${notice.stepName}」等待您的审批${notice.kind === 'reminder' ? '（提醒）' : notice.kind === 'escalation' ? '（已升级给您）' : ''}。${publicUrl ? `\n\n审批：${publicUrl.replace(/\/$/, '')}/console/contracts/${encodeURIComponent(notice.contractId)}` : ''}`,
          },
          `${notice.idempotencyKey}:${user.id}`,
        );
      }
      return users.size;
    },

    /**
     * Renders and stores the flow's documents for this contract. A template that refuses the
     * data will refuse it on every retry, so that failure is final and names the template.
     */
    async generateDocuments({ flow, data, at, tenantId = DEFAULT_TENANT }: { flow: FlowDefinition; data: Record<string, unknown>; at: string; tenantId?: string }): Promise<ContractDocument[]> {
      const started = performance.now();
      try {
        // The contract's tenant's templates (contracts from before tenants: the default tenant's).
        const generated = await documents.generate(tenantId, flow, data, at);
        const seconds = (performance.now() - started) / 1000;
        metrics?.stageEnded('documents', seconds, 'generated');
        log.info('documents generated', { documents: generated.map((d) => d.id), pages: generated.reduce((n, d) => n + d.pages, 0), seconds });
        return generated;
      } catch (error) {
        // Only a final failure ends the stage; a transient one is retried.
        if (error instanceof TemplateError || error instanceof ExpressionError) metrics?.stageEnded('documents', (performance.now() - started) / 1000, 'failed');
        if (error instanceof TemplateError) {
          throw ApplicationFailure.create({ type: `template_${error.code}`, message: error.message, details: [error.details], nonRetryable: true });
        }
        throw expressionFailure(error);
      }
    },

    // The flow's expressions are evaluated here, not in workflow code (see EXPRESSION_LIMITS):
    // here they run at full speed, under the wall-clock budget too, and a failure is final.

    /** The approval plan and title of a new contract (the server checked the same at the door). */
    async planContract({ flow, data, sourceKey = null }: { flow: FlowDefinition; data: Record<string, unknown>; sourceKey?: string | null }): Promise<{ plan: ApprovalPlan; title: string | null; parties: string[] }> {
      try {
        return { plan: await planApproval(flow, data), title: await contractTitle(flow, data, sourceKey), parties: await partyNames(flow, data) };
      } catch (error) {
        throw expressionFailure(error);
      }
    },

    /** Signers, archive folder and expiry date, before anyone is invited. */
    async planSigningStage({ flow, data, documents: included }: { flow: FlowDefinition; data: Record<string, unknown>; documents: string[] }): Promise<SigningPlan> {
      try {
        return await planSigning(flow, data, included);
      } catch (error) {
        throw expressionFailure(error);
      }
    },
  };
}

export type ContractActivities = ReturnType<typeof createActivities>;
