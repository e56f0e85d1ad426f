// The master key that seals connector secrets: read once from SEALFLOW_MASTER_KEY, refused
// with the setting's name when it is not 32 bytes.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

describe('SEALFLOW_MASTER_KEY', () => {
  it('takes 64 hex digits or the base64 of 32 bytes, and is absent when unset', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(loadConfig({ SEALFLOW_MASTER_KEY: bytes.toString('hex') }).masterKey?.equals(bytes)).toBe(true);
    expect(loadConfig({ SEALFLOW_MASTER_KEY: bytes.toString('base64') }).masterKey?.equals(bytes)).toBe(true);
    expect(loadConfig({ SEALFLOW_MASTER_KEY: bytes.toString('base64url') }).masterKey?.equals(bytes)).toBe(true);
    expect(loadConfig({}).masterKey).toBeNull();
  });

  it.each(['too-short', 'ab'.repeat(31), Buffer.alloc(16).toString('base64'), 'z'.repeat(64)])('refuses %s, naming the setting', (value) => {
    expect(() => loadConfig({ SEALFLOW_MASTER_KEY: value })).toThrow(ConfigError);
    expect(() => loadConfig({ SEALFLOW_MASTER_KEY: value })).toThrow(/^SEALFLOW_MASTER_KEY: /);
  });
});
