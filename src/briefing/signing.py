"""Sealing a briefing's PDF with a signature, and checking a sealed one.

A desk that configures a signing identity (a PKCS#12 file: ``--signer PATH`` or
``BRIEFING_SIGNER``; its passphrase from ``BRIEFING_SIGNER_PASSPHRASE`` or the file named
by ``BRIEFING_SIGNER_PASSPHRASE_FILE``, never from the command line) gets every PDF signed
with a PAdES baseline B-B signature (pyHanko): an incremental update appended to the
finished PDF/A-3 document, which leaves its bytes, tags, bookmarks and attachments as they
were. The signature is reproducible: its time is the as-of date, the scheme is RSA
PKCS#1 v1.5 with SHA-256 (no random padding), the update's document id is derived from the
unsigned file, and the document's metadata is not touched, so the same inputs and identity
give the same signed bytes.

:func:`check_signatures` reads the signatures back for ``briefing verify``: intact and
valid, covering the whole file (nothing appended after signing), by whom (the SHA-256
fingerprint of the certificate, as ``openssl x509 -fingerprint -sha256`` prints it), and
whether that signer is in the desk's trust list (``data/trust/*.pem``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ExportError, ParameterError, display_path

SIGNER_VARIABLE = "BRIEFING_SIGNER"
PASSPHRASE_VARIABLE = "BRIEFING_SIGNER_PASSPHRASE"
PASSPHRASE_FILE_VARIABLE = "BRIEFING_SIGNER_PASSPHRASE_FILE"
#: The signature field every signed briefing carries.
FIELD = "Briefing signature"
#: Where a data folder keeps the certificates (PEM) of the signers the desk trusts.
TRUST_FOLDER = "trust"

for _name in ("pyhanko", "pyhanko_certvalidator"):
    # their path-building complaints are what check_signatures reports, in one line
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


@dataclass(frozen=True)
class Identity:
    """A signing identity read from a PKCS#12 file: key, certificate, chain.

    Kept as the file's bytes and passphrase (so that it can be handed to the worker
    processes of ``briefing series``) and the certificate (DER); :func:`load_identity` has
    checked that the passphrase opens the file.
    """

    path: str
    data: bytes = field(repr=False)
    passphrase: bytes | None = field(repr=False)
    certificate_der: bytes = field(repr=False)

    @property
    def fingerprint(self) -> str:
        """The SHA-256 fingerprint of the signer's certificate."""
        return fingerprint(self.certificate_der)

    def _subject(self):
        from cryptography import x509

        return x509.load_der_x509_certificate(self.certificate_der).subject

    @property
    def name(self) -> str:
        """Who the certificate names: its organisation, else its common name."""
        from cryptography.x509.oid import NameOID

        subject = self._subject()
        for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
            values = subject.get_attributes_for_oid(oid)
            if values:
                return str(values[0].value)
        return subject.rfc4514_string()

    def record(self) -> dict:
        """What the manifest records of the signer: fingerprint and subject."""
        return {"fingerprint_sha256": self.fingerprint, "subject": self._subject().rfc4514_string()}


def fingerprint(certificate_der: bytes) -> str:
    """``AB:CD:…``: the SHA-256 of a DER certificate, as openssl prints fingerprints."""
    digest = hashlib.sha256(certificate_der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def load_identity(path: Path | str | None = None, environ=None) -> Identity | None:
    """The signing identity: ``path``, else ``$BRIEFING_SIGNER``; ``None`` when neither.

    The passphrase comes from ``$BRIEFING_SIGNER_PASSPHRASE``, else from the file named by
    ``$BRIEFING_SIGNER_PASSPHRASE_FILE`` (one line), else there is none.

    Raises
    ------
    ParameterError
        The file cannot be read, is not PKCS#12, the passphrase does not open it, it holds
        no key and certificate, or its key is not RSA (exit code 2).
    """
    environ = os.environ if environ is None else environ
    path = path or environ.get(SIGNER_VARIABLE) or None
    if path is None:
        return None
    shown = display_path(path)

    def refuse(found: str) -> ParameterError:
        return ParameterError(
            "signer",
            f"{shown}: {found}; expected a PKCS#12 file (.p12) holding an RSA key and its "
            f"certificate, opened by {PASSPHRASE_VARIABLE} or {PASSPHRASE_FILE_VARIABLE}",
        )

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror or exc})") from None
    passphrase = _passphrase(environ)
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(data, passphrase)
    except (ValueError, TypeError):
        found = "it is not PKCS#12, or the passphrase does not open it"
        raise refuse(found if passphrase else f"{found} (no passphrase was given)") from None
    if key is None or certificate is None:
        raise refuse("it holds no private key and certificate")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise refuse(f"its key is {type(key).__name__.removesuffix('PrivateKey')}, not RSA")
    return Identity(str(path), data, passphrase, certificate.public_bytes(Encoding.DER))


