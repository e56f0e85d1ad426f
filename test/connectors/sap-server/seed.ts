// Deterministic purchase orders and suppliers for the stand-in S/4HANA. Values are in
// CAP's internal form (ISO timestamps, 'YYYY-MM-DD' dates, decimals as strings); the
// OData V2 adapter turns them into SAP's wire formats.

export interface SeedOptions {
  /** How many purchase orders, numbered from `firstNumber` (default 4500000001). */
  count: number;
  firstNumber?: number;
  /** Every n-th order is released ('05'); the others are in process ('02') or in release ('03'). Default 2. */
  releasedEvery?: number;
  itemsPerOrder?: number;
  suppliers?: number;
  /** LastChangeDateTime of the first order (ISO); later ones follow, three per second so timestamps tie. */
  changedFrom?: string;
}

export const RELEASED = '05';

export function purchaseOrderNumber(index: number, options: Pick<SeedOptions, 'firstNumber'> = {}): string {
  return String((options.firstNumber ?? 4500000001) + index);
}

export function supplierNumber(index: number): string {
  return String(10300001 + index).padStart(10, '0');
}

export function isReleasedInSeed(index: number, options: Pick<SeedOptions, 'releasedEvery'>): boolean {
  return index % (options.releasedEvery ?? 2) === 0;
}

const CITIES = ['深圳市', '上海市', '苏州市', '杭州市', '成都市'];

export function buildPurchaseOrders(options: SeedOptions) {
  const items: Record<string, unknown>[] = [];
  const headers: Record<string, unknown>[] = [];
  const supplierCount = options.suppliers ?? 20;
  const start = Date.parse(options.changedFrom ?? '2024-03-01T08:00:00Z');
  for (let i = 0; i < options.count; i++) {
    const po = purchaseOrderNumber(i, options);
    const released = isReleasedInSeed(i, options);
    headers.push({
      PurchaseOrder: po,
      CompanyCode: '1010',
      PurchaseOrderType: 'NB',
      PurchasingProcessingStatus: released ? RELEASED : i % 3 === 0 ? '03' : '02',
      CreatedByUser: 'BUYER01',
      CreationDate: '2024-02-28',
      LastChangeDateTime: new Date(start + Math.floor(i / 3) * 1000).toISOString(),
      Supplier: supplierNumber(i % supplierCount),
      PurchasingOrganization: '1010',
      PurchasingGroup: '001',
      PurchaseOrderDate: '2024-02-29',
      DocumentCurrency: 'CNY',
      ValidityStartDate: '2024-03-01',
      ValidityEndDate: '2025-02-28',
      PaymentTerms: '0001',
    });
    const itemCount = options.itemsPerOrder ?? 3;
    for (let n = 1; n <= itemCount; n++) {
      items.push({
        PurchaseOrder: po,
        PurchaseOrderItem: String(n * 10).padStart(5, '0'),
        PurchaseOrderItemText: `电子元件 批次 ${n}`,
        Material: `MAT-${String(i % 97).padStart(4, '0')}-${n}`,
        Plant: '1010',
        OrderQuantity: `${n * 10 + (i % 7)}.000`,
        PurchaseOrderQuantityUnit: 'PC',
        // Thousandths and large values, so that summing them as floats would drift.
        NetPriceAmount: `${(1000 + i) % 9000}.${String((i * 37 + n) % 1000).padStart(3, '0')}`,
        NetPriceQuantity: '1',
        DocumentCurrency: 'CNY',
      });
    }
  }
  return { headers, items };
}

export function buildSuppliers(options: Pick<SeedOptions, 'suppliers'>) {
  const partners: Record<string, unknown>[] = [];
  const addresses: Record<string, unknown>[] = [];
  const emails: Record<string, unknown>[] = [];
  const phones: Record<string, unknown>[] = [];
  for (let s = 0; s < (options.suppliers ?? 20); s++) {
    const bp = supplierNumber(s);
    const addressId = String(22000 + s);
    const city = CITIES[s % CITIES.length];
    partners.push({
      BusinessPartner: bp,
      Supplier: bp,
      BusinessPartnerCategory: '2',
      BusinessPartnerFullName: `${city}华强电子有限公司 ${s + 1}号`,
      OrganizationBPName1: `${city}华强电子有限公司 ${s + 1}号`,
    });
    addresses.push({
      BusinessPartner: bp,
      AddressID: addressId,
      Country: 'CN',
      CityName: city,
      StreetName: '深南中路',
      HouseNumber: String(100 + s),
      PostalCode: '518000',
    });
    emails.push({ AddressID: addressId, Person: '', OrdinalNumber: '1', IsDefaultEmailAddress: true, EmailAddress: `sales${s + 1}@supplier.example.cn` });
    phones.push({ AddressID: addressId, Person: '', OrdinalNumber: '1', IsDefaultPhoneNumber: true, PhoneNumber: `1380013${String(s).padStart(4, '0')}`, PhoneNumberType: '3', DestinationLocationCountry: 'CN' });
  }
  return { partners, addresses, emails, phones };
}
