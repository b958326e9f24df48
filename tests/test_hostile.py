"""Hostile and messy input (issue 14): refused with a located message, or shown inert.

Each test names the item of issue 14 it covers. Most call the loaders or ``briefing
validate``; the few about outputs share one render (:func:`briefing_with_odd_prose`).
Anything that could hang or exhaust memory on a build without the guard (an alias bomb,
``/dev/zero``, a pipe) runs in a child process with a time and memory limit.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import shutil
import subprocess
import sys
import time
import unicodedata
from html.parser import HTMLParser

import pytest
from conftest import (
    FIXTURE_SOURCE_ID,
    FIXTURE_TEXT,
    ROOT,
    assert_one,
    fixture_claims,
    validate,
    write_claims,
    write_registers,
    write_source,
)
from payloads import FORMULAS, REFUSED_EVERYWHERE, REFUSED_ON_ONE_LINE

from briefing.cli import main

CLAIMS = "data/claims/claims.csv"
SOURCE = f"data/sources/{FIXTURE_SOURCE_ID}.md"
NOTEBOOK = ROOT / "notebooks" / "briefing.ipynb"
#: A child process gets this much address space: enough for a validation, far too little
#: for an alias bomb's expansion or a read of /dev/zero, which then fail instead of the host.
CHILD_MEMORY = 3 * 2**30


def edit(dataset, row: int, **cells) -> None:
    """Rewrite the fixture claims with ``cells`` changed in row ``row`` (0-based)."""
    rows = fixture_claims()
    rows[row].update(cells)
    write_claims(dataset / "claims" / "claims.csv", rows)


def first_odd(text: str) -> tuple[str, int]:
    """``U+XXXX`` of the first character that is not printable ASCII (the one refused),
    and its 1-based position."""
    index, odd = next((i, c) for i, c in enumerate(text) if not (c.isprintable() and c.isascii()))
    return f"U+{ord(odd):04X}", index + 1


def _limit_memory() -> None:
    """In the child, before it runs: cap its address space."""
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def child(arguments: list[str], timeout: float = 30) -> subprocess.CompletedProcess:
    """Run ``python <arguments>`` in the working directory, with a time and memory limit."""
    try:
        return subprocess.run(
            [sys.executable, *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"python {' '.join(arguments)} did not finish within {timeout} s")


def cli_validate(timeout: float = 30) -> subprocess.CompletedProcess:
    """``python -m briefing.cli validate --data-dir data`` in a child process."""
    return child(["-m", "briefing.cli", "validate", "--data-dir", "data"], timeout)


def problem_lines(result: subprocess.CompletedProcess) -> list[str]:
    """The ``path:line:column: message`` lines of a failed command's stderr."""
    return [line for line in result.stderr.splitlines() if not line.startswith("briefing:")]


# --- item 4: YAML alias bomb ---------------------------------------------------------------


def alias_bomb(levels: int = 9) -> str:
    """Billion laughs as front matter: each level a list of nine aliases of the one before;
    ``title`` is the last level, 9**9 strings once expanded."""
    names = "abcdefghi"[:levels]
    lines = [f"source_id: {FIXTURE_SOURCE_ID}", "outlet: Test Wire", "published: 2024-10-24"]
    lines.append("url: &a [" + ",".join(['"lol"'] * 9) + "]")
    lines += [
        f"x{name}: &{name} [" + ",".join([f"*{before}"] * 9) + "]"
        for before, name in zip(names, names[1:], strict=False)
    ]
    lines.append(f"title: *{names[-1]}")
    return "".join(f"{line}\n" for line in lines)


TIMED_VALIDATE = """
import sys, time
from briefing.cli import main
from briefing.errors import InvalidInputError
from briefing.sources import load_sources
start = time.monotonic()
try:
    load_sources("data/sources")
except InvalidInputError:
    pass
print(time.monotonic() - start)
sys.exit(main(["validate", "--data-dir", "data"]))
"""


