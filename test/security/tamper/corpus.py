"""Writes a corpus of incremental updates to a signed PDF with pyHanko's own PDF writer (an
independent PDF library), so that Sealflow's change-after-signing analysis is tested on bytes
it did not write. Usage: corpus.py SIGNED.pdf UNSIGNED.pdf OUT_DIR TSA_URL

Every file is the signed PDF plus one incremental update. Benign ones add only what a
validator must accept after a signature (another signature, a document timestamp, validation
data referenced from the catalog); hostile ones change what the signers saw or hide something.
Prints the list of written files as JSON: [{"name", "benign"}].
"""
import datetime
import io
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from asn1crypto import keys as asn1_keys, x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from asn1crypto import tsp
from pyhanko.sign.timestamps.api import TimeStamper
import urllib.request
from pyhanko.sign.validation.dss import DocumentSecurityStore

signed_path, unsigned_path, out_dir, tsa_url = sys.argv[1:5]
with open(signed_path, 'rb') as f:
    SIGNED = f.read()
with open(unsigned_path, 'rb') as f:
    UNSIGNED = f.read()

written = []


class UrllibTimeStamper(TimeStamper):
    """RFC 3161 over HTTP with the standard library (pyHanko's own client needs `requests`)."""

    def __init__(self, url):
        super().__init__()
        self.url = url

    async def async_request_tsa_response(self, req):
        request = urllib.request.Request(self.url, data=req.dump(), headers={'Content-Type': 'application/timestamp-query'})
        with urllib.request.urlopen(request, timeout=10) as response:
            return tsp.TimeStampResp.load(response.read())


