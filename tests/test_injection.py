"""Text is data, never markup: hostile text renders inert in HTML and PDF."""

from __future__ import annotations

import csv
import shutil
from html.parser import HTMLParser

import pytest
import yaml
from conftest import ROOT, write_registers
from payloads import PAYLOADS
from pypdf import PdfReader

from briefing.claims import CLAIM_COLUMNS
from briefing.markup import escape, visible
from briefing.render import render_briefing
from briefing.text import field_problem

SOURCE_ID = "2024-10-24_test_payloads"


class Page(HTMLParser):
    """Every element, attribute and text node of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_data(self, data):
        self.text.append(data)


def squash(text: str) -> str:
    """Collapse white space, as a browser shows it."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A data set whose every text field is a payload, rendered to HTML and PDF."""
    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(ROOT / "data" / "reference", data / "reference")
    (data / "sources").mkdir()
    (data / "claims").mkdir()
    front = yaml.safe_dump(
        {
            "source_id": SOURCE_ID,
            "title": PAYLOADS[0] + " " + PAYLOADS[23],
            "outlet": PAYLOADS[12],
            "published": "2024-10-24",
            "notes": PAYLOADS[8],
        },
        allow_unicode=True,
        sort_keys=False,
    )
    text = "\n".join([*PAYLOADS, "3,000 troops"])
    (data / "sources" / f"{SOURCE_ID}.md").write_text(f"---\n{front}---\n{text}", "utf-8")
    rows = []
    for number, payload in enumerate(PAYLOADS, start=1):
        row = dict.fromkeys(CLAIM_COLUMNS, "")
        row.update(
            claim_id=f"C{number:04d}",
            source_id=SOURCE_ID,
            # a name is one line: payloads the policy refuses there stay in the prose fields
            claimant=payload.strip()[:80]
            if field_problem(payload.strip()[:80]) is None
            else f"Claimant {number}",
            claimant_country="KP",
            topic="troop_presence",
            statement=payload,
            quote=payload.strip(),
            stance="asserts",
            source_reliability="F",
            info_credibility="6",
            notes=payload,
        )
        rows.append(row)
    rows[0].update(
        quote="3,000 troops",
        figure_text="3,000",
        quantity_low="3000",
        quantity_high="3000",
        indicator="troops",
        figure_status="deployed",
        claimant="<b>Bold</b> 김정은",
    )
    # every claimant is an actor whose name is the payload: names are data too
    actors = [[f"a{n}", row["claimant"], "", PAYLOADS[13], "KP", "unnamed", "", PAYLOADS[3]]
              for n, row in enumerate(rows)]  # fmt: skip
    write_registers(data / "reference", actors, [["troops", PAYLOADS[1], "troops", PAYLOADS[2]]])
    with (data / "claims" / "claims.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, CLAIM_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    briefing = render_briefing(
        notebook=ROOT / "notebooks" / "briefing.ipynb",
        output_dir=data.parent / "reports",
        data_dir=data,
        title="<script>alert(1)</script> 북한군 Войска",
        marking="UNCLASSIFIED // <i>OPEN</i> SOURCE",
    )
    page = Page()
    page.feed(briefing.html.read_text(encoding="utf-8"))
    pdf = " ".join(squash(p.extract_text()) for p in PdfReader(briefing.pdf).pages)
    return briefing, page, pdf


def test_corpus_is_large_enough():
    assert len(PAYLOADS) >= 20


def test_no_element_or_attribute_comes_from_data(hostile):
    _, page, _ = hostile
    for tag in ("script", "iframe", "object", "embed", "link", "svg", "b", "i"):
        assert tag not in page.tags, tag
    assert "style" not in {name for _, name, _ in page.attributes}
    assert page.tags.count("style") == 1  # the stylesheet in the head, nothing else
    assert [a for a in page.attributes if a[1].startswith("on")] == []
    for tag, name, value in page.attributes:
        if name in ("href", "src", "action", "formaction", "data"):
            assert value.startswith("#") or value.startswith("data:image/svg+xml;base64,"), (
                tag,
                name,
                value,
            )
    assert "autofocus" not in {name for _, name, _ in page.attributes}