def test_item4_alias_bomb_is_refused_at_once_naming_the_anchor_line(dataset):
    """Timed inside a child process: a build that expands the bomb runs out of time or
    memory there, not in the test run."""
    front = alias_bomb()
    assert len(front) < 800
    (dataset / "sources" / f"{FIXTURE_SOURCE_ID}.md").write_text(
        f"---\n{front}---\n{FIXTURE_TEXT}", encoding="utf-8"
    )
    anchor_line = 1 + next(n for n, line in enumerate(front.splitlines(), 1) if "&a" in line)
    result = child(["-c", TIMED_VALIDATE], timeout=20)
    assert result.returncode == 2, result.stderr[-2000:]
    seconds = float(result.stdout.splitlines()[0])
    assert seconds < 1, f"the sources took {seconds:.2f} s to refuse"
    assert problem_lines(result) == [
        f"{SOURCE}:{anchor_line}:: uses a YAML anchor or alias (&name, *name); "
        "expected plain 'key: value' lines"
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("edits", "line"),
    [
        ({"title": "&t Fixture report"}, 3),  # one harmless anchor
        ({"outlet": "&o Test Wire", "notes": "*o"}, 4),  # an anchor and its alias
    ],
)
def test_item4_a_single_anchor_is_refused(dataset, capsys, edits, line):
    write_source(dataset / "sources", **edits)
    assert_one(capsys, f"{SOURCE}:{line}::", "YAML anchor or alias")


# --- item 5: line and paragraph separators, everywhere ---------------------------------------


@pytest.mark.parametrize("payload", REFUSED_EVERYWHERE)
@pytest.mark.parametrize(("row", "column"), [(2, "claimant"), (1, "statement"), (3, "notes")])
def test_item5_refused_everywhere_in_one_line_and_prose_cells(
    dataset, capsys, payload, row, column
):
    edit(dataset, row, **{column: payload})
    code, at = first_odd(payload)
    assert_one(capsys, f"{CLAIMS}:{row + 2}:{column}:", code, f"at character {at}")


@pytest.mark.parametrize("payload", REFUSED_ON_ONE_LINE)
def test_item5_one_line_refusals_in_a_claimant(dataset, capsys, payload):
    edit(dataset, 2, claimant=payload)
    assert_one(capsys, f"{CLAIMS}:4:claimant:", first_odd(payload)[0])


def write_title(dataset, title: str) -> None:
    """The fixture source with ``title`` written verbatim on line 3 of the file."""
    path = write_source(dataset / "sources", title="placeholder")
    raw = path.read_text(encoding="utf-8").replace("placeholder", title)
    path.write_text(raw, encoding="utf-8", newline="")


#: What YAML itself reads as a line break or refuses, before the text policy sees the value.
YAML_BREAKS = ("\u2028", "\u2029", "\t")


@pytest.mark.parametrize(
    "payload",
    [p for p in REFUSED_EVERYWHERE + REFUSED_ON_ONE_LINE if not set(YAML_BREAKS) & set(p)],
)
def test_item5_refused_in_a_front_matter_title(dataset, capsys, payload):
    write_title(dataset, payload)
    code, lines = validate(capsys)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"{SOURCE}:3:") and first_odd(payload)[0] in lines[0], lines