def _passphrase(environ) -> bytes | None:
    """The passphrase from the environment, or from the file it names."""
    if environ.get(PASSPHRASE_VARIABLE):
        return environ[PASSPHRASE_VARIABLE].encode("utf-8")
    file = environ.get(PASSPHRASE_FILE_VARIABLE)
    if not file:
        return None
    try:
        return Path(file).read_text(encoding="utf-8").rstrip("\r\n").encode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(
            "signer", f"{display_path(file)} ({PASSPHRASE_FILE_VARIABLE}) cannot be read: {exc}"
        ) from None


def signing_time(as_of: str) -> dt.datetime:
    """The time a briefing's signature claims: midnight UTC of its as-of date."""
    return dt.datetime.fromisoformat(as_of).replace(tzinfo=dt.UTC)


def reason(desk: str, as_of: str) -> str:
    """The signature's reason: what it seals."""
    return f"Issued by {desk} for {as_of}"


def sign_pdf(pdf: bytes, identity: Identity, as_of: str, desk: str | None = None) -> bytes:
    """``pdf`` with a PAdES B-B signature appended as an incremental update.

    ``desk`` (default: the certificate's organisation) names the issuer in the reason
    ("Issued by <desk> for <as_of>") and is the location. Same inputs, same bytes.

    Raises
    ------
    ExportError
        pyHanko could not sign the document (exit code 4).
    """
    pyhanko = _pyhanko()
    desk = desk or identity.name
    try:
        signer = pyhanko.signers.SimpleSigner.load_pkcs12_data(
            identity.data, (), identity.passphrase
        )
        signer.prefer_pss = False  # PKCS#1 v1.5: the same key and digest, the same bytes
        writer = _writer_class(pyhanko)(io.BytesIO(pdf))
        metadata = pyhanko.signers.PdfSignatureMetadata(
            field_name=FIELD,
            md_algorithm="sha256",
            subfilter=pyhanko.fields.SigSeedSubFilter.PADES,
            reason=reason(desk, as_of),
            location=desk,
        )
        pdf_signer = _signer_class(pyhanko)(metadata, signer=signer)
        pdf_signer.claimed_time = signing_time(as_of)
        return pdf_signer.sign_pdf(writer).getvalue()
    except Exception as exc:  # pyHanko raises its own and ValueError/KeyError alike
        raise ExportError(
            f"signing the PDF with {display_path(identity.path)} failed: {exc}"
        ) from exc


