// A stand-in S/4HANA on loopback, run as its own process by `startSapServer()`:
// CAP serves SAP's purchase-order and business-partner models (imported from SAP's own
// EDMX, see connectors/sap/model/) from an in-memory SQLite database, and the OData V2
// adapter (cov2ap) puts SAP's wire format in front of it: /Date(...)/ values, decimals as
// strings, `d.results`, `__next` paging.
//
// Started with its own HOME (so `~/.cds-services.json` from any earlier `cds serve` is
// never read) and port 0; it prints `{"port": n}` on stdout once it listens.
// A small control API under /__mock lets tests seed, release and change purchase orders.
import express from 'express';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPurchaseOrders, buildSuppliers, type SeedOptions } from './seed';

const here = dirname(fileURLToPath(import.meta.url));
const modelDir = join(here, '../../../connectors/sap/model');
const require = createRequire(import.meta.url);
const PO = 'API_PURCHASEORDER_PROCESS_SRV';
const BP = 'API_BUSINESS_PARTNER';

// cds is CommonJS; loading it through require keeps one instance for cds and cov2ap alike.
const cds = require('@sap/cds');
const cov2ap = require('@cap-js-community/odata-v2-adapter');

const pageSize = Number(process.env.SAP_MOCK_PAGE_SIZE ?? 1000);
cds.env.requires.db = { kind: 'sqlite', impl: '@cap-js/sqlite', credentials: { url: ':memory:' } };
// Server-driven paging, as S/4HANA does: a request for more rows than this gets `__next`.
cds.env.query = { ...cds.env.query, limit: { max: pageSize, default: pageSize } };
cds.env.log.levels = { ...cds.env.log.levels, cds: 'error', serve: 'error', cov2ap: 'error', 'cov2ap/hpm': 'error', sqlite: 'error', db: 'error' };

const csn = await cds.load([join(modelDir, `${PO}.csn`), join(modelDir, `${BP}.csn`)], { silent: true });
// Mocking an external service: its entities get tables, and each service sits at the path SAP uses.
cds.deploy.include_external_entities_in(csn);
csn.definitions[PO]['@path'] = `/sap/opu/odata/sap/${PO}`;
csn.definitions[BP]['@path'] = `/sap/opu/odata/sap/${BP}`;
cds.model = cds.compile.for.nodejs(csn);

const db = await cds.connect.to('db');
await cds.deploy(cds.model).to(db, { mocked: true });

const app = express();
// cov2ap rewrites /odata/v2/<path> to the V4 service at /odata/v4/<path> over HTTP on this same server.
app.use(cov2ap({ targetPath: 'odata/v4', path: 'odata/v2' }));
await cds.serve('all', { mocked: true }).from(cds.model).in(app);

const entity = (service: string, name: string) => `${service}.${name}`;
const table = (service: string, name: string) => `${service}_${name}`;
app.use('/__mock', express.json({ limit: '50mb' }));

/** Replaces all data with `count` generated purchase orders and their suppliers. */
app.post('/__mock/seed', async (req, res) => {
  const options = req.body as SeedOptions;
  const { headers, items } = buildPurchaseOrders(options);
  const suppliers = buildSuppliers(options);
  await db.run(async () => {
    // Plain SQL: CAP's deep delete would follow compositions the EDMX leaves without keys.
    for (const name of ['A_PurchaseOrderItem', 'A_PurchaseOrder', 'A_PurchaseOrderNote']) await db.run(`DELETE FROM ${table(PO, name)}`);
    for (const name of ['A_AddressEmailAddress', 'A_AddressPhoneNumber', 'A_BusinessPartnerAddress', 'A_BusinessPartner']) await db.run(`DELETE FROM ${table(BP, name)}`);
    for (let i = 0; i < headers.length; i += 500) await db.run(cds.ql.INSERT.into(entity(PO, 'A_PurchaseOrder')).entries(headers.slice(i, i + 500)));
    for (let i = 0; i < items.length; i += 500) await db.run(cds.ql.INSERT.into(entity(PO, 'A_PurchaseOrderItem')).entries(items.slice(i, i + 500)));
    await db.run(cds.ql.INSERT.into(entity(BP, 'A_BusinessPartner')).entries(suppliers.partners));
    await db.run(cds.ql.INSERT.into(entity(BP, 'A_BusinessPartnerAddress')).entries(suppliers.addresses));
    await db.run(cds.ql.INSERT.into(entity(BP, 'A_AddressEmailAddress')).entries(suppliers.emails));
    await db.run(cds.ql.INSERT.into(entity(BP, 'A_AddressPhoneNumber')).entries(suppliers.phones));
  });
  res.json({ purchaseOrders: headers.length, items: items.length, suppliers: suppliers.partners.length });
});

/** Changes one purchase order header as SAP would: the change stamps LastChangeDateTime. */
app.post('/__mock/purchase-orders/:po', async (req, res) => {
  const changes = { ...(req.body as Record<string, unknown>), LastChangeDateTime: new Date().toISOString() };
  const updated = await db.run(cds.ql.UPDATE(entity(PO, 'A_PurchaseOrder')).set(changes).where({ PurchaseOrder: req.params.po }));
  res.status(updated ? 200 : 404).json({ updated });
});

/** Header notes written back by the connector. */
app.get('/__mock/notes', async (_req, res) => {
  res.json(await db.run(cds.ql.SELECT.from(entity(PO, 'A_PurchaseOrderNote'))));
});

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  // cov2ap binds its routes when CAP announces the listening server.
  cds.emit('listening', { server, url: `http://127.0.0.1:${port}` });
  process.stdout.write(JSON.stringify({ port }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