@pytest.mark.parametrize("payload", ["two\u2028lines", "two\u2029paragraphs", "Dmitry\tPeskov"])
def test_item5_yaml_line_breaks_in_a_front_matter_title_are_one_located_line(
    dataset, capsys, payload
):
    write_title(dataset, payload)
    code, lines = validate(capsys)
    assert code == 2 and len(lines) == 1 and lines[0].startswith(f"{SOURCE}:3:"), lines


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
@pytest.mark.parametrize("where", ["title", "marking", "statement"])
def test_item5_separators_never_reach_export(dataset, tmp_path, monkeypatch, where, separator):
    """A render with U+2028/U+2029 in ``--title``, ``--marking`` or a statement stops with
    exit 2, naming the parameter or ``path:line:column``, before anything is exported."""
    import briefing.render as render
    from briefing.errors import InvalidInputError

    def export(*args, **kwargs):
        raise AssertionError("the render reached export")

    monkeypatch.setattr(render, "export_briefing", export)
    options = {}
    if where == "statement":
        edit(dataset, 1, statement=f"A spokesman{separator}denied it.")
    else:
        options[where] = f"Two{separator}lines"
    with pytest.raises(InvalidInputError) as raised:
        render.render_briefing(
            notebook=NOTEBOOK, output_dir=tmp_path / "reports", data_dir=dataset, **options
        )
    assert raised.value.exit_code == 2
    shown = str(raised.value)
    located = f"parameter {where}:" if where != "statement" else f"{CLAIMS}:3:statement:"
    assert shown.startswith(located), shown
    assert f"U+{ord(separator):04X}" in shown, shown
    assert not (tmp_path / "reports" / "2024-10-24").exists()


# --- items 6, 7 and look-alikes: one-line fields ---------------------------------------------


@pytest.mark.parametrize("odd", ["\ufffe", "\uffff"])
def test_item6_noncharacters_in_a_claimant_are_refused(dataset, capsys, odd):
    edit(dataset, 1, claimant=f"A spokes{odd}man")
    assert_one(capsys, f"{CLAIMS}:3:claimant:", f"U+{ord(odd):04X}", "at character 9")


def test_item7_arabic_letter_mark_in_a_claimant_is_refused(dataset, capsys):
    edit(dataset, 0, claimant="Officials\u061c")
    assert_one(capsys, f"{CLAIMS}:2:claimant:", "U+061C (ARABIC LETTER MARK)", "invisible")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Lloyd \u0410ustin", ("U+0410 (CYRILLIC CAPITAL LETTER A)", "Cyrillic and Latin")),
        ("Lloyd Austin\u200b", ("U+200B (ZERO WIDTH SPACE)", "at character 13")),
    ],
)
def test_look_alike_names_are_refused(dataset, capsys, name, words):
    """Issue 14, look-alikes: a Cyrillic letter or a zero-width space in a name."""
    edit(dataset, 3, claimant=name)
    assert_one(capsys, f"{CLAIMS}:5:claimant:", *words)


def test_look_alike_outlet_in_front_matter_is_refused(dataset, capsys):
    """Issue 14, look-alikes: front-matter values are one-line fields too."""
    write_source(dataset / "sources", outlet="T\u0435st Wire")  # a Cyrillic "е"
    assert_one(capsys, f"{SOURCE}:4:outlet:", "U+0435", "Cyrillic and Latin")


# --- item 8: unreadable sources ---------------------------------------------------------------


def _folder(path):
    path.mkdir()


def _dangling(path):
    path.symlink_to(path.parent / "nowhere.md")


def _zero(path):
    path.symlink_to("/dev/zero")


def _fifo(path):
    os.mkfifo(path)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_folder, "is a folder; expected a file"),
        (_dangling, "is a broken symbolic link; expected a file"),
        (_zero, "is not a regular file (a device, pipe or socket); expected a file"),
        (_fifo, "is not a regular file (a device, pipe or socket); expected a file"),
    ],
    ids=["folder", "dangling-link", "dev-zero", "fifo"],
)
def test_item8_unreadable_source_is_one_located_line(dataset, make, message):
    make(dataset / "sources" / "x.md")
    start = time.monotonic()
    result = cli_validate(timeout=30)
    seconds = time.monotonic() - start
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert problem_lines(result) == [f"data/sources/x.md:0:: {message}"]
    assert seconds < 15, f"validate took {seconds:.1f} s"


# --- item 11: locations ----------------------------------------------------------------------


