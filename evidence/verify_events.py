#!/usr/bin/env python3
"""Checks the evidence events of a Sealflow evidence package with nothing but SHA-256
(Python 3 standard library; no Sealflow, no network).

  python3 verify_events.py [folder]      folder holding events.json (default: this script's)

1. Recomputes every event's hash from events.json: hash = sha256(prevHash + "\\n" + JCS(event)),
   the first prevHash being sha256(contract id). JCS = RFC 8785 canonical JSON of the event's
   fields seq, at, actor, actorName, action, ip, userAgent, intent, documentSha256, detail
   (those that are not null).
2. For each anchors/anchor-<n>.json: recomputes the Merkle root (RFC 6962: leaf =
   sha256(0x00 + event hash bytes), node = sha256(0x01 + left + right)) from the event's
   recomputed hash and the audit path, and compares it with the anchored root and with
   anchor-<n>.root, the 32 bytes the anchor's RFC 3161 token stamps (check the token with
   the openssl command in README.txt).
Exit status 0 when everything holds, 1 when anything does not.
"""
import glob, hashlib, json, os, sys

FIELDS = ["seq", "at", "actor", "actorName", "action", "ip", "userAgent", "intent", "documentSha256", "detail"]

def jcs(value):
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(value[k]) for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if value is True: return "true"
    if value is False: return "false"
    if value is None: return "null"
    if isinstance(value, float) and value.is_integer(): return str(int(value))
    return json.dumps(value, ensure_ascii=False)

def sha256(data): return hashlib.sha256(data).digest()

def event_hash(prev, event):
    content = {k: event[k] for k in FIELDS if event.get(k) is not None}
    return sha256((prev + "\n" + jcs(content)).encode("utf-8")).hex()

def root_from_path(leaf_hex, index, size, path):
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size: return None
    fn, sn, r = index, size - 1, sha256(b"\x00" + bytes.fromhex(leaf_hex))
    for p in (bytes.fromhex(h) for h in path):
        if sn == 0: return None
        if fn % 2 == 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = sha256(b"\x01" + r + p)
        fn, sn = fn // 2, sn // 2
    return r.hex() if sn == 0 else None

def main(folder):
    with open(os.path.join(folder, "events.json"), encoding="utf-8") as f:
        doc = json.load(f)
    failures = []
    prev = hashlib.sha256(doc["contractId"].encode("utf-8")).hexdigest()
    if prev != doc["genesis"]: failures.append("genesis is not sha256(contractId)")
    recomputed = {}
    for event in doc["events"]:
        if event["prevHash"] != prev:
            failures.append("event %s: does not link to the event before it (removed, inserted or reordered)" % event["seq"])
        h = event_hash(prev, event)
        if h != event["hash"]:
            failures.append("event %s: its content no longer matches its hash (changed)" % event["seq"])
        recomputed[event["seq"]] = h
        prev = h
    if prev != doc["head"]: failures.append("the chain ends at %s, not at the head %s" % (prev, doc["head"]))
    print("events: %d, head %s" % (len(doc["events"]), prev))
    for path in sorted(glob.glob(os.path.join(folder, "anchors", "anchor-*.json"))):
        with open(path, encoding="utf-8") as f:
            proof = json.load(f)
        anchor, leaf = proof["anchor"], proof["leaf"]
        h = recomputed.get(leaf["eventSeq"])
        root = root_from_path(h, leaf["index"], anchor["leafCount"], proof["path"]) if h else None
        with open(path[:-len(".json")] + ".root", "rb") as f:
            stamped = f.read().hex()
        if root != anchor["root"] or stamped != anchor["root"]:
            failures.append("anchor %s: events up to %s do not hash into the anchored root" % (anchor["seq"], leaf["eventSeq"]))
        else:
            print("anchor %s: events 1-%s are in root %s (stamped %s)" % (anchor["seq"], leaf["eventSeq"], root, anchor["stampedAt"]))
    for line in failures: print("FAILED: " + line)
    print("OK" if not failures else "NOT OK")
    return 0 if not failures else 1

if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))))
