// Public surface of evidence/: the evidence package (证据包) and anchoring (全链路存证).
// Sits between the door (server/, scripts/) and the capabilities it reads: signing/ (event
// chain, CMS, timestamps), store/ (documents, contracts, identity records, anchors), flows/.
export { evidenceChainOf, evidenceEventsOf } from './events';
export { evidenceFiles, evidenceZip, type EvidenceFile, type EvidencePackageOptions } from './package';
export { anchorNewEvents, anchorProofs, proveContract, proveChain, rootImprint, type AnchorOptions, type AnchorOutcome, type AnchorProof, type ContractProof, type ProofCheck } from './anchoring';
export { provePackage, type PackageProof } from './package-proof';
export { inclusionPath, merkleRoot, verifyInclusion } from './merkle';
