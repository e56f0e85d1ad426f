// Any BPM engine (Camunda, Flowable, …): a process posts a webhook to start a contract,
// and hears back through its callback URL when the contract ends.
import { Type } from '@sinclair/typebox';
import { defineConnector } from '../kit/define';
import { parsePayload } from '../kit/payload';
import { postOutcome } from '../rest/callback';
import { BpmSettingsSchema } from './auth';

export { BpmSettingsSchema, type BpmSettings } from './auth';

export const BpmStartSchema = Type.Object({
  processInstanceId: Type.String({ minLength: 1 }),
  /** The business key, if the process has one; it keys the contract. */
  businessKey: Type.Optional(Type.String({ minLength: 1 })),
  variables: Type.Record(Type.String(), Type.Unknown()),
});

export const bpmWebhook = defineConnector({
  id: 'bpm_webhook',
  displayName: 'BPM process (webhook)',
  description: 'Starts a contract from a BPM process step (generic JSON webhook) and calls the process back with the outcome.',
  auth: { schema: BpmSettingsSchema },
  triggers: {
    webhook: {
      kind: 'webhook',
      async itemsFromPayload(_ctx, payload) {
        const start = parsePayload(BpmStartSchema, payload, 'BPM start request');
        return [{ sourceKey: start.businessKey ?? start.processInstanceId, record: start }];
      },
    },
  },
  actions: {
    writeBack: ({ settings, signal }, request) => postOutcome(settings, request, signal),
  },
  defaultMapping: 'variables',
});