def test_item11_oversized_cell_names_its_record_line(dataset, capsys):
    limit = csv.field_size_limit()
    edit(dataset, 2, notes="x" * (limit + 10))
    assert_one(capsys, f"{CLAIMS}:4::", "is not valid CSV", f"longer than {limit:,} characters")


def test_item11_unterminated_quote_names_the_line_where_it_opens(dataset, capsys):
    rows = fixture_claims()
    rows[3].update(
        statement="Up to twelve thousand expected.",
        quote="troops by December",
        figure_text="",
        quantity_high="",
        indicator="",
        figure_status="",
    )
    path = dataset / "claims" / "claims.csv"
    write_claims(path, rows)
    lines = path.read_text(encoding="utf-8").split("\n")
    assert '"' not in "".join(lines[3:])  # nothing after line 4 closes the quote
    lines[3] = lines[3].replace(",It is unclear", ',"It is unclear')
    path.write_text("\n".join(lines), encoding="utf-8")
    assert_one(capsys, f"{CLAIMS}:4::", "quoted cell", "never closed")


def test_item11_nul_in_front_matter_names_its_line(dataset, capsys):
    write_source(dataset / "sources", notes="before\x00after")
    assert_one(capsys, f"{SOURCE}:6::", "U+0000 (NULL)", "column 14")


def test_item11_duplicate_front_matter_key_names_both_lines(dataset, capsys):
    path = write_source(dataset / "sources", notes="first")
    path.write_text(
        path.read_text(encoding="utf-8").replace("notes: first\n", "notes: first\ntitle: Again\n"),
        encoding="utf-8",
    )
    assert_one(capsys, f"{SOURCE}:7:title:", "given twice (lines 3 and 7)")


# --- item 13: stray files are no inputs -------------------------------------------------------


def test_item13_stray_files_change_neither_hashes_nor_validation(dataset, capsys):
    from briefing.evidence import data_paths
    from briefing.manifest import input_hashes, inputs_digest

    before = input_hashes(NOTEBOOK, dataset, data_paths(dataset))
    (dataset / "reference" / ".~lock.topics.csv#").write_text(",user,host,01.01.2025;")
    (dataset / "sources" / "notes.txt").write_text("the analyst's notes")
    (dataset / "sources" / ".~lock.x.md#").write_text(",user,host,01.01.2025;")
    (dataset / "sources" / ".#x.md").symlink_to("user@host.1234")  # Emacs: a dangling link
    after = input_hashes(NOTEBOOK, dataset, data_paths(dataset))
    assert after == before
    assert inputs_digest(after) == inputs_digest(before)
    assert main(["validate"]) == 0, capsys.readouterr().err


# --- formulas and prose, in the outputs of one render ------------------------------------------


def write_quoted(path, rows: list[dict]) -> None:
    """Write claims with every cell quoted, as a spreadsheet saves a cell holding a CR."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("formula", FORMULAS)
def test_inert_cell_marks_every_formula_start(formula):
    """Issue 14, formulas: the one function the attachment's cells go through."""
    from briefing.claims import inert_cell

    assert inert_cell(formula) == "'" + formula
    assert inert_cell("plain " + formula) == "plain " + formula


@pytest.mark.parametrize("pad", ["\t", "\r"])
def test_formulas_padded_with_tab_or_return_never_reach_the_attachment(dataset, capsys, pad):
    """Issue 14, formulas: validation refuses a padded cell, so these cannot reach the
    PDF's claims.csv; were one to get there, :func:`inert_cell` marks it too."""
    from briefing.claims import inert_cell

    rows = fixture_claims()
    rows[2]["notes"] = pad + "=1+1"
    write_quoted(dataset / "claims" / "claims.csv", rows)
    assert_one(capsys, f"{CLAIMS}:4:notes:", "no spaces around the value")
    assert inert_cell(pad + "=1+1") == "'" + pad + "=1+1"


