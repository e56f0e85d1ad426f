import { describe, expect, it } from 'vitest';
import { checkOutbound, OutboundRefusedError, outboundAllowed, parseOutboundAllow } from './outbound';

describe('SEALFLOW_OUTBOUND_ALLOW', () => {
  it('is no restriction when unset or empty', () => {
    expect(parseOutboundAllow(undefined)).toBeNull();
    expect(parseOutboundAllow(' , ')).toBeNull();
    expect(outboundAllowed(null, 'anything.example')).toBe(true);
  });

  it('allows exact hosts, addresses and subdomains of *.domain, nothing else', () => {
    const list = parseOutboundAllow('sap.corp.example.com, *.oa.example.cn ,10.0.0.5, [::1]')!;
    for (const host of ['sap.corp.example.com', 'SAP.corp.example.com', 'a.oa.example.cn', 'x.y.oa.example.cn', '10.0.0.5', '::1', '[::1]']) expect(outboundAllowed(list, host), host).toBe(true);
    for (const host of ['corp.example.com', 'evil-sap.corp.example.com.attacker.net', 'oa.example.cn', 'xoa.example.cn', '10.0.0.6', '127.0.0.1']) expect(outboundAllowed(list, host), host).toBe(false);
  });

  it('refuses a URL whose host is not listed, naming the host and the caller', () => {
    const list = parseOutboundAllow('*.example.com');
    expect(() => checkOutbound('https://sms.example.com/send', 'SMS webhook', list)).not.toThrow();
    expect(() => checkOutbound('https://user:pw@attacker.net:8443/x?y', 'SMS webhook', list)).toThrow(OutboundRefusedError);
    expect(() => checkOutbound('https://attacker.net/', 'SMS webhook', list)).toThrow(/SMS webhook: host attacker\.net is not in SEALFLOW_OUTBOUND_ALLOW/);
  });

  it('names a bad entry', () => {
    expect(() => parseOutboundAllow('sap.example.com, http://x.example.com')).toThrow(/"http:\/\/x\.example\.com"/);
    expect(() => parseOutboundAllow('*.com')).toThrow(/\*\.com/);
  });
});
