"""``briefing message``: a briefing as a ready-to-send e-mail.

A standards-compliant MIME message (the standard library's :mod:`email`): the bottom line
and what changed as plain text and as HTML alternatives, the PDF attached, the subject
carrying the marking, the title and the date. It is written as an ``.eml`` file for the
desk's mail client, or handed to the desk's relay over SMTP (STARTTLS when the relay offers
it; a user name and password from the environment, never the command line).
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from .errors import EnvironmentFailure, ParameterError, display_path
from .manifest import MANIFEST
from .text import whole_number

#: Who the message is from, unless ``--from`` says: the desk's address.
SENDER_VARIABLE = "BRIEFING_MAIL_FROM"
#: The relay's credentials, when it asks for them.
USER_VARIABLE, PASSWORD_VARIABLE = "BRIEFING_SMTP_USER", "BRIEFING_SMTP_PASSWORD"


def briefing_message(folder: Path | str, to: list[str], sender: str | None = None) -> EmailMessage:
    """The message for the briefing published in ``folder`` (``reports/<date>/``)."""
    folder = Path(folder)
    day = folder.name
    manifest = _read_json(folder / MANIFEST)
    facts = _read_json(folder / f"briefing-{day}.json")
    pdf = folder / f"briefing-{day}.pdf"
    if not pdf.is_file():
        raise ParameterError("folder", f"{display_path(pdf)} is missing; render the briefing")
    parameters = manifest.get("parameters", {})
    marking, title = parameters.get("marking", ""), parameters.get("title", "Briefing")
    message = EmailMessage()
    message["Subject"] = " \u2014 ".join(p for p in (marking, title, f"as of {day}") if p)
    message["From"] = sender or os.environ.get(SENDER_VARIABLE) or "briefing@localhost"
    message["To"] = ", ".join(_addresses(to))
    message["Date"] = format_datetime(_now())
    message["Message-ID"] = make_msgid(domain="briefing.invalid")
    sections = _sections(facts)
    message.set_content(plain_text(marking, title, day, sections))
    message.add_alternative(html_text(marking, title, day, sections), subtype="html")
    message.add_attachment(
        pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name
    )
    return message


def _sections(facts: dict) -> list[tuple[str, list[str]]]:
    """The bottom line, then each heading of what changed that has items."""
    found = [("Bottom line", list(facts.get("bottom_line", [])))]
    changed = facts.get("what_changed") or {}
    found += [(f"What changed: {heading}", items) for heading, items in changed.items() if items]
    if len(found) == 1:
        found.append(
            (
                "What changed",
                ["Nothing has changed." if facts.get("since") else "This is the first briefing."],
            )
        )
    return found


def plain_text(marking: str, title: str, day: str, sections) -> str:
    """The message's plain-text body."""
    lines = [marking, "", title, f"Information as of {day}", ""]
    for heading, items in sections:
        lines += [heading, *(f"- {item}" for item in items), ""]
    lines += ["The briefing is attached as a PDF.", "", marking]
    return "\n".join(lines) + "\n"


def html_text(marking: str, title: str, day: str, sections) -> str:
    """The message's HTML body: the same text, every value escaped."""
    from .markup import bullet_list, escape, heading, paragraph

    parts = [
        paragraph(marking, "marking"),
        heading(title, 1),
        paragraph(f"Information as of {day}"),
    ]
    for name, items in sections:
        parts += [heading(name, 2), bullet_list(items)]
    parts += [paragraph("The briefing is attached as a PDF."), paragraph(marking, "marking")]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>'
        f"{escape(title)}</title></head><body>" + "".join(parts) + "</body></html>\n"
    )


def send(message: EmailMessage, relay: str) -> None:
    """Hand ``message`` to the SMTP relay ``HOST:PORT`` (STARTTLS when it is offered)."""
    host, port = _relay(relay)
    try:
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
            if user and password:
                smtp.login(user, password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise EnvironmentFailure(f"send the message through {host}:{port}", exc) from exc


def _relay(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not whole_number(port):
        raise ParameterError("smtp", f"found {value!r}; expected HOST:PORT")
    return host.strip("[]"), int(port)


def _addresses(to: list[str]) -> list[str]:
    from email.headerregistry import Address

    checked = []
    for value in to:
        local, at, domain = value.partition("@")
        if not at or not local or not domain or any(c in value for c in " <>,;\r\n"):
            raise ParameterError(
                "to", f"found {value!r}; expected an address like name@example.org"
            )
        checked.append(str(Address(addr_spec=value)))
    if not checked:
        raise ParameterError("to", "no address; expected --to name@example.org")
    return checked


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ParameterError("folder", f"{display_path(path)} cannot be read: {exc}") from exc


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)
