// The connector tests use the common test hub; it already carries the master key that
// seals connector secrets and a raw POST for webhooks.
import { startTestHub, type TestHub, type TestHubOptions } from '../support/hub';

export type ConnectorHub = TestHub;
export const startConnectorHub = (options: TestHubOptions = {}): Promise<ConnectorHub> => startTestHub(options);
