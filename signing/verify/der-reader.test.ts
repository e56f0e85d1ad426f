// The verifier's DER reader on what pkijs would also read, and on what it must refuse.
import { describe, expect, it } from 'vitest';
import { oid, sequence, tlv } from '../der';
import { children, DerError, octets, oidText, readNode, timeValue } from './der-reader';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('DER reader', () => {
  it('reads object identifiers, including long arcs', () => {
    for (const dotted of ['1.2.840.113549.1.9.16.2.47', '2.16.840.1.101.3.4.2.1', '2.5.4.97', '1.3.6.1.4.1.55555.1.1']) expect(oidText(readNode(oid(dotted), 0))).toBe(dotted);
  });

  it('reads UTCTime and GeneralizedTime with fractions and offsets', () => {
    const time = (tag: number, text: string) => timeValue(readNode(tlv(tag, Buffer.from(text)), 0)).toISOString();
    expect(time(0x17, '250102030405Z')).toBe('2025-01-02T03:04:05.000Z');
    expect(time(0x17, '990102030405Z')).toBe('1999-01-02T03:04:05.000Z');
    expect(time(0x18, '20250102030405.25Z')).toBe('2025-01-02T03:04:05.250Z');
    expect(time(0x18, '20250102110405+0800')).toBe('2025-01-02T03:04:05.000Z');
    expect(() => time(0x18, 'yesterday')).toThrow(DerError);
  });

  it('reads BER indefinite lengths and constructed OCTET STRINGs', () => {
    const indefinite = bytes(0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0x61, 0x04, 0x01, 0x62, 0x00, 0x00, 0x00, 0x00);
    const node = readNode(indefinite, 0);
    expect(node.end).toBe(indefinite.length);
    expect(Buffer.from(octets(children(node)[0])).toString()).toBe('ab');
  });

  it('refuses elements that run past their container, and lengths beyond four bytes', () => {
    expect(() => readNode(bytes(0x30, 0x05, 0x02, 0x01), 0)).toThrow(DerError);
    expect(() => children(readNode(sequence(bytes(0x02, 0x05, 0x01)), 0))).toThrow(/runs past/);
    expect(() => readNode(bytes(0x04, 0x85, 1, 0, 0, 0, 0), 0)).toThrow(/bad length/);
    expect(() => readNode(bytes(0x30, 0x80, 0x02, 0x01, 0x01), 0)).toThrow(/end-of-contents|past/);
  });

  it('refuses nesting deeper than it walks', () => {
    let nested: Uint8Array = bytes(0x05, 0x00);
    for (let i = 0; i < 100; i++) nested = Uint8Array.from([0x30, 0x80, ...nested, 0x00, 0x00]);
    expect(() => readNode(nested, 0)).toThrow(/too deep/);
  });
});
