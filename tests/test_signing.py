"""Signed PDFs: sealed with PAdES B-B, still PDF/A-3 and reproducible; ``verify`` names
what is wrong with a changed, extended or untrusted one.

Identities are made by :func:`briefing.signing.create_identity` (what ``make signer`` runs)
in temporary folders; every render is real (papermill, nbconvert, WeasyPrint, pyHanko).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import ROOT, notebook_with_cell

from briefing.cli import main
from briefing.errors import ParameterError
from briefing.render import render_briefing
from briefing.series import render_series
from briefing.signing import create_identity, load_identity, sign_pdf

sys.path.insert(0, str(ROOT / "tools"))
from check_outputs import pdf_checks  # noqa: E402  (the checks make check-outputs runs)

AS_OF = "2024-12-27"
DESK = "Test analysis desk"
NOTEBOOK = ROOT / "notebooks" / "briefing.ipynb"


def identity(folder, name):
    """A fresh self-signed identity in ``folder``, loaded as render loads one."""
    paths = create_identity(folder, name)
    loaded = load_identity(
        paths["identity"], environ={"BRIEFING_SIGNER_PASSPHRASE_FILE": str(paths["passphrase"])}
    )
    return loaded, paths


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """The desk's identity: its certificate is in the data folder's trust list."""
    return identity(tmp_path_factory.mktemp("desk-identity"), DESK)


@pytest.fixture(scope="module")
def data(tmp_path_factory, desk):
    """The shipped data with the desk's name in briefing.yml and its certificate trusted."""
    folder = tmp_path_factory.mktemp("signed-data") / "data"
    shutil.copytree(ROOT / "data", folder)
    settings = folder / "briefing.yml"
    settings.write_text(settings.read_text(encoding="utf-8") + f"desk: {DESK}\n", "utf-8")
    (folder / "trust").mkdir()
    shutil.copy(desk[1]["certificate"], folder / "trust" / "desk.pem")
    return folder


def render(data, out, signer):
    return render_briefing(
        as_of=AS_OF, notebook=NOTEBOOK, output_dir=out, data_dir=data, signer=signer
    )


@pytest.fixture(scope="module")
def signed(tmp_path_factory, data, desk):
    """The 27 Dec briefing rendered and signed twice, into two folders."""
    first = render(data, tmp_path_factory.mktemp("signed-a"), desk[0])
    second = render(data, tmp_path_factory.mktemp("signed-b"), desk[0])
    return first, second


