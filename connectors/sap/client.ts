// Reads and writes SAP through @sap/cds remote services (kind odata-v2) over the models
// imported from SAP's EDMX (./model). cds is heavy, so it is imported on first use only.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutboundRefusedError, withOutboundCheck } from '../../config';
import { ConnectorError, isRetryableStatus, messageOf } from '../kit/errors';
import type { SapSettings } from './auth';
import { keyPredicate } from './odata-v2';
import { PURCHASE_ORDER_FIELDS, PURCHASE_ORDER_ITEM_FIELDS, toSupplier, type ODataBusinessPartner, type ODataPurchaseOrder, type Supplier } from './purchase-order';
import { assertOutbound } from '../kit/http';

const PO_SERVICE = 'API_PURCHASEORDER_PROCESS_SRV';
const BP_SERVICE = 'API_BUSINESS_PARTNER';
const modelDir = join(dirname(fileURLToPath(import.meta.url)), 'model');

/** The few members of cds we use; @sap/cds ships no TypeScript types in this setup. */
interface Cds {
  connect: { to(name: string, options: Record<string, unknown>): Promise<RemoteService> };
  compile: { for: { nodejs(csn: unknown): unknown } };
  ql: { SELECT: CqlSelect };
  log(id: string, level: string): unknown;
}
interface CqlSelect {
  from(entity: string): CqlQuery;
}
/** A CQN column: a property, or a navigation expanded with its own columns. */
type CqnColumn = { ref: [string] } | { ref: [string]; expand: CqnColumn[] };
interface CqlQuery {
  columns(columns: CqnColumn[]): CqlQuery;
  where(condition: Record<string, unknown> | string, ...values: unknown[]): CqlQuery;
  orderBy(...columns: string[]): CqlQuery;
  limit(rows: number): CqlQuery;
}

const columns = (names: readonly string[]): CqnColumn[] => names.map((name) => ({ ref: [name] }));
const expand = (navigation: string, children: CqnColumn[]): CqnColumn => ({ ref: [navigation], expand: children });
const PURCHASE_ORDER_COLUMNS = [...columns(PURCHASE_ORDER_FIELDS), expand('to_PurchaseOrderItem', columns(PURCHASE_ORDER_ITEM_FIELDS))];
const PHONE_FIELDS = ['AddressID', 'Person', 'OrdinalNumber', 'PhoneNumber', 'InternationalPhoneNumber', 'IsDefaultPhoneNumber', 'PhoneNumberType'];
const BUSINESS_PARTNER_COLUMNS = [
  ...columns(['BusinessPartner', 'BusinessPartnerFullName', 'OrganizationBPName1']),
  expand('to_BusinessPartnerAddress', [
    ...columns(['BusinessPartner', 'AddressID', 'StreetName', 'HouseNumber', 'PostalCode', 'CityName', 'Country']),
    expand('to_EmailAddress', columns(['AddressID', 'Person', 'OrdinalNumber', 'EmailAddress', 'IsDefaultEmailAddress'])),
    expand('to_PhoneNumber', columns(PHONE_FIELDS)),
    expand('to_MobilePhoneNumber', columns(PHONE_FIELDS)),
  ]),
];
export interface RemoteService {
  run(query: CqlQuery): Promise<unknown>;
  send(request: { method: string; path: string; data?: unknown; headers?: Record<string, string> }): Promise<unknown>;
}

let cdsLoading: Promise<{ cds: Cds; purchaseOrderModel: unknown; businessPartnerModel: unknown }> | undefined;

/** Loads cds and the two compiled models once per process (no environment is read). */
function loadCds() {
  cdsLoading ??= (async () => {
    // cds is CommonJS without type declarations here; require() keeps it lazy all the same.
    const cds = createRequire(import.meta.url)('@sap/cds') as Cds;
    // cds logs every failed remote call as a warning; failures reach the caller as ConnectorError instead.
    cds.log('remote', 'error');
    const load = async (name: string) => cds.compile.for.nodejs(JSON.parse(await readFile(join(modelDir, `${name}.csn`), 'utf8')));
    const [purchaseOrderModel, businessPartnerModel] = await Promise.all([load(PO_SERVICE), load(BP_SERVICE)]);
    return { cds, purchaseOrderModel, businessPartnerModel };
  })();
  return cdsLoading;
}

