// The help of `sealflow anchor` and `sealflow prove`, apart from their code so `sealflow --help` loads nothing heavy.
export const EVIDENCE_HELP = `  anchor [--json]
      seals the evidence events recorded since the last anchor under one Merkle root,
      stamped by SEALFLOW_ANCHOR_TSA_URL (else SEALFLOW_TSA_URL, else the hub's own TSA).
      The worker does this on a schedule (SEALFLOW_ANCHOR_EVERY, default PT1H).

  prove <contractId> [--json] [--trust <root.pem>]…
  prove --package <evidence.zip> [--json] [--trust <root.pem>]…
      proves a contract's events (as stored now, or as an evidence package holds them)
      against the anchored roots and their timestamp tokens; lists events not yet anchored.
      Exit code 0 when every anchored event holds, 1 when one does not or none is anchored.`;
