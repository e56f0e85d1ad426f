import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index';

describe('loadConfig', () => {
  it('defaults to the embedded stack: port 3000, SQLite and a dev server under ./data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, databaseUrl: null, adminToken: null, temporal: { address: null, namespace: 'default', taskQueue: 'sealflow-contracts', devServerPort: 7233 } });
    expect(config.sqlitePath).toMatch(/data\/sealflow\.db$/);
  });

  it('stops on a bad setting with a message that names it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(new ConfigError('PORT', 'must be a port number 0-65535, got "eighty"'));
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/^DATABASE_URL: /);
    expect(() => loadConfig({ SEALFLOW_ADMIN_TOKEN: 'short' })).toThrow(/^SEALFLOW_ADMIN_TOKEN: must be at least 16/);
    expect(() => loadConfig({ TEMPORAL_ADDRESS: 'temporal' })).toThrow(/^TEMPORAL_ADDRESS: must be host:port/);
  });

  it('refuses the retired SEALFLOW_FACE_PROVIDER, naming its replacement (face is an identity level now)', () => {
    expect(loadConfig({ SEALFLOW_FACE_PROVIDER: 'none' }).identityProviders).toEqual([]);
    expect(() => loadConfig({ SEALFLOW_FACE_PROVIDER: 'development' })).toThrow(/^SEALFLOW_FACE_PROVIDER: is retired: .*SEALFLOW_IDENTITY_PROVIDERS=local/);
  });

  it('gives signing links 30 days unless SEALFLOW_LINK_DAYS says otherwise, and names the sender only when SEALFLOW_COMPANY_NAME is set', () => {
    expect(loadConfig({}).notices).toEqual({ companyName: null, linkDays: 30 });
    expect(loadConfig({ SEALFLOW_LINK_DAYS: '14', SEALFLOW_COMPANY_NAME: ' 启明智能 ' }).notices).toEqual({ companyName: '启明智能', linkDays: 14 });
    expect(() => loadConfig({ SEALFLOW_LINK_DAYS: '0' })).toThrow(/^SEALFLOW_LINK_DAYS: must be a whole number of days from 1 to 365, got "0"/);
    expect(() => loadConfig({ SEALFLOW_LINK_DAYS: '1.5' })).toThrow(/^SEALFLOW_LINK_DAYS: /);
    expect(() => loadConfig({ SEALFLOW_COMPANY_NAME: '【启明】' })).toThrow(/^SEALFLOW_COMPANY_NAME: /);
  });

  it('renews archives 90 days before their TSA certificate expires unless SEALFLOW_ARCHIVE_RENEWAL_MARGIN says otherwise', () => {
    expect(loadConfig({}).archiveRenewalMarginMs).toBe(90 * 86_400_000);
    expect(loadConfig({ SEALFLOW_ARCHIVE_RENEWAL_MARGIN: 'P180D' }).archiveRenewalMarginMs).toBe(180 * 86_400_000);
    expect(() => loadConfig({ SEALFLOW_ARCHIVE_RENEWAL_MARGIN: '90 days' })).toThrow(/^SEALFLOW_ARCHIVE_RENEWAL_MARGIN: must be an ISO 8601 duration/);
    expect(() => loadConfig({ SEALFLOW_ARCHIVE_RENEWAL_MARGIN: 'P4000D' })).toThrow(/^SEALFLOW_ARCHIVE_RENEWAL_MARGIN: must be between/);
  });

  it('verifies nobody unless SEALFLOW_IDENTITY_PROVIDERS names the local development provider explicitly', () => {
    expect(loadConfig({}).identityProviders).toEqual([]);
    expect(loadConfig({ SEALFLOW_IDENTITY_PROVIDERS: 'none' }).identityProviders).toEqual([]);
    expect(loadConfig({ SEALFLOW_IDENTITY_PROVIDERS: ' local ' }).identityProviders).toEqual(['local']);
    expect(() => loadConfig({ SEALFLOW_IDENTITY_PROVIDERS: 'esign' })).toThrow(/^SEALFLOW_IDENTITY_PROVIDERS: must list providers by name \(local; /);
    expect(() => loadConfig({ SEALFLOW_IDENTITY_PROVIDERS: 'local,local' })).toThrow(/^SEALFLOW_IDENTITY_PROVIDERS: names "local" twice/);
  });

  it('anchors evidence hourly with the hub’s own TSA unless SEALFLOW_ANCHOR_EVERY and SEALFLOW_ANCHOR_TSA_URL say otherwise', () => {
    expect(loadConfig({}).anchor).toEqual({ tsaUrl: null, everyMs: 3_600_000 });
    expect(loadConfig({ SEALFLOW_ANCHOR_EVERY: 'P1D', SEALFLOW_ANCHOR_TSA_URL: 'https://tsa.example.cn/tsr' }).anchor).toEqual({ tsaUrl: 'https://tsa.example.cn/tsr', everyMs: 86_400_000 });
    expect(loadConfig({ SEALFLOW_ANCHOR_EVERY: 'off' }).anchor.everyMs).toBeNull();
    expect(() => loadConfig({ SEALFLOW_ANCHOR_EVERY: 'hourly' })).toThrow(/^SEALFLOW_ANCHOR_EVERY: must be an ISO 8601 duration/);
    expect(() => loadConfig({ SEALFLOW_ANCHOR_EVERY: 'PT10S' })).toThrow(/^SEALFLOW_ANCHOR_EVERY: must be at least a minute/);
    expect(() => loadConfig({ SEALFLOW_ANCHOR_TSA_URL: 'tsa.example.cn' })).toThrow(/^SEALFLOW_ANCHOR_TSA_URL: must be an http\(s\) URL/);
  });
});