ODD_PROSE = [*REFUSED_ON_ONE_LINE, "\u061c\u22123000 to +5000"]


class Page(HTMLParser):
    """The text of a page, its character references decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = []

    def handle_data(self, data):
        self.text.append(data)


def squash(text: str) -> str:
    """Collapse white space, as a browser shows it."""
    return " ".join(text.split())


def shown_visibly(text: str) -> str:
    """``text`` as every output must show it: format characters written as ``⟨U+XXXX⟩``."""
    return "".join(
        f"\u27e8U+{ord(c):04X}\u27e9" if unicodedata.category(c) == "Cf" else c for c in text
    )


@pytest.fixture(scope="module")
def briefing_with_odd_prose(tmp_path_factory):
    """One render of the fixture data plus claims whose statements and notes are formulas
    and prose holding format characters; its HTML text, PDF text and attached claims.csv."""
    from pypdf import PdfReader

    from briefing.render import render_briefing

    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(ROOT / "data" / "reference", data / "reference")
    write_registers(data / "reference")
    (data / "sources").mkdir()
    (data / "claims").mkdir()
    write_source(data / "sources")
    rows = fixture_claims()
    extra = [(f, f) for f in FORMULAS] + [(p, f"Note: {p}") for p in ODD_PROSE]
    for number, (statement, notes) in enumerate(extra, start=len(rows) + 1):
        rows.append(dict(rows[2], claim_id=f"C{number:04d}", statement=statement, notes=notes))
    write_claims(data / "claims" / "claims.csv", rows)
    briefing = render_briefing(notebook=NOTEBOOK, output_dir=data.parent / "reports", data_dir=data)
    page = Page()
    page.feed(briefing.html.read_text(encoding="utf-8"))
    pdf_text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(briefing.pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    attached = PdfReader(briefing.pdf).attachments["claims.csv"][0].decode("utf-8")
    return squash("".join(page.text)), squash(pdf_text), attached


@pytest.mark.render
def test_formulas_are_inert_in_the_attached_claims_csv(briefing_with_odd_prose):
    """Issue 14, formulas: the PDF's claims.csv holds them with an apostrophe; the HTML
    shows them as written."""
    html, _, attached = briefing_with_odd_prose
    rows = list(csv.DictReader(io.StringIO(attached, newline="")))
    cells = {row["claim_id"]: row for row in rows}
    formulas = [cells[f"C{number:04d}"] for number in range(5, 5 + len(FORMULAS))]
    assert [row["statement"] for row in formulas] == ["'" + f for f in FORMULAS]
    assert [row["notes"] for row in formulas] == ["'" + f for f in FORMULAS]
    for formula in FORMULAS:
        assert formula in html
        assert "'" + formula not in html
    assert cells["C0001"]["statement"] == "3,000 troops sent."  # plain cells as they stand
    assert not [c for row in rows for c in row.values() if c.startswith(("=", "+", "-", "@"))]


@pytest.mark.render
def test_item5_prose_format_characters_are_shown_in_the_html(briefing_with_odd_prose):
    """What a one-line field refuses, prose holds, shown as ``⟨U+XXXX⟩``."""
    html, _, _ = briefing_with_odd_prose
    for prose in ODD_PROSE:
        assert squash(shown_visibly(prose)) in html, prose
        if any(unicodedata.category(c) == "Cf" for c in prose):
            assert prose not in html, prose  # shown, never obeyed unseen


@pytest.mark.render
def test_item7_arabic_letter_mark_is_shown_and_figures_keep_their_order_in_the_pdf(
    briefing_with_odd_prose,
):
    _, pdf, _ = briefing_with_odd_prose
    assert "\u27e8U+061C\u27e9\u22123000 to +5000" in pdf
    for reordered in ("3000\u2212", "3000-", "5000+"):  # the bidi mark obeyed: signs moved
        assert reordered not in pdf, reordered