def test_every_payload_is_visible_as_text(hostile):
    _, page, _ = hostile
    shown = squash("".join(page.text))
    for payload in PAYLOADS:
        assert squash(visible(payload)) in shown, payload[:40]


def test_title_and_marking_are_text(hostile):
    _, page, pdf = hostile
    shown = squash("".join(page.text))
    assert "<script>alert(1)</script> 북한군 Войска" in shown
    assert "UNCLASSIFIED // <i>OPEN</i> SOURCE" in shown
    assert "UNCLASSIFIED // <i>OPEN</i> SOURCE" in pdf


def test_pdf_shows_payloads_hangul_and_cyrillic_as_text(hostile):
    briefing, _, pdf = hostile
    for piece in (
        "<script>alert('xss')</script>",
        "<img src=x onerror=alert(1)>",
        "김정은 위원장",
        "조선민주주의인민공화국",
        "Песков",
        "Україна",
        "북한군",
        "\u27e8U+202E\u27e9",
        "\u27e8U+061C\u27e9−3000 to +5000\u27e8U+200F\u27e9",
    ):
        assert piece in pdf, piece


def test_every_pdf_font_is_embedded_including_hangul(hostile):
    briefing, _, _ = hostile
    fonts = {}
    for page in PdfReader(briefing.pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts", [font])[0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert all(fonts.values()), fonts
    assert any("Briefing-Hangul" in name for name in fonts), fonts


def test_escape_is_inert_and_shows_hidden_characters():
    assert escape('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert escape("\u202eabc") == "\u27e8U+202E\u27e9abc"
    assert escape(None) == "" and escape(float("nan")) == ""


def test_a_column_is_escaped_as_each_of_its_cells():
    import pandas as pd

    from briefing.markup import escape_all

    lines = ["two\nlines", "\n", "ends in a break\n", "\nstarts with one", "cr\r\nlf", "a\rb"]
    values = [*PAYLOADS, *lines, None, float("nan"), pd.NA, 3, "", "last"]
    assert escape_all(values) == [escape(value) for value in values]
    assert escape_all(PAYLOADS) == [escape(value) for value in PAYLOADS]  # no break at all
    assert escape_all(["\n"]) == ["\n"] and escape_all([]) == []


def test_an_arrow_column_is_escaped_as_each_of_its_cells():
    import pandas as pd

    from briefing.markup import escape_column

    printable = [p for p in PAYLOADS if p.isprintable()]  # escaped by Arrow's replacements
    assert len(printable) > 10 and "&" in "".join(printable) and "'" in "".join(printable)
    for values in (printable, [*printable, None, "two\nlines"], PAYLOADS):
        column = pd.Series(values, dtype="string[pyarrow]")
        assert escape_column(column).to_pylist() == [escape(v) for v in values]
    dates = pd.Series(pd.to_datetime(["2024-10-24", None]))  # not text: cell by cell
    assert escape_column(dates).to_pylist() == [escape(v) for v in dates]


def test_the_utf8_test_of_hidden_characters_agrees_with_the_text_one():
    """obeyed_utf8 decodes only what is not printable ASCII: for every character of the
    planes in use, alone and amid ASCII, it says what obeyed says of the decoded text."""
    import sys

    from briefing.text import obeyed, obeyed_utf8

    characters = [chr(c) for c in range(0x30000) if not 0xD800 <= c <= 0xDFFF]
    characters += [chr(0xE0001), chr(0x10FFFD), chr(sys.maxunicode)]
    for character in characters:
        for text in (character, f"a {character} b", f"x\n{character}\ty"):
            assert obeyed_utf8(text.encode("utf-8")) == obeyed(text), hex(ord(character))
    for payload in PAYLOADS:
        assert obeyed_utf8(payload.encode("utf-8")) == obeyed(payload)
    assert obeyed_utf8(b"") and obeyed_utf8("북한군 3,000명\n".encode())
