"""``briefing message``: a MIME message with the bottom line, what changed and the PDF,
written as .eml and delivered to a real SMTP server on loopback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from conftest import ROOT

from briefing.errors import ParameterError
from briefing.message import briefing_message, send


class Inbox:
    """An aiosmtpd handler keeping every envelope it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def relay():
    """A real SMTP server on 127.0.0.1, stopped after the test.

    aiosmtpd needs its port up front: one found free may be taken by another process
    before the server binds it, so a port taken meanwhile means trying another.
    """
    inbox = Inbox()
    for attempt in range(5):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            if attempt == 4:
                raise
    try:
        yield inbox, f"127.0.0.1:{port}"
    finally:
        controller.stop()


def parsed(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


def test_the_message_carries_the_facts_and_the_pdf(rendered):
    message = parsed(bytes(briefing_message(rendered.folder, ["desk@example.org"])))
    manifest = json.loads((rendered.folder / "manifest.json").read_text())
    facts = json.loads(rendered.facts.read_text())
    parameters = manifest["parameters"]
    assert parameters["marking"] in message["Subject"]
    assert parameters["title"] in message["Subject"] and rendered.as_of in message["Subject"]
    assert message["To"] == "desk@example.org"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert facts["bottom_line"][0] in plain
    assert facts["bottom_line"][0].split()[0] in html and "<h2>Bottom line</h2>" in html
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == rendered.pdf.name
    assert attachment.get_content() == rendered.pdf.read_bytes()


def test_it_arrives_at_the_relay_with_the_pdf_intact(rendered, relay):
    inbox, address = relay
    send(briefing_message(rendered.folder, ["a@example.org", "b@example.org"]), address)
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["a@example.org", "b@example.org"]
    (attachment,) = list(parsed(envelope.original_content).iter_attachments())
    assert attachment.get_content() == rendered.pdf.read_bytes()


def test_the_command_writes_an_eml_and_sends(rendered, relay, tmp_path):
    inbox, address = relay
    eml = tmp_path / "briefing.eml"
    argv = [
        sys.executable, "-m", "briefing.cli", "message", "--to", "desk@example.org",
        "--output-dir", rendered.folder.parent, "--eml", eml, "--smtp", address,
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    written = parsed(eml.read_bytes())
    assert written["To"] == "desk@example.org"
    assert len(inbox.envelopes) == 1


def test_bad_addresses_and_relays_are_refused(rendered):
    with pytest.raises(ParameterError, match="expected an address"):
        briefing_message(rendered.folder, ["not an address"])
    with pytest.raises(ParameterError, match="HOST:PORT"):
        send(briefing_message(rendered.folder, ["desk@example.org"]), "nowhere")
    with pytest.raises(ParameterError, match="HOST:PORT"):  # a digit to isdigit, not to int
        send(briefing_message(rendered.folder, ["desk@example.org"]), "localhost:\u00b2")
