// SAP S/4HANA business events for purchase orders, as CloudEvents JSON
// (https://api.sap.com/event/SAPS4HANAPurchaseOrderEvents). The event carries the order's
// number only; the connector reads the order itself, so a push takes the same path as a poll.
import { ConnectorError } from '../kit/errors';

export const PURCHASE_ORDER_EVENT_TYPES = [
  'sap.s4.beh.purchaseorder.v1.PurchaseOrder.Created.v1',
  'sap.s4.beh.purchaseorder.v1.PurchaseOrder.Changed.v1',
] as const;

export interface PurchaseOrderEvent {
  id: string;
  type: (typeof PURCHASE_ORDER_EVENT_TYPES)[number];
  purchaseOrder: string;
  time?: string;
}

const invalid = (message: string) => new ConnectorError('invalid_payload', message, { retryable: false });

function readEvent(value: unknown, index: number): PurchaseOrderEvent {
  const at = index >= 0 ? ` (event ${index})` : '';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`a CloudEvent must be a JSON object${at}`);
  const event = value as Record<string, unknown>;
  if (event.specversion !== '1.0') throw invalid(`specversion must be "1.0"${at}`);
  if (typeof event.id !== 'string' || !event.id) throw invalid(`id is required${at}`);
  if (typeof event.type !== 'string' || !(PURCHASE_ORDER_EVENT_TYPES as readonly string[]).includes(event.type)) {
    throw invalid(`type ${JSON.stringify(event.type)} is not a purchase-order event this connector handles${at}`);
  }
  const data = event.data as Record<string, unknown> | undefined;
  const purchaseOrder = data?.PurchaseOrder;
  if (typeof purchaseOrder !== 'string' || !/^\d{1,10}$/.test(purchaseOrder)) throw invalid(`data.PurchaseOrder must be a purchase order number${at}`);
  return { id: event.id, type: event.type as PurchaseOrderEvent['type'], purchaseOrder, time: typeof event.time === 'string' ? event.time : undefined };
}

/** One CloudEvent, or a batch (application/cloudevents-batch+json); throws invalid_payload (→ 400). */
export function parsePurchaseOrderEvents(payload: unknown): PurchaseOrderEvent[] {
  if (Array.isArray(payload)) return payload.map(readEvent);
  return [readEvent(payload, -1)];
}
