import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contractIdFor } from './contract-starter';

describe('contractIdFor', () => {
  it('gives REST starts and connector starts of one flow + source key different contracts', () => {
    for (const scope of ['', 'hub-a']) {
      expect(contractIdFor('supplier-purchase', '4500000001', scope, 'api')).not.toBe(contractIdFor('supplier-purchase', '4500000001', scope, 'connector'));
      // Within one origin, the same key is the same contract.
      expect(contractIdFor('supplier-purchase', '4500000001', scope, 'api')).toBe(contractIdFor('supplier-purchase', '4500000001', scope, 'api'));
    }
  });

  it('keeps the id connector starts always had, so records synced before find their contract', () => {
    const legacy = `ct_${createHash('sha256').update('hub-a\nsupplier-purchase\n4500000001').digest('hex').slice(0, 24)}`;
    expect(contractIdFor('supplier-purchase', '4500000001', 'hub-a', 'connector')).toBe(legacy);
  });

  it('cannot be made to collide across origins through the key or the flow', () => {
    // A connector flow named "api" whose record key holds a newline spells what a REST start's string would be, but for the NUL.
    expect(contractIdFor('api', 'supplier-purchase\n4500000001', '', 'connector')).not.toBe(contractIdFor('supplier-purchase', '4500000001', '', 'api'));
  });
});
