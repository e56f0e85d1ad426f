// The connectors' public surface: the kit (sync, webhooks, write-back, preview, health)
// and the registry of shipped connectors. Other folders import only this file.
export { defineConnector, describeConnector, destinationFields, secretFields } from './kit/define';
export type {
  AnyConnector, ApprovalDecision, ConnectorContext, ConnectorDefinition, ConnectorDescription, ContractOutcome,
  DelegatedApprovalRequest, SourceItem, SourcePage, ValidationOutcome, WriteBackRequest, WriteBackResult,
} from './kit/define';
export { ConnectorError, isRetryable, type ConnectorErrorCode } from './kit/errors';
export { ConnectorInstanceSchema, WebhookAuthSchema, type ConnectorInstance, type WebhookAuth } from './kit/instance';
export { compileMapping, type CompiledMapping, type MappingFailure } from './kit/mapping';
export { assertDestinationsAllowed, checkSettings, publicSettings, refusedDestinations, Secret, splitSecrets, Url, validateSettings } from './kit/settings';
export { syncOnce, DEFAULT_CONCURRENCY, DEFAULT_MAX_ITEMS, type ItemError, type OnChange, type SourceChange, type StartContract, type StartRequest, type SyncOptions, type SyncResult } from './kit/sync';
export { receiveWebhook, handleWebhookPayload, signWebhook, signWebhookBody, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER, WEBHOOK_TOLERANCE_SECONDS, type WebhookHeaders, type WebhookOutcome, type WebhookVerification } from './kit/webhook';
export { writeBack, writeBackIdempotencyKey } from './kit/writeback';
export { previewMapping, type MappingPreview } from './kit/preview';
export { emptyHealth, recordSync, type ConnectorHealth } from './kit/health';
export { CONNECTORS, getConnector, listConnectors } from './registry';
