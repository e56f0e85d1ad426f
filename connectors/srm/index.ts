// SRM (REST/JSON): a supplier that completes onboarding starts a framework agreement.
import { Type } from '@sinclair/typebox';
import { defineConnector } from '../kit/define';
import { parsePayload } from '../kit/payload';
import { postOutcome } from '../rest/callback';
import { SrmSettingsSchema } from './auth';

export { SrmSettingsSchema, type SrmSettings } from './auth';

export const SupplierOnboardedEventSchema = Type.Object({
  eventId: Type.String({ minLength: 1 }),
  eventType: Type.Literal('supplier.onboarded'),
  supplier: Type.Object({
    supplierId: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    creditCode: Type.Optional(Type.String({ description: 'unified social credit code' })),
    contact: Type.Optional(Type.Object({ name: Type.Optional(Type.String()), email: Type.Optional(Type.String()), mobile: Type.Optional(Type.String()) })),
    categories: Type.Optional(Type.Array(Type.String())),
    validFrom: Type.Optional(Type.String({ format: 'date' })),
    validTo: Type.Optional(Type.String({ format: 'date' })),
  }),
});

export const srmSupplierOnboarding = defineConnector({
  id: 'srm_supplier_onboarding',
  displayName: 'SRM supplier onboarding',
  description: 'Starts a framework agreement when a supplier completes onboarding in the SRM system.',
  auth: { schema: SrmSettingsSchema },
  triggers: {
    webhook: {
      kind: 'webhook',
      async itemsFromPayload(_ctx, payload) {
        const event = parsePayload(SupplierOnboardedEventSchema, payload, 'supplier-onboarded event');
        return [{ sourceKey: `supplier:${event.supplier.supplierId}`, record: event.supplier, version: event.eventId }];
      },
    },
  },
  actions: {
    writeBack: ({ settings, signal }, request) => postOutcome(settings, request, signal),
  },
  defaultMapping: `{
  "supplier": { "id": supplierId, "name": name, "creditCode": creditCode, "email": contact.email, "mobile": contact.mobile, "contact": contact.name },
  "categories": categories,
  "startDate": validFrom,
  "endDate": validTo
}`,
});
