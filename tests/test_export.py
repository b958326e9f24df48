"""The nbconvert exporters, found through their entry points and used by nbconvert's own CLI."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest
from pypdf import PdfReader

from briefing.export import BriefingPDFExporter
from briefing.parameters import notebook_parameters


def test_exporters_are_registered_as_entry_points():
    names = {ep.name: ep.value for ep in entry_points(group="nbconvert.exporters")}
    assert names["briefing_pdf"] == "briefing.export:BriefingPDFExporter"
    assert names["briefing_html"] == "briefing.export:BriefingHTMLExporter"


def test_nbconvert_finds_the_exporter_by_name():
    from nbconvert.exporters import get_exporter

    assert get_exporter("briefing_pdf") is BriefingPDFExporter


def test_jupyter_nbconvert_to_briefing_pdf(rendered, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbconvert",
            "--to",
            "briefing_pdf",
            str(rendered.notebook),
            "--output-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "briefing-2024-10-24.pdf"
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Information as of 24 October 2024" in text
    assert "Page 1 of" in text


def test_parameters_come_from_the_parameters_cell_then_papermill():
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('as_of = "2024-01-02"\ntitle = "T"\nx = f(1)')
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    assert notebook_parameters(nb)["title"] == "T"
    assert notebook_parameters(nb)["marking"] == "UNCLASSIFIED // OPEN SOURCE"
    nb.metadata["papermill"] = {"parameters": {"title": "U"}}
    assert notebook_parameters(nb) == {
        "as_of": "2024-01-02",
        "title": "U",
        "marking": "UNCLASSIFIED // OPEN SOURCE",
    }


def test_a_file_deflated_ahead_gives_the_same_pdf():
    import io
    import zlib

    from briefing.export import Deflated, html_to_pdf

    data = "".join(f"C{i:05d},{i * 7919 % 1000},a line of a claims table\n" for i in range(20000))
    html = "<html><body><p>A briefing.</p></body></html>"
    plain = html_to_pdf(html, [("claims.csv", data.encode(), "The claims")], "2024-10-24")
    ahead = Deflated.of(data.encode())
    early = html_to_pdf(html, [("claims.csv", ahead, "The claims")], "2024-10-24")
    assert early == plain
    attached = PdfReader(io.BytesIO(early)).attachments["claims.csv"]
    assert attached == [data.encode()]  # what a reader's viewer extracts
    assert ahead.size == len(data) and not hasattr(ahead, "data")  # the file is not kept
    fast = Deflated(ahead.size, ahead.checksum, zlib.compress(data.encode(), 1))
    other = html_to_pdf(html, [("claims.csv", fast, "The claims")], "2024-10-24")
    assert other != plain  # the form made ahead is the one written, not made again
    assert PdfReader(io.BytesIO(other)).attachments["claims.csv"] == [data.encode()]


@pytest.mark.parametrize("cut", [1, 7, 4096, 65536, 10**9])
def test_a_file_deflated_in_parts_is_the_file_deflated_whole(cut):
    # The render deflates the attachment a batch of rows at a time as they are written:
    # the PDF must hold the same bytes as for the whole file deflated at once.
    import zlib

    from briefing.export import ATTACHMENT_LEVEL, Deflated

    data = "".join(f"C{i:05d},{i * 7919 % 1000},a line of a claims table\n" for i in range(20000))
    data = data.encode()
    parts = [data[i : i + cut] for i in range(0, len(data), cut)] + [b""]
    whole, made = Deflated.of(data), Deflated.of_parts(iter(parts))
    assert made == whole  # a function of the bytes, however they are handed over
    assert zlib.decompress(made.deflated) == data and len(made.deflated) > 100
    single = zlib.compress(data, ATTACHMENT_LEVEL)  # one stream: barely smaller
    assert len(single) <= len(made.deflated) <= len(single) * 1.01


def test_a_file_deflated_again_takes_the_parts_it_deflated_before(tmp_path, monkeypatch):
    """The attachment's parts, each deflated apart, are kept by the hash of their bytes:
    after one row changed, only the part holding it is deflated again, and the file is the
    same bytes as deflated afresh; a damaged kept part is deflated again."""
    import zlib

    from briefing import export
    from briefing.cache import DeflatedParts

    monkeypatch.setattr(export, "DEFLATE_LINES", 100)
    rows = [f"C{i:05d},{i * 7919 % 1000},a line of a claims table\n" for i in range(5000)]
    store = DeflatedParts(tmp_path / "cache")
    first = export.Deflated.of_parts([("".join(rows)).encode()], store)
    kept = sorted((tmp_path / "cache").iterdir())
    assert len(kept) == len(list(export.file_parts([("".join(rows)).encode()], 100))) == 50
    rows[2500] = rows[2500].replace("a line", "a changed line")
    changed = ("".join(rows)).encode()
    made = []
    real = zlib.compressobj
    monkeypatch.setattr(zlib, "compressobj", lambda *a: made.append(a) or real(*a))
    again = export.Deflated.of_parts([changed], store)
    assert len(made) == 1  # the part of row 2500 only
    monkeypatch.setattr(zlib, "compressobj", real)
    assert again == export.Deflated.of(changed) != first
    assert zlib.decompress(again.deflated) == changed
    victim = kept[0]
    victim.write_bytes(b"damaged" + victim.read_bytes()[7:])
    assert export.Deflated.of_parts([changed], store) == export.Deflated.of(changed)


def html_with_listing(tmp_path, listing: bytes) -> tuple[str, bytes]:
    """A briefing's HTML whose marked listing the render replaces, and the bytes it expects."""
    from briefing.markup import LISTING_END, LISTING_START

    head, tail = "<html><body><h1>Séoul 서울</h1>", "<p>Colophon — end</p></body></html>"
    html = f"{head}{LISTING_START}<p>printed rows</p>{LISTING_END}{tail}"
    return html, head.encode() + listing + tail.encode()