class Writer(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, except that it leaves /Info and XMP metadata alone (it
    stamps ModDate/Producer by default): each file carries only the change it is named for."""

    def _update_meta(self):
        pass


def writer():
    return Writer(io.BytesIO(SIGNED), strict=False)


def save(name, benign, w=None, data=None):
    if data is None:
        out = io.BytesIO()
        w.write(out)
        data = out.getvalue()
    with open(f'{out_dir}/{name}.pdf', 'wb') as f:
        f.write(data)
    written.append({'name': name, 'benign': benign})


def stream(content, **entries):
    d = generic.DictionaryObject({N('/' + k): v for k, v in entries.items()})
    return generic.StreamObject(d, stream_data=content)


def font(w):
    return w.add_object(generic.DictionaryObject({
        N('/Type'): N('/Font'), N('/Subtype'): N('/Type1'), N('/BaseFont'): N('/Helvetica'),
    }))


def appearance(w, text):
    """A form XObject that paints a white box and `text` over whatever is below it."""
    content = (b'1 1 1 rg 0 0 300 40 re f 0 0 0 rg BT /F1 18 Tf 6 14 Td (' + text + b') Tj ET')
    return w.add_object(stream(
        content, Type=N('/XObject'), Subtype=N('/Form'),
        BBox=generic.ArrayObject(map(generic.FloatObject, (0, 0, 300, 40))),
        Resources=generic.DictionaryObject({N('/Font'): generic.DictionaryObject({N('/F1'): font(w)})}),
    ))


def rect(x, y, w_, h):
    return generic.ArrayObject(map(generic.FloatObject, (x, y, x + w_, y + h)))


def first_page(w):
    page_ref = w.root['/Pages'].raw_get('/Kids')[0]
    return page_ref, page_ref.get_object()


def add_annotation(w, annot):
    page_ref, page = first_page(w)
    annot[N('/P')] = page_ref
    ref = w.add_object(annot)
    annots = page.get('/Annots', generic.ArrayObject())
    if isinstance(annots, generic.IndirectObject):
        annots = annots.get_object()
    annots = generic.ArrayObject(list(annots) + [ref])
    page[N('/Annots')] = annots
    w.update_container(page)
    return ref


# ---- benign -------------------------------------------------------------------------------
save('unchanged', True, data=SIGNED)

# A third signature by someone else (a self-signed certificate: untrusted, but a real signature).
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Third Party')])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
signer = signers.SimpleSigner(
    signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
    signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
    cert_registry=None,
)
out = signers.sign_pdf(
    writer(), signers.PdfSignatureMetadata(field_name='third', subfilter=fields.SigSeedSubFilter.PADES),
    signer=signer, new_field_spec=fields.SigFieldSpec('third', on_page=0, box=(50, 50, 250, 100)),
)
save('third-signature', True, data=out.getvalue())

# A document timestamp from the hub's own TSA.
out = signers.PdfTimeStamper(UrllibTimeStamper(tsa_url)).timestamp_pdf(writer(), 'sha256')
save('document-timestamp', True, data=out.getvalue())

# Validation data (DSS with certificates) referenced from the catalog.
reader = PdfFileReader(io.BytesIO(SIGNED), strict=False)
embedded = reader.embedded_signatures[0]
w = writer()
DocumentSecurityStore.supply_dss_in_writer(w, None, certs=[c.chosen for c in embedded.signed_data['certificates']])
save('dss-added', True, w)

# ---- hostile ------------------------------------------------------------------------------
def add_signature_widget(w, name, value=None):
    """A widget typed as a signature field, listed in the AcroForm and on page 1, whose own
    appearance paints a new amount over the page; `value` is its /V, if any."""
    widget = generic.DictionaryObject({
        N('/Type'): N('/Annot'), N('/Subtype'): N('/Widget'), N('/FT'): N('/Sig'),
        N('/T'): generic.TextStringObject(name), N('/F'): generic.NumberObject(4),
        N('/Rect'): rect(300, 600, 300, 40),
        N('/AP'): generic.DictionaryObject({N('/N'): appearance(w, b'Amount: 9,999,999.00')}),
    })
    if value is not None:
        widget[N('/V')] = value
    field = add_annotation(w, widget)
    acro = w.root['/AcroForm']
    acro['/Fields'].append(field)
    w.update_container(acro['/Fields'] if isinstance(acro.raw_get('/Fields'), generic.IndirectObject) else acro)


# The reported attack: an unsigned signature widget painting a new amount over page 1, plus an
# unreferenced /DSS object to look like validation data.
w = writer()
add_signature_widget(w, 'amount')
w.add_object(generic.DictionaryObject({N('/Type'): N('/DSS'), N('/Certs'): generic.ArrayObject()}))
save('overlay-widget', False, w)

# The same widget without the decoy.
w = writer()
add_signature_widget(w, 'amount')
save('unsigned-signature-widget', False, w)

# A second widget that claims the buyer's existing signature as its value, with a new look.
w = writer()
add_signature_widget(w, 'buyer-copy', value=w.root['/AcroForm']['/Fields'][0].raw_get('/V'))
save('widget-reusing-signature', False, w)

w = writer()
add_annotation(w, generic.DictionaryObject({
    N('/Type'): N('/Annot'), N('/Subtype'): N('/FreeText'), N('/Rect'): rect(300, 600, 300, 40),
    N('/Contents'): generic.TextStringObject('Amount: 9,999,999.00'), N('/DA'): generic.TextStringObject('/Helv 18 Tf 0 g'),
    N('/AP'): generic.DictionaryObject({N('/N'): appearance(w, b'Amount: 9,999,999.00')}),
}))
save('free-text-annotation', False, w)

w = writer()
add_annotation(w, generic.DictionaryObject({
    N('/Type'): N('/Annot'), N('/Subtype'): N('/Stamp'), N('/Name'): N('/Approved'), N('/Rect'): rect(300, 600, 300, 40),
    N('/AP'): generic.DictionaryObject({N('/N'): appearance(w, b'VOID')}),
}))
save('stamp-annotation', False, w)

w = writer()
_, page = first_page(w)
contents = page.raw_get('/Contents')
if isinstance(contents.get_object(), generic.ArrayObject):
    contents = contents.get_object().raw_get(0)
# The same object number, new bytes: what an editor does to "fix a typo".
w.objects[(contents.reference.generation, contents.reference.idnum)] = stream(b'BT /F1 24 Tf 72 700 Td (Amount: 9,999,999.00) Tj ET')
save('content-stream-edited', False, w)

w = writer()
page_ref, page = first_page(w)
replacement = generic.DictionaryObject({k: v for k, v in page.items() if k != '/Contents'})
replacement[N('/Contents')] = w.add_object(stream(b'BT /F1 24 Tf 72 700 Td (A different first page) Tj ET'))
pages = w.root['/Pages']
kids = pages['/Kids']
kids[0] = w.add_object(replacement)
w.update_container(kids if isinstance(pages.raw_get('/Kids'), generic.IndirectObject) else pages)
save('page-replaced', False, w)

w = writer()
acro = w.root['/AcroForm']
fields_ = acro['/Fields']
del fields_[0]
w.update_container(fields_ if isinstance(acro.raw_get('/Fields'), generic.IndirectObject) else acro)
save('field-removed', False, w)

w = writer()
w.add_object(generic.DictionaryObject({N('/Type'): N('/DSS'), N('/Certs'): generic.ArrayObject()}))
save('orphan-dss', False, w)

w = writer()
info_ref = w.trailer.raw_get('/Info')
info = info_ref.get_object()
info[N('/Title')] = generic.TextStringObject('Amended contract: 9,999,999.00')
w.mark_update(info_ref)
save('info-changed', False, w)

w = writer()
w.add_object(stream(b'BT /F1 24 Tf 72 700 Td (never shown, still there) Tj ET'))
save('hidden-object', False, w)

# Not a change after signing, but nobody signed: a document timestamp on an unsigned file.
out = signers.PdfTimeStamper(UrllibTimeStamper(tsa_url)).timestamp_pdf(Writer(io.BytesIO(UNSIGNED), strict=False), 'sha256')
save('timestamp-only', False, data=out.getvalue())

json.dump(written, sys.stdout)
