// Every connector Sealflow ships, by id. Importing this loads no heavy client: SAP's cds
// and OA's soap are imported inside the functions that call them.
import { bpmWebhook } from './bpm';
import { ehrNewHires } from './ehr';
import { describeConnector, type AnyConnector, type ConnectorDescription } from './kit/define';
import { oaWorkflow } from './oa';
import { sapPurchaseOrders } from './sap';
import { srmSupplierOnboarding } from './srm';

export const CONNECTORS: readonly AnyConnector[] = [sapPurchaseOrders, oaWorkflow, ehrNewHires, srmSupplierOnboarding, bpmWebhook];

const byId = new Map(CONNECTORS.map((connector) => [connector.id, connector]));

export function getConnector(id: string): AnyConnector | undefined {
  return byId.get(id);
}

/** What the designer lists: ids, names, settings schemas (secret fields marked), triggers, actions. */
export function listConnectors(): ConnectorDescription[] {
  return CONNECTORS.map(describeConnector);
}