def test_the_html_gets_the_kernels_listing_byte_for_byte(tmp_path):
    """The listing of every claim goes into the HTML file as it was written (by the
    operating system's copy, never through Python), between the notebook's head and tail."""
    from briefing.export import write_html

    row = '<tr id="C1"><td>Пхеньян 평양 “quoted” &amp; more</td></tr>\n'.encode()
    listing = row * 60_000  # several megabytes, more than any one block of a copy
    (tmp_path / "listing.html").write_bytes(listing)
    html, expected = html_with_listing(tmp_path, listing)
    write_html(html, tmp_path / "listing.html", tmp_path / "briefing.html")
    assert (tmp_path / "briefing.html").read_bytes() == expected
    write_html(html, tmp_path / "absent.html", tmp_path / "plain.html")  # no listing: as shown
    assert (tmp_path / "plain.html").read_text(encoding="utf-8") == html


def test_a_listing_the_system_cannot_copy_is_copied_by_python(tmp_path):
    """Where ``copy_file_range`` refuses (here a pipe, not a regular file), the listing is
    copied a block at a time instead: the same bytes."""
    import os
    import threading

    from briefing.export import append_file

    data = bytes(range(256)) * 40_000
    read_end, write_end = os.pipe()

    def feed():
        with open(write_end, "wb") as pipe:
            pipe.write(data)

    feeder = threading.Thread(target=feed)
    feeder.start()
    with open(read_end, "rb") as source, (tmp_path / "out").open("wb") as out:
        out.write(b"head:")
        append_file(source, out)
        out.write(b":tail")
    feeder.join()
    assert (tmp_path / "out").read_bytes() == b"head:" + data + b":tail"


def test_a_listing_that_does_not_fit_on_the_disk_fails_as_a_full_disk(tmp_path):
    """The system's copy running out of room is the render's failure (no space left on
    the device: exit 5 in a render), not a reason to copy again another way."""
    import errno

    from conftest import tmpfs

    from briefing.export import write_html

    with tmpfs(tmp_path / "small", "4m") as disk:
        listing = disk / "listing.html"
        listing.write_bytes(b"<tr><td>row</td></tr>\n" * 130_000)  # 2.9 MB of 4
        html, _ = html_with_listing(tmp_path, b"")
        with pytest.raises(OSError) as raised:
            write_html(html, listing, disk / "briefing.html")
        assert raised.value.errno == errno.ENOSPC
