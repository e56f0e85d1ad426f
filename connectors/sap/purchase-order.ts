// The purchase order as a mapping sees it: SAP's header, items and supplier, with SAP's
// wire formats resolved (dates as ISO, decimals as exact strings, an exact net total).
// Field names stay close to SAP's so a mapping author can find them in SAP's docs.
import { lineAmount, sumDecimals } from './decimal';
import { parseODataDate, parseODataDateTime } from './odata-v2';

export const RELEASED_STATUS = '05';

/** The header properties read from A_PurchaseOrder (its $select). */
export const PURCHASE_ORDER_FIELDS = [
  'PurchaseOrder', 'PurchasingProcessingStatus', 'LastChangeDateTime', 'CompanyCode', 'PurchaseOrderType',
  'PurchasingOrganization', 'PurchasingGroup', 'Supplier', 'DocumentCurrency', 'PurchaseOrderDate',
  'ValidityStartDate', 'ValidityEndDate', 'PaymentTerms', 'CreatedByUser',
] as const;

/** The item properties read from A_PurchaseOrderItem. */
export const PURCHASE_ORDER_ITEM_FIELDS = [
  'PurchaseOrder', 'PurchaseOrderItem', 'PurchaseOrderItemText', 'Material', 'Plant', 'OrderQuantity',
  'PurchaseOrderQuantityUnit', 'NetPriceAmount', 'NetPriceQuantity', 'DocumentCurrency',
] as const;

type Raw<K extends string> = { [P in K]?: string | number | boolean | null };
export type ODataPurchaseOrderItem = Raw<(typeof PURCHASE_ORDER_ITEM_FIELDS)[number]>;
export type ODataPurchaseOrder = Raw<(typeof PURCHASE_ORDER_FIELDS)[number]> & {
  to_PurchaseOrderItem?: ODataPurchaseOrderItem[] | { results: ODataPurchaseOrderItem[] };
};

export interface Supplier {
  id: string;
  name?: string;
  address?: { street?: string; houseNumber?: string; postalCode?: string; city?: string; country?: string };
  email?: string;
  phone?: string;
  mobile?: string;
}

export interface PurchaseOrderItem {
  item: string;
  text?: string;
  material?: string;
  plant?: string;
  quantity: string;
  unit?: string;
  netPrice: string;
  priceUnit: string;
  /** quantity × netPrice ÷ priceUnit, 2 places. */
  netAmount: string;
}

export interface PurchaseOrder {
  purchaseOrder: string;
  status: string;
  released: boolean;
  lastChangedAt: string;
  companyCode?: string;
  type?: string;
  purchasingOrganization?: string;
  purchasingGroup?: string;
  currency?: string;
  orderDate?: string;
  validFrom?: string;
  validTo?: string;
  paymentTerms?: string;
  createdBy?: string;
  /** Sum of the items' net amounts, exact, 2 places, as a string (Edm.Decimal). */
  netAmount: string;
  items: PurchaseOrderItem[];
  supplier: Supplier;
}

const text = (value: unknown): string | undefined => (value === null || value === undefined || value === '' ? undefined : String(value));
const date = (value: unknown) => (typeof value === 'string' && value ? parseODataDate(value) : undefined);

function itemsOf(raw: ODataPurchaseOrder): ODataPurchaseOrderItem[] {
  const items = raw.to_PurchaseOrderItem;
  if (!items) return [];
  return Array.isArray(items) ? items : items.results;
}