class _Modules:
    """pyHanko's modules, imported once (their import warns about DSA; quietened)."""

    def __init__(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pyhanko.pdf_utils import generic
            from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
            from pyhanko.pdf_utils.reader import PdfFileReader
            from pyhanko.sign import fields, signers
            from pyhanko.sign.validation import validate_pdf_signature
            from pyhanko_certvalidator import ValidationContext

        self.generic, self.fields, self.signers = generic, fields, signers
        self.IncrementalPdfFileWriter, self.PdfFileReader = IncrementalPdfFileWriter, PdfFileReader
        self.validate_pdf_signature, self.ValidationContext = (
            validate_pdf_signature,
            ValidationContext,
        )


@functools.cache
def _pyhanko() -> _Modules:
    """pyHanko's modules, imported on first use."""
    return _Modules()


@functools.cache
def _writer_class(pyhanko: _Modules):
    """pyHanko's incremental writer, made reproducible.

    Two of its habits would make every signed file differ: the update's document id is
    random (derived here from the unsigned file's bytes instead), and it stamps the
    document's metadata with the clock (the Info dictionary and the XMP packet, which a
    PDF/A file keeps in step; left as the render wrote them).
    """

    class ReproducibleWriter(pyhanko.IncrementalPdfFileWriter):
        @classmethod
        def _handle_id(cls, prev):
            ids = super()._handle_id(prev)
            digest = hashlib.sha256(prev.stream.getvalue()).digest()[:16]
            ids[1] = pyhanko.generic.ByteStringObject(digest)
            return ids

        def _update_meta(self):
            pass

    return ReproducibleWriter


@functools.cache
def _signer_class(pyhanko: _Modules):
    """pyHanko's PDF signer with the signing time given instead of read from the clock."""

    class DatedSigner(pyhanko.signers.PdfSigner):
        claimed_time: dt.datetime

        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = self.claimed_time
            return session

    return DatedSigner


# --- checking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature found in a PDF, as checked.

    ``problems`` is empty when the signature is intact and valid, covers the whole file, its
    signer is trusted, and the time it claims lies within its certificate's validity
    (``valid_from`` to ``valid_until``; a briefing of a date before the certificate was
    issued claims a time at which the certificate was not yet valid, and viewers say so).
    """

    field: str
    fingerprint: str
    intact: bool
    valid: bool
    whole_file: bool
    trusted: bool
    appended: int
    signing_time: dt.datetime | None
    valid_from: dt.datetime
    valid_until: dt.datetime

    @property
    def timely(self) -> bool:
        """Whether the claimed signing time lies within the certificate's validity."""
        if self.signing_time is None:
            return True  # nothing claimed
        return self.valid_from <= self.signing_time <= self.valid_until

    def summary(self) -> str:
        """One line: who signed when, and whether the signature vouches for the file."""
        return "; ".join(
            [
                f"signed by {self.fingerprint} on "
                + (self.signing_time.isoformat() if self.signing_time else "an unstated date"),
                "valid" if self.intact and self.valid else "INVALID",
                "covers the whole file"
                if self.whole_file
                else f"does NOT cover the whole file ({self.appended} bytes appended)",
                "signer trusted" if self.trusted else "signer NOT in the trust list",
            ]
        )

    @property
    def problems(self) -> list[str]:
        """Why this signature does not vouch for the file (empty if it does)."""
        problems = []
        if not self.intact:
            problems.append("the signed bytes were changed after signing (the digest differs)")
        elif not self.valid:
            problems.append("the signature does not match the signer's key")
        if not self.whole_file:
            problems.append(
                f"it does not cover the whole file: {self.appended} bytes were appended "
                "after signing (a later revision)"
            )
        if not self.trusted:
            problems.append(f"the signer {self.fingerprint} is not in the trust list")
        if not self.timely:
            problems.append(
                f"it claims the signing time {self.signing_time.isoformat()}, outside its "
                f"certificate's validity ({self.valid_from.isoformat()} to "
                f"{self.valid_until.isoformat()})"
            )
        return problems


def read_trust_list(paths) -> list[bytes]:
    """The DER certificates in PEM files (``data/trust/*.pem``), each file checked.

    Raises
    ------
    ParameterError
        A file cannot be read or holds no PEM certificate (exit code 2).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    certificates = []
    for path in paths:
        try:
            found = x509.load_pem_x509_certificates(Path(path).read_bytes())
        except (OSError, ValueError) as exc:
            raise ParameterError(
                "trust", f"{display_path(path)}: {exc}; expected PEM certificates"
            ) from None
        certificates += [c.public_bytes(Encoding.DER) for c in found]
    return certificates


def trust_files(data_dir: Path | str) -> list[Path]:
    """The desk's trust list: ``<data_dir>/trust/*.pem``, sorted."""
    return sorted((Path(data_dir) / TRUST_FOLDER).glob("*.pem"))


def check_signatures(pdf: bytes, trusted: list[bytes]) -> list[Signature]:
    """Every signature in ``pdf``, checked against the file and the trusted certificates.

    Raises
    ------
    ValueError
        The PDF cannot be read (its structure is broken).
    """
    pyhanko = _pyhanko()
    from asn1crypto import x509 as asn1_x509

    roots = [asn1_x509.Certificate.load(der) for der in trusted]
    known = {fingerprint(der) for der in trusted}  # that very certificate: trusted as it is
    try:
        reader = pyhanko.PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko's PdfReadError and the errors beneath it
        raise ValueError(f"the PDF cannot be read: {exc}") from exc
    found = []
    for signature in embedded:
        context = pyhanko.ValidationContext(trust_roots=roots, allow_fetching=False)
        try:
            status = pyhanko.validate_pdf_signature(signature, context)
        except Exception as exc:
            raise ValueError(f"signature {signature.field_name!r} cannot be read: {exc}") from exc
        coverage = status.coverage.name if status.coverage is not None else ""
        signer = fingerprint(status.signing_cert.dump())
        end = signature.byte_range[-2] + signature.byte_range[-1]
        found.append(
            Signature(
                field=signature.field_name,
                fingerprint=signer,
                intact=bool(status.intact),
                valid=bool(status.valid),
                whole_file=coverage == "ENTIRE_FILE" and end == len(pdf),
                trusted=bool(status.trusted) or signer in known,
                appended=len(pdf) - end,
                signing_time=status.signer_reported_dt,
                valid_from=status.signing_cert.not_valid_before,
                valid_until=status.signing_cert.not_valid_after,
            )
        )
    return found


def create_identity(folder: Path | str, name: str = "Local briefing desk") -> dict[str, Path]:
    """A self-signed identity for local use and tests, written into ``folder``.

    Writes ``signer.p12`` (RSA 3072, SHA-256, valid from 2000 to 2100 so that briefings of
    any as-of date can be signed), ``passphrase`` (random, mode 600) and ``signer.pem`` (the
    certificate, for a trust list). Returns their paths by role.
    """
    import secrets

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    from .publish import replace_file

    folder = Path(folder)
    if (folder / "signer.p12").exists():
        raise ParameterError(
            "signer", f"{display_path(folder / 'signer.p12')} exists; remove it to make a new one"
        )
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    passphrase = secrets.token_urlsafe(24)
    paths = {
        "identity": folder / "signer.p12",
        "passphrase": folder / "passphrase",
        "certificate": folder / "signer.pem",
    }
    encryption = serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
    secret = pkcs12.serialize_key_and_certificates(b"briefing", key, certificate, None, encryption)
    # mode 600 from creation (a temporary file renamed over any file or link there)
    replace_file(paths["passphrase"], (passphrase + "\n").encode("utf-8"), 0o600)
    replace_file(paths["identity"], secret, 0o600)
    paths["certificate"].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return paths
