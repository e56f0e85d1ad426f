// SAP S/4HANA purchase orders → supplier contracts. Polls released orders changed since
// the delta cursor (or reacts to SAP business events), enriches each with its supplier
// from the business-partner API, and writes the contract's outcome back as a header note.
import { defineConnector, type ConnectorContext, type SourceItem, type SourcePage } from '../kit/define';
import { checkSapSettings, SapSettingsSchema, type SapSettings } from './auth';
import { readNote, readPurchaseOrder, readReleasedPurchaseOrders, readSuppliers, sapClient, writeNote, type SapClient } from './client';
import { advance, alreadyHandled, decodeCursor, encodeCursor } from './cursor';
import { parsePurchaseOrderEvents } from './events';
import { parseODataDateTime } from './odata-v2';
import { RELEASED_STATUS, toPurchaseOrder, type ODataPurchaseOrder, type PurchaseOrder } from './purchase-order';

export type { PurchaseOrder, PurchaseOrderItem, Supplier } from './purchase-order';
export { SapSettingsSchema, type SapSettings } from './auth';

async function withSuppliers(client: SapClient, rows: ODataPurchaseOrder[]): Promise<PurchaseOrder[]> {
  const supplierIds = [...new Set(rows.map((row) => String(row.Supplier ?? '')).filter(Boolean))];
  const suppliers = await readSuppliers(client, supplierIds);
  return rows.map((row) => toPurchaseOrder(row, suppliers.get(String(row.Supplier ?? ''))));
}

function item(order: PurchaseOrder): SourceItem {
  return {
    sourceKey: order.purchaseOrder,
    record: order,
    version: order.lastChangedAt,
    skip: order.released ? undefined : `purchase order ${order.purchaseOrder} is not released (status ${order.status || 'none'})`,
  };
}

async function fetchSince(ctx: ConnectorContext<SapSettings>, cursorText: string | null): Promise<SourcePage> {
  const { settings } = ctx;
  const client = await sapClient(settings);
  let cursor = decodeCursor(cursorText, settings.changedSince);
  // Ask for more than a page by the orders already handled in the cursor's millisecond, so they never fill a page alone.
  const top = settings.pageSize + cursor.handled.length;
  const { rows, serverHasMore } = await readReleasedPurchaseOrders(client, { changedAt: cursor.changedAt, top, releasedStatus: RELEASED_STATUS });
  const fresh = rows.filter((row) => !alreadyHandled(cursor, String(row.PurchaseOrder), parseODataDateTime(String(row.LastChangeDateTime))));
  const orders = await withSuppliers(client, fresh);
  const items = orders.map((order) => {
    cursor = advance(cursor, order.purchaseOrder, order.lastChangedAt);
    return { ...item(order), cursor: encodeCursor(cursor) };
  });
  return { items, nextCursor: encodeCursor(cursor), hasMore: serverHasMore && items.length > 0 };
}

export const sapPurchaseOrders = defineConnector({
  id: 'sap_purchase_orders',
  displayName: 'SAP S/4HANA purchase orders',
  description: 'Starts a supplier contract for every released purchase order (API_PURCHASEORDER_PROCESS_SRV, supplier from API_BUSINESS_PARTNER); reports later changes; writes the outcome back as a header note.',
  auth: { schema: SapSettingsSchema, check: checkSapSettings },
  triggers: {
    poll: { kind: 'poll', defaultEveryMinutes: 15, fetchSince },
    webhook: {
      kind: 'webhook',
      async itemsFromPayload(ctx, payload) {
        const events = parsePurchaseOrderEvents(payload);
        const client = await sapClient(ctx.settings);
        const numbers = [...new Set(events.map((e) => e.purchaseOrder))];
        const rows = (await Promise.all(numbers.map((po) => readPurchaseOrder(client, po)))).filter((row): row is ODataPurchaseOrder => row !== undefined);
        return (await withSuppliers(client, rows)).map(item);
      },
    },
  },
  actions: {
    async writeBack(ctx, request) {
      const { settings } = ctx;
      const client = await sapClient(settings);
      const key = { PurchaseOrder: request.sourceKey, TextObjectType: settings.noteTextType, Language: settings.noteLanguage };
      // SAP keeps one header note per text type and language and knows no idempotency
      // header, so the key travels in the note text and a retry finds it there.
      const text = `${request.message} [${request.idempotencyKey}]`;
      const existing = await readNote(client, key);
      if (existing?.PlainLongText?.includes(`[${request.idempotencyKey}]`)) return { written: false, reference: request.sourceKey };
      await writeNote(client, { ...key, PlainLongText: text }, existing !== undefined);
      return { written: true, reference: request.sourceKey };
    },
  },
  defaultMapping: `{
  "poNumber": purchaseOrder,
  "amount": $number(netAmount),
  "currency": currency,
  "endDate": validTo,
  "supplier": {
    "name": supplier.name,
    "email": supplier.email,
    "mobile": supplier.mobile
  },
  "items": [items.{ "item": item, "text": text, "quantity": $number(quantity), "unit": unit, "netAmount": $number(netAmount) }]
}`,
});