def pyhanko_status(pdf: bytes, trusted_pem):
    """pyHanko's own validation of the file's one signature (not the package's wrapper)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from asn1crypto import pem, x509
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

    _, _, der = pem.unarmor(trusted_pem.read_bytes())
    context = ValidationContext(trust_roots=[x509.Certificate.load(der)], allow_fetching=False)
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    return signature, validate_pdf_signature(signature, context)


def verify(path, data, capsys, *extra) -> tuple[int, str]:
    code = main(["-q", "verify", str(path), "--data-dir", str(data), "--notebook",
                 str(NOTEBOOK), *extra])  # fmt: skip
    return code, capsys.readouterr().out


# --- signing -------------------------------------------------------------------------------


def test_a_signed_pdf_is_byte_identical_on_a_second_render(signed):
    first, second = signed
    assert first.pdf.read_bytes() == second.pdf.read_bytes()
    assert first.pdf.read_bytes()[-6:].strip() == b"%%EOF"


def test_pyhanko_validates_the_signature_as_intact_over_the_whole_file(signed, desk):
    signature, status = pyhanko_status(signed[0].pdf.read_bytes(), desk[1]["certificate"])
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.bottom_line
    assert status.signer_reported_dt.isoformat() == f"{AS_OF}T00:00:00+00:00"
    assert status.md_algorithm == "sha256"
    assert "rsassa_pkcs1v15" in status.pkcs7_signature_mechanism or "rsa" in (
        status.pkcs7_signature_mechanism
    )
    dictionary = signature.sig_object
    assert dictionary["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert dictionary["/Reason"] == f"Issued by {DESK} for {AS_OF}"
    assert dictionary["/Location"] == DESK


def test_the_signed_pdf_passes_the_output_checks_and_keeps_its_attachments(signed):
    briefing = signed[0]
    sections = []  # reading order is checked on the unsigned render by make check-outputs
    for name, passed, detail in pdf_checks(briefing.pdf, sections):
        assert passed, f"{name}: {detail}"
    listed = subprocess.run(["pdfdetach", "-list", str(briefing.pdf)], capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    assert "claims.csv" in listed and "manifest.json" in listed
    from pypdf import PdfReader

    reader = PdfReader(briefing.pdf)
    assert reader.outline, "the bookmarks survive signing"
    xmp = reader.xmp_metadata
    assert xmp is not None and "pdfaid" in xmp.rdf_root.toxml()


def test_the_signature_is_appended_to_the_rendered_document(signed, desk, tmp_path, data):
    """Signing adds an incremental update; the document before it is the unsigned render
    with the same manifest (what verify re-renders)."""
    unsigned = render_briefing(
        as_of=AS_OF, notebook=NOTEBOOK, output_dir=tmp_path, data_dir=data,
        signed_by=desk[0].record(),
    )  # fmt: skip
    plain = unsigned.pdf.read_bytes()
    assert signed[0].pdf.read_bytes().startswith(plain)
    assert sign_pdf(plain, desk[0], AS_OF, DESK) == signed[0].pdf.read_bytes()


def test_the_manifest_records_the_signers_fingerprint(signed, desk):
    import json

    recorded = json.loads((signed[0].folder / "manifest.json").read_text(encoding="utf-8"))
    assert recorded["signer"]["fingerprint_sha256"] == desk[0].fingerprint
    openssl = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
         str(desk[1]["certificate"])], capture_output=True, text=True,
    )  # fmt: skip
    if openssl.returncode == 0:  # openssl is a reader's tool, not the project's
        assert openssl.stdout.strip().endswith("=" + desk[0].fingerprint)


def test_unsigned_rendering_is_the_default_and_unchanged(rendered):
    import json

    recorded = json.loads((rendered.folder / "manifest.json").read_text(encoding="utf-8"))
    assert "signer" not in recorded
    assert b"/ByteRange" not in rendered.pdf.read_bytes()


def test_the_readers_command_line_validates_it(signed, desk):
    """What the README tells a reader to run: ``pyhanko sign validate``."""
    pyhanko = Path(sys.executable).parent / "pyhanko"  # pyhanko-cli: in the test extra
    command = [str(pyhanko), "sign", "validate", "--pretty-print", "--trust",
               str(desk[1]["certificate"]), "--trust-replace", "--no-revocation-check",
               str(signed[0].pdf)]  # fmt: skip
    pretty = subprocess.run(command, capture_output=True, text=True)
    assert pretty.returncode == 0, pretty.stdout + pretty.stderr
    assert "The signature is judged VALID" in pretty.stdout
    assert "The signature covers the entire file" in pretty.stdout
    command.remove("--pretty-print")
    short = subprocess.run(command, capture_output=True, text=True)
    assert short.stdout.strip().endswith("INTACT:TRUSTED,UNTOUCHED"), short.stdout


# --- verify ----------------------------------------------------------------------------------


def test_verify_passes_the_untouched_signed_briefing(signed, data, desk, capsys):
    code, out = verify(signed[0].folder / "manifest.json", data, capsys)
    assert code == 0, out
    assert f"signed by {desk[0].fingerprint}" in out
    assert "valid; covers the whole file; signer trusted" in out


def copy_of(briefing, tmp_path):
    folder = tmp_path / briefing.as_of
    shutil.copytree(briefing.folder, folder)
    return folder, folder / briefing.pdf.name


def test_verify_names_a_byte_changed_after_signing(signed, data, tmp_path, capsys):
    folder, pdf = copy_of(signed[0], tmp_path)
    data_bytes = bytearray(pdf.read_bytes())
    data_bytes[len(data_bytes) // 3] ^= 0x01  # inside the signed range, in the unsigned part
    pdf.write_bytes(bytes(data_bytes))
    code, out = verify(folder / "manifest.json", data, capsys)
    assert code == 1
    assert "signature: briefing-2024-12-27.pdf: the signed bytes were changed after signing" in out
    assert "PDF changed since it was published" in out


def test_verify_names_a_revision_appended_after_signing(signed, data, tmp_path, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    folder, pdf = copy_of(signed[0], tmp_path)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes()))
    writer.root["/Lang"] = generic.TextStringObject("fr")  # a later revision changes a field
    writer.update_root()
    out_stream = io.BytesIO()
    writer.write(out_stream)
    pdf.write_bytes(out_stream.getvalue())
    code, out = verify(pdf, data, capsys)  # the PDF alone: its manifest.json beside it
    assert code == 1
    assert "does not cover the whole file" in out
    assert "bytes were appended after signing" in out


@pytest.fixture(scope="module")
def stranger(tmp_path_factory, data):
    """The briefing signed by a valid identity the desk does not trust."""
    folder = tmp_path_factory.mktemp("stranger")
    signer, paths = identity(folder / "identity", "Someone else")
    return signer, paths, render(data, folder / "reports", signer)


def test_verify_names_a_valid_signature_by_an_untrusted_signer(stranger, data, capsys):
    signer, _, briefing = stranger
    code, out = verify(briefing.folder / "manifest.json", data, capsys)
    assert code == 1
    assert f"the signer {signer.fingerprint} is not in the trust list" in out
    assert "valid; covers the whole file; signer NOT in the trust list" in out
    assert "fresh render: identical" in out  # only the trust is wrong


def test_a_trust_file_given_to_verify_counts(stranger, data, capsys):
    _, paths, briefing = stranger
    code, out = verify(briefing.pdf, data, capsys, "--trust", str(paths["certificate"]))
    assert code == 0, out


# --- configuration errors --------------------------------------------------------------------


def test_a_wrong_passphrase_is_refused_naming_the_file(desk, tmp_path):
    with pytest.raises(ParameterError) as caught:
        load_identity(desk[1]["identity"], environ={"BRIEFING_SIGNER_PASSPHRASE": "not it"})
    message = str(caught.value)
    assert "signer.p12" in message and "passphrase does not open it" in message
    assert "expected a PKCS#12 file" in message


def test_a_signer_that_is_not_pkcs12_is_refused_and_nothing_is_written(data, tmp_path, capsys,
                                                                      monkeypatch):  # fmt: skip
    fake = tmp_path / "desk.p12"
    fake.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    monkeypatch.setenv("BRIEFING_SIGNER_PASSPHRASE", "x")
    out = tmp_path / "reports"
    code = main(["-q", "render", "--as-of", AS_OF, "--data-dir", str(data), "--notebook",
                 str(NOTEBOOK), "--output-dir", str(out), "--signer", str(fake)])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "desk.p12: it is not PKCS#12" in err
    assert not out.exists() or not any(out.iterdir())


def test_a_missing_signer_from_the_environment_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("BRIEFING_SIGNER", str(tmp_path / "gone.p12"))
    with pytest.raises(ParameterError, match=r"gone\.p12: cannot be read"):
        load_identity()


def test_an_ec_key_is_refused_because_its_signature_would_differ_each_time(tmp_path):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EC desk")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(dt.datetime(2020, 1, 1)).not_valid_after(dt.datetime(2040, 1, 1))
            .sign(key, hashes.SHA256()))  # fmt: skip
    path = tmp_path / "ec.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"ec", key, cert, None, serialization.NoEncryption()
        )  # fmt: skip
    )
    with pytest.raises(ParameterError, match="not RSA"):
        load_identity(path, environ={})


def test_create_identity_keeps_secrets_private_and_never_overwrites(tmp_path):
    paths = create_identity(tmp_path / "id", "Desk")
    assert paths["identity"].stat().st_mode & 0o777 == 0o600
    assert paths["passphrase"].stat().st_mode & 0o777 == 0o600
    before = paths["identity"].read_bytes()
    with pytest.raises(ParameterError, match="exists"):
        create_identity(tmp_path / "id", "Desk")
    assert paths["identity"].read_bytes() == before


# --- series ----------------------------------------------------------------------------------


def test_series_signs_every_date_and_renders_again_when_the_signer_changes(dataset, desk,
                                                                           tmp_path):  # fmt: skip
    out = tmp_path / "series"
    first = render_series(out, dataset, NOTEBOOK, jobs=1, signer=desk[0])
    assert first.rendered
    for day in first.rendered:
        assert b"/ETSI.CAdES.detached" in (out / day / f"briefing-{day}.pdf").read_bytes()
    again = render_series(out, dataset, NOTEBOOK, jobs=1, signer=desk[0])
    assert again.rendered == [] and again.skipped == first.rendered
    unsigned = render_series(out, dataset, NOTEBOOK, jobs=1)
    assert unsigned.rendered == first.rendered
    for day in unsigned.rendered:
        assert b"/ByteRange" not in (out / day / f"briefing-{day}.pdf").read_bytes()


def test_with_a_trust_list_an_unsigned_briefing_fails_verify(data, tmp_path, capsys):
    unsigned = render_briefing(as_of="2024-10-24", notebook=NOTEBOOK, output_dir=tmp_path,
                               data_dir=data)  # fmt: skip
    code, out = verify(unsigned.pdf, data, capsys)
    assert code == 1
    assert "is not signed, and the desk keeps a trust list" in out


def test_the_notebook_never_sees_the_signing_secrets(data, desk, tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFING_SIGNER", str(desk[1]["identity"]))
    monkeypatch.setenv("BRIEFING_SIGNER_PASSPHRASE", "a secret")
    path = notebook_with_cell(
        tmp_path,
        "import os\n"
        "assert not [k for k in os.environ if k.startswith('BRIEFING_SIGNER')], 'leaked'",
        "no-secrets",
    )
    briefing = render_briefing(as_of="2024-10-24", notebook=path, output_dir=tmp_path / "out",
                               data_dir=data, signer=desk[0])  # fmt: skip
    assert b"a secret" not in briefing.notebook.read_bytes()


def test_a_signing_time_before_the_certificate_was_valid_is_named(data, tmp_path, capsys):
    """A desk that signs a past date with a certificate issued later claims a time at which
    the certificate was not yet valid: verify says so (viewers do too)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Desk issued in 2025")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
            .not_valid_after(dt.datetime(2035, 6, 1, tzinfo=dt.UTC))
            .sign(key, hashes.SHA256()))  # fmt: skip
    p12 = tmp_path / "late.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"late", key, cert, None, serialization.BestAvailableEncryption(b"pw")))  # fmt: skip
    pem = tmp_path / "late.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    signer = load_identity(p12, environ={"BRIEFING_SIGNER_PASSPHRASE": "pw"})
    briefing = render_briefing(as_of="2024-10-24", notebook=NOTEBOOK, output_dir=tmp_path / "out",
                               data_dir=data, signer=signer)  # fmt: skip
    code, out = verify(briefing.pdf, data, capsys, "--trust", str(pem))
    assert code == 1
    assert "claims the signing time 2024-10-24T00:00:00+00:00, outside its certificate's " in out