export function toPurchaseOrder(raw: ODataPurchaseOrder, supplier: Supplier | undefined): PurchaseOrder {
  const purchaseOrder = text(raw.PurchaseOrder);
  if (!purchaseOrder) throw new TypeError('purchase order without PurchaseOrder key');
  const items = itemsOf(raw)
    .map((item): PurchaseOrderItem => {
      const quantity = text(item.OrderQuantity) ?? '0';
      const netPrice = text(item.NetPriceAmount) ?? '0';
      const priceUnit = text(item.NetPriceQuantity) && Number(item.NetPriceQuantity) !== 0 ? String(item.NetPriceQuantity) : '1';
      return {
        item: text(item.PurchaseOrderItem) ?? '',
        text: text(item.PurchaseOrderItemText),
        material: text(item.Material),
        plant: text(item.Plant),
        quantity,
        unit: text(item.PurchaseOrderQuantityUnit),
        netPrice,
        priceUnit,
        netAmount: lineAmount(quantity, netPrice, priceUnit),
      };
    })
    .sort((a, b) => a.item.localeCompare(b.item));
  const status = text(raw.PurchasingProcessingStatus) ?? '';
  return {
    purchaseOrder,
    status,
    released: status === RELEASED_STATUS,
    lastChangedAt: parseODataDateTime(String(raw.LastChangeDateTime)),
    companyCode: text(raw.CompanyCode),
    type: text(raw.PurchaseOrderType),
    purchasingOrganization: text(raw.PurchasingOrganization),
    purchasingGroup: text(raw.PurchasingGroup),
    currency: text(raw.DocumentCurrency),
    orderDate: date(raw.PurchaseOrderDate),
    validFrom: date(raw.ValidityStartDate),
    validTo: date(raw.ValidityEndDate),
    paymentTerms: text(raw.PaymentTerms),
    createdBy: text(raw.CreatedByUser),
    netAmount: sumDecimals(items.map((i) => i.netAmount)),
    items,
    supplier: supplier ?? { id: text(raw.Supplier) ?? '' },
  };
}

/** What A_BusinessPartner returns with its addresses, e-mails and phones expanded. */
export interface ODataBusinessPartner {
  BusinessPartner?: string;
  BusinessPartnerFullName?: string | null;
  OrganizationBPName1?: string | null;
  to_BusinessPartnerAddress?: ODataAddress[] | { results: ODataAddress[] };
}
interface ODataAddress {
  StreetName?: string | null;
  HouseNumber?: string | null;
  PostalCode?: string | null;
  CityName?: string | null;
  Country?: string | null;
  to_EmailAddress?: Array<{ EmailAddress?: string; IsDefaultEmailAddress?: boolean }> | { results: Array<{ EmailAddress?: string; IsDefaultEmailAddress?: boolean }> };
  to_PhoneNumber?: ODataPhone[] | { results: ODataPhone[] };
  to_MobilePhoneNumber?: ODataPhone[] | { results: ODataPhone[] };
}
interface ODataPhone { PhoneNumber?: string; InternationalPhoneNumber?: string; IsDefaultPhoneNumber?: boolean; PhoneNumberType?: string }

const list = <T>(value: T[] | { results: T[] } | undefined): T[] => (!value ? [] : Array.isArray(value) ? value : value.results);
const preferDefault = <T>(values: T[], isDefault: (v: T) => boolean | undefined) => values.find((v) => isDefault(v)) ?? values[0];

export function toSupplier(raw: ODataBusinessPartner): Supplier {
  const address = list(raw.to_BusinessPartnerAddress)[0];
  const email = address && preferDefault(list(address.to_EmailAddress), (e) => e.IsDefaultEmailAddress);
  // SAP: phone type 3 is mobile. to_MobilePhoneNumber holds those; to_PhoneNumber the landlines.
  const mobiles = address ? list(address.to_MobilePhoneNumber).filter((p) => !p.PhoneNumberType || p.PhoneNumberType === '3') : [];
  const phones = address ? list(address.to_PhoneNumber).filter((p) => p.PhoneNumberType !== '3') : [];
  const phoneText = (p?: ODataPhone) => text(p?.InternationalPhoneNumber) ?? text(p?.PhoneNumber);
  return {
    id: raw.BusinessPartner ?? '',
    name: text(raw.BusinessPartnerFullName) ?? text(raw.OrganizationBPName1),
    address: address
      ? { street: text(address.StreetName), houseNumber: text(address.HouseNumber), postalCode: text(address.PostalCode), city: text(address.CityName), country: text(address.Country) }
      : undefined,
    email: text(email?.EmailAddress),
    phone: phoneText(preferDefault(phones, (p) => p.IsDefaultPhoneNumber)),
    mobile: phoneText(preferDefault(mobiles, (p) => p.IsDefaultPhoneNumber)),
  };
}
