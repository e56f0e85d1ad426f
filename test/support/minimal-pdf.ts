// The smallest PDF a reader takes: `objects` numbered from 1 (object 1 is the catalog), a
// classic cross-reference table and a trailer. Tests of what the reader or verifier does
// with an odd file build it on this; `count` lets the table claim more entries than it has.
export function minimalPdf(objects: string[], count = objects.length + 1): Buffer {
  let out = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = out.length;
  out += `xref\n0 ${count}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
