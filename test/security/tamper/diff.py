"""pyHanko's difference analysis of every signature in each given PDF, as JSON: the second
opinion the tamper corpus is held against. Usage: diff.py FILE.pdf [FILE.pdf ...]

The policy is pyHanko's default one (StandardDiffPolicy) with the rules that Sealflow's
verifier also holds (issue #9): orphaned objects are not ignored, the document information
dictionary may not change, and no field other than a signature field may be filled in. An
update that needs more than ModificationLevel.FORM_FILLING (a new signature) counts as a
modification.

One rule of Sealflow's is stricter than any pyHanko policy: pyHanko accepts a new, empty but
visible signature field at FORM_FILLING level whatever its appearance paints, where Sealflow
calls any signature widget without a valid signature of its own a change (it is how the
reported attack painted a new amount over page 1). pyHanko's own field listing supplies that
fact: `newUnsignedVisibleFields` names such fields, and they count as a modification too.
"""
import json
import sys

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.diff_analysis.rules.form_field_rules import is_field_visible
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule, DSSCompareRule, FormUpdatingRule, ModificationLevel, ObjectStreamRule,
    SigFieldCreationRule, SigFieldModificationRule, StandardDiffPolicy, SuspiciousModification, XrefStreamRule,
)

STRICT = StandardDiffPolicy(
    global_rules=[
        CatalogModificationRule(),
        XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        DSSCompareRule().as_qualified(ModificationLevel.LTA_UPDATES),
    ],
    form_rule=FormUpdatingRule(field_rules=[SigFieldCreationRule(), SigFieldModificationRule()]),
    ignore_orphaned_objects=False,
)

def empty_visible_sig_fields(handler):
    return {name for name, value, ref in enumerate_sig_fields(handler, filled_status=False) if is_field_visible(ref.get_object())}


result = {}
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        reader = PdfFileReader(f, strict=False)
        empty_now = empty_visible_sig_fields(reader)
        signatures = []
        for sig in reader.embedded_signatures:
            entry = {'field': sig.field_name, 'type': sig.sig_object_type.name if hasattr(sig.sig_object_type, 'name') else str(sig.sig_object_type)}
            try:
                sig.compute_integrity_info(diff_policy=STRICT)
                diff = sig.diff_result
                if isinstance(diff, SuspiciousModification):
                    entry.update(level='SUSPICIOUS', detail=str(diff))
                elif diff is None:
                    entry.update(level='NONE')
                else:
                    entry.update(level=diff.modification_level.name)
                entry['intact'] = bool(sig.compute_digest() is not None and sig.coverage is not None) and sig.evaluate_signature_coverage() is not None
                entry['coverage'] = sig.coverage.name
            except Exception as error:  # a broken signature is an answer too
                entry.update(level='ERROR', detail=f'{type(error).__name__}: {error}')
            try:
                entry['newUnsignedVisibleFields'] = sorted(empty_now - empty_visible_sig_fields(reader.get_historical_resolver(sig.signed_revision)))
            except Exception as error:
                entry.update(level='ERROR', detail=f'{type(error).__name__}: {error}', newUnsignedVisibleFields=[])
            entry['modified'] = entry['level'] in ('ANNOTATIONS', 'OTHER', 'SUSPICIOUS', 'ERROR') or bool(entry['newUnsignedVisibleFields'])
            signatures.append(entry)
        result[path] = signatures
json.dump(result, sys.stdout, indent=1)