export interface SapClient {
  cds: Cds;
  purchaseOrders: RemoteService;
  businessPartners: RemoteService;
}

const clients = new Map<string, Promise<SapClient>>();

function credentials(url: string, settings: SapSettings) {
  return {
    url,
    username: settings.username,
    password: settings.password,
    requestTimeout: settings.timeoutMs,
    ...(settings.sapClient ? { queryParameters: { 'sap-client': settings.sapClient } } : {}),
  };
}

/** One pair of remote services per SAP address and user, created on first use. */
export function sapClient(settings: SapSettings): Promise<SapClient> {
  // Checked on every use, not only when the client is made: the allowed hosts may have changed since.
  assertOutbound(settings.purchaseOrderServiceUrl, 'SAP purchase order API');
  assertOutbound(settings.businessPartnerServiceUrl, 'SAP business partner API');
  const key = JSON.stringify([settings.purchaseOrderServiceUrl, settings.businessPartnerServiceUrl, settings.username, settings.password, settings.sapClient, settings.timeoutMs]);
  let client = clients.get(key);
  if (!client) {
    client = (async () => {
      const { cds, purchaseOrderModel, businessPartnerModel } = await loadCds();
      // Options passed explicitly: cds.connect.to then creates a fresh, uncached service and
      // never looks at cds.requires or ~/.cds-services.json bindings.
      const [purchaseOrders, businessPartners] = await Promise.all([
        cds.connect.to(PO_SERVICE, { kind: 'odata-v2', model: purchaseOrderModel, credentials: credentials(settings.purchaseOrderServiceUrl, settings), csrf: true }),
        cds.connect.to(BP_SERVICE, { kind: 'odata-v2', model: businessPartnerModel, credentials: credentials(settings.businessPartnerServiceUrl, settings) }),
      ]);
      return { cds, purchaseOrders: guarded(purchaseOrders, 'SAP purchase order API'), businessPartners: guarded(businessPartners, 'SAP business partner API') };
    })();
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

/**
 * cds sends through the global fetch, which follows redirects by itself; withOutboundCheck holds every hop
 * to SEALFLOW_OUTBOUND_ALLOW, so a listed SAP host cannot bounce the basic credentials to another host.
 * The service is this client's own (cds.connect.to with options makes an uncached one), so it is wrapped in place.
 */
function guarded(service: RemoteService, what: string): RemoteService {
  const { run, send } = service;
  service.run = (...args: Parameters<RemoteService['run']>) => withOutboundCheck(what, () => run.apply(service, args));
  service.send = (...args: Parameters<RemoteService['send']>) => withOutboundCheck(what, () => send.apply(service, args));
  return service;
}

/** cds wraps remote failures as `{ statusCode: 502, reason: { response: { status } } }`; we want SAP's status. */
export function sapError(error: unknown, what: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof OutboundRefusedError) return new ConnectorError('outbound_refused', error.message, { retryable: false, cause: error });
  const status = (error as { reason?: { response?: { status?: number } } })?.reason?.response?.status;
  if (status === undefined) {
    return new ConnectorError('source_unreachable', `SAP ${what}: ${messageOf(error)}`, { retryable: true, cause: error });
  }
  // The status only: cds puts SAP's own error text in its message, and this one reaches health records and timelines.
  return new ConnectorError(isRetryableStatus(status) ? 'source_failed' : 'source_rejected', `SAP ${what} answered ${status}`, {
    retryable: isRetryableStatus(status),
    status,
    cause: error,
  });
}

/**
 * Released purchase orders changed at or after `changedAt`, oldest first, items expanded.
 * Ordered by (LastChangeDateTime, PurchaseOrder) so that paging by cursor is stable.
 */
export async function readReleasedPurchaseOrders(client: SapClient, query: { changedAt: string; top: number; releasedStatus: string }): Promise<{ rows: ODataPurchaseOrder[]; serverHasMore: boolean }> {
  const { SELECT } = client.cds.ql;
  const cql = SELECT.from(`${PO_SERVICE}.A_PurchaseOrder`)
    .columns(PURCHASE_ORDER_COLUMNS)
    .where({ PurchasingProcessingStatus: query.releasedStatus, LastChangeDateTime: { '>=': query.changedAt } })
    .orderBy('LastChangeDateTime', 'PurchaseOrder')
    .limit(query.top);
  try {
    const rows = (await client.purchaseOrders.run(cql)) as ODataPurchaseOrder[] & { $next?: string };
    // SAP may cap the page below $top and answer with __next (cds exposes it as $next).
    return { rows, serverHasMore: rows.length >= query.top || Boolean(rows.$next) };
  } catch (error) {
    throw sapError(error, 'purchase order read');
  }
}

/** One purchase order by number (for business events), items expanded; undefined if SAP has none. */
export async function readPurchaseOrder(client: SapClient, purchaseOrder: string): Promise<ODataPurchaseOrder | undefined> {
  const { SELECT } = client.cds.ql;
  const cql = SELECT.from(`${PO_SERVICE}.A_PurchaseOrder`).columns(PURCHASE_ORDER_COLUMNS).where({ PurchaseOrder: purchaseOrder });
  try {
    const rows = (await client.purchaseOrders.run(cql)) as ODataPurchaseOrder[];
    return rows[0];
  } catch (error) {
    throw sapError(error, `read of purchase order ${purchaseOrder}`);
  }
}

/** Suppliers by business-partner number, with address, e-mail and phones, in one request. */
export async function readSuppliers(client: SapClient, ids: string[]): Promise<Map<string, Supplier>> {
  const suppliers = new Map<string, Supplier>();
  if (ids.length === 0) return suppliers;
  const { SELECT } = client.cds.ql;
  const cql = SELECT.from(`${BP_SERVICE}.A_BusinessPartner`).columns(BUSINESS_PARTNER_COLUMNS).where({ BusinessPartner: { in: ids } });
  try {
    const rows = (await client.businessPartners.run(cql)) as ODataBusinessPartner[];
    for (const row of rows) suppliers.set(row.BusinessPartner ?? '', toSupplier(row));
    return suppliers;
  } catch (error) {
    throw sapError(error, 'business partner read');
  }
}

export interface PurchaseOrderNote {
  PurchaseOrder: string;
  TextObjectType: string;
  Language: string;
  PlainLongText: string;
}

/** The header note of one text type and language, if any. */
export async function readNote(client: SapClient, key: Omit<PurchaseOrderNote, 'PlainLongText'>): Promise<PurchaseOrderNote | undefined> {
  try {
    const result = (await client.purchaseOrders.send({ method: 'GET', path: `A_PurchaseOrderNote${keyPredicate({ ...key })}` })) as PurchaseOrderNote | undefined;
    return result ?? undefined;
  } catch (error) {
    const mapped = sapError(error, 'note read');
    if (mapped.status === 404) return undefined;
    throw mapped;
  }
}

/** Creates the header note through the order's navigation (POST …/A_PurchaseOrder('…')/to_PurchaseOrderNote), or replaces its text. */
export async function writeNote(client: SapClient, note: PurchaseOrderNote, exists: boolean): Promise<void> {
  try {
    if (exists) {
      const { PlainLongText, ...key } = note;
      // OData V2 partial update: SAP Gateway accepts PATCH (and MERGE) on notes.
      await client.purchaseOrders.send({ method: 'PATCH', path: `A_PurchaseOrderNote${keyPredicate({ ...key })}`, data: { PlainLongText } });
    } else {
      await client.purchaseOrders.send({ method: 'POST', path: `A_PurchaseOrder${keyPredicate({ PurchaseOrder: note.PurchaseOrder })}/to_PurchaseOrderNote`, data: note });
    }
  } catch (error) {
    throw sapError(error, `note on purchase order ${note.PurchaseOrder}`);
  }
}
