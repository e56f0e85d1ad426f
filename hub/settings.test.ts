import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { hubSettings } from './settings';

const key = 'ab'.repeat(32);

describe('hubSettings', () => {
  it('stops a part without a Temporal address or a master key, naming the setting', () => {
    expect(() => hubSettings(loadConfig({ SEALFLOW_MASTER_KEY: key }))).toThrow(ConfigError);
    expect(() => hubSettings(loadConfig({ SEALFLOW_MASTER_KEY: key }))).toThrow(/^TEMPORAL_ADDRESS: must be set/);
    expect(() => hubSettings(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }))).toThrow(/^SEALFLOW_MASTER_KEY: must be set, the same in every server and worker/);
  });

  it('gives server and worker the same queue, namespace, link secret and sender from one environment', () => {
    const settings = hubSettings(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'contracts', TEMPORAL_TASK_QUEUE: 'q1', SEALFLOW_MASTER_KEY: key, SEALFLOW_PUBLIC_URL: 'https://sign.example.com', SEALFLOW_COMPANY_NAME: '启明智能' }));
    expect(settings).toEqual({
      address: 'temporal:7233',
      namespace: 'contracts',
      taskQueue: 'q1',
      contractIdScope: '',
      masterKey: Buffer.from(key, 'hex'),
      publicUrl: 'https://sign.example.com',
      notices: { companyName: '启明智能', linkDays: 30 },
    });
  });

  it("leaves the public URL to the server's own address only when PORT is 0 and none is set", () => {
    const base = { TEMPORAL_ADDRESS: 'temporal:7233', SEALFLOW_MASTER_KEY: key };
    expect(hubSettings(loadConfig({ ...base, PORT: '0' })).publicUrl).toBeNull();
    expect(hubSettings(loadConfig({ ...base, PORT: '0', SEALFLOW_PUBLIC_URL: 'https://sign.example.com' })).publicUrl).toBe('https://sign.example.com');
    expect(hubSettings(loadConfig({ ...base, PORT: '8080' })).publicUrl).toBe('http://localhost:8080');
  });
});
