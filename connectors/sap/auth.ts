// Settings of the SAP S/4HANA purchase-order connector. The password is secret: stored
// encrypted, never returned by the API.
import { Type, type Static } from '@sinclair/typebox';
import type { ValidationOutcome } from '../kit/define';
import { Secret, Url } from '../kit/settings';
import { fetchOutbound } from '../../config';

export const SapSettingsSchema = Type.Object(
  {
    purchaseOrderServiceUrl: Url({ title: 'Purchase order API', description: 'service root of API_PURCHASEORDER_PROCESS_SRV, e.g. https://my-s4.example.com/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV' }),
    businessPartnerServiceUrl: Url({ title: 'Business partner API', description: 'service root of API_BUSINESS_PARTNER (supplier name, address, contact)' }),
    username: Type.String({ minLength: 1, title: 'Communication user' }),
    password: Secret({ title: 'Password' }),
    sapClient: Type.Optional(Type.String({ pattern: '^\\d{3}$', title: 'SAP client (sap-client)' })),
    pageSize: Type.Integer({ minimum: 1, maximum: 5000, default: 200, title: 'Orders per request' }),
    changedSince: Type.String({ format: 'date-time', default: '2000-01-01T00:00:00Z', title: 'Read orders changed since (first sync)' }),
    noteTextType: Type.String({ minLength: 1, maxLength: 4, default: 'F01', title: 'Header text ID for write-back notes' }),
    noteLanguage: Type.String({ minLength: 2, maxLength: 2, default: 'EN', title: 'Language of write-back notes' }),
    timeoutMs: Type.Integer({ minimum: 1000, maximum: 300000, default: 30000, title: 'Request timeout (ms)' }),
  },
  { additionalProperties: false },
);

export type SapSettings = Static<typeof SapSettingsSchema>;

/** Reads the purchase-order service's $metadata: proves address, credentials and the API. */
export async function checkSapSettings(settings: SapSettings): Promise<ValidationOutcome> {
  const url = new URL(settings.purchaseOrderServiceUrl.replace(/\/?$/, '/$metadata'));
  if (settings.sapClient) url.searchParams.set('sap-client', settings.sapClient);
  try {
    const response = await fetchOutbound(url, {
      // An explicit language: fetch's default `accept-language: *` trips some gateways (and CAP's V2 adapter).
      headers: { 'accept-language': 'en', authorization: 'Basic ' + Buffer.from(`${settings.username}:${settings.password}`).toString('base64') },
      signal: AbortSignal.timeout(settings.timeoutMs ?? 30000),
    }, 'SAP purchase order API');
    if (response.status === 401 || response.status === 403) return { valid: false, error: `SAP refused the credentials (${response.status})` };
    if (!response.ok) return { valid: false, error: `SAP answered ${response.status} for ${url.pathname}` };
    const metadata = await response.text();
    if (!metadata.includes('EntitySet Name="A_PurchaseOrder"')) return { valid: false, error: 'the service does not expose A_PurchaseOrder; is this API_PURCHASEORDER_PROCESS_SRV?' };
    return { valid: true };
  } catch (error) {
    return { valid: false, error: `cannot reach ${url.origin}: ${error instanceof Error ? error.message : String(error)}` };
  }
}
