"""Real renders: papermill executes the notebook, nbconvert and WeasyPrint export it."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT
from pypdf import PdfReader

from briefing.errors import ClaimValidationError, NotebookExecutionError, ParameterError
from briefing.render import render_briefing

MARKING = "UNCLASSIFIED // OPEN SOURCE"


class References(HTMLParser):
    """Collect every tag and every URL an HTML page refers to."""

    def __init__(self):
        super().__init__()
        self.tags, self.urls = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in {"src", "href", "data", "poster"} and v]


def test_render_writes_the_briefing_its_notebook_and_its_facts(rendered):
    assert rendered.folder.name == "2024-10-24"
    for path in (rendered.html, rendered.pdf, rendered.notebook, rendered.facts):
        assert path.is_file() and path.stat().st_size > 1000, path
    assert sorted(p.name for p in rendered.folder.iterdir()) == [
        "briefing-2024-10-24.html",
        "briefing-2024-10-24.ipynb",
        "briefing-2024-10-24.json",
        "briefing-2024-10-24.pdf",
        "manifest.json",
    ]
    assert not list(rendered.folder.parent.glob(".staging-*"))


def test_the_facts_come_from_the_kernel_as_a_file_not_through_the_notebook(rendered):
    from briefing import sections
    from briefing.evidence import load_evidence
    from briefing.facts import MIME_TYPE, briefing_facts, facts_json

    assert MIME_TYPE not in rendered.notebook.read_text(encoding="utf-8")
    scope = sections.scope(load_evidence(ROOT / "data"), "2024-10-24", "", "", None)
    assert rendered.facts.read_text(encoding="utf-8") == facts_json(briefing_facts(scope))


def test_the_renders_own_process_lets_go_of_the_sources_once_validated(tmp_path, monkeypatch):
    # Planning reads every source (a million claims come with tens of thousands); the
    # check is their last use in the render's own process, which then holds no texts
    # while the kernel runs the sections and the PDF is made.
    import weakref

    import briefing.render as render

    validate, seen = render.validate_inputs, []

    def watched(plan, pdf=False):
        sources = weakref.ref(plan.sources)
        attachment = validate(plan, pdf)
        gc.collect()
        seen.append((plan.sources, sources()))
        return attachment

    monkeypatch.setattr(render, "validate_inputs", watched)
    render_briefing(output_dir=tmp_path / "reports", data_dir=ROOT / "data", pdf=False)
    assert seen == [(None, None)]


EARLY_IMPORT = """
import sys, threading
import briefing.render as render

plan = render.plan_render

def watched(*args, **kwargs):
    loading = any(t.name == "load-weasyprint" for t in threading.enumerate())
    print("weasyprint" in sys.modules or loading)
    return plan(*args, **kwargs)

render.plan_render = watched
render.render_briefing(
    output_dir=sys.argv[1], data_dir=sys.argv[2], notebook=sys.argv[3], pdf=False
)
"""


def test_weasyprint_is_loaded_before_the_render_plans(tmp_path):
    # WeasyPrint's import starts dozens of processes (ldconfig, gcc, ld), each a copy of
    # the render's process until it runs the program: the render loads it first thing, in
    # a thread, while its process is small, not once it holds the sources.
    done = subprocess.run(
        [sys.executable, "-c", EARLY_IMPORT, str(tmp_path / "reports"), str(ROOT / "data"),
         str(ROOT / "notebooks" / "briefing.ipynb")],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.stdout.split()[0] == "True"  # loading (or loaded), in a fresh process


def test_every_pdf_page_has_marking_date_and_page_n_of_m(rendered):
    reader = PdfReader(rendered.pdf)
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    assert "North Korean troops in Russia" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert MARKING in text, number
        assert "Information as of 24 October 2024" in text, number
        assert f"Page {number} of {len(pages)}" in text, number


def test_pdf_metadata_and_embedded_fonts(rendered):
    reader = PdfReader(rendered.pdf)
    meta = reader.metadata
    assert meta.title.startswith("North Korean troops in Russia")
    assert "24 October 2024" in meta.subject
    assert meta.creation_date.date().isoformat() == "2024-10-24"
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts", [font])[0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[font["/BaseFont"]] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert fonts and all(fonts.values()), fonts
    assert all("Briefing" in name for name in fonts), fonts  # the pinned @font-face fonts


def test_pdf_shows_the_figures_and_the_claims(rendered):
    text = "".join(page.extract_text() for page in PdfReader(rendered.pdf).pages)
    for figure in ("1,500", "3,000", "10,000", "12,000"):
        assert figure in text
    assert "C0001" in text and "Sources and claims" in text


def test_html_has_no_code_no_scripts_and_nothing_remote(rendered):
    html = rendered.html.read_text(encoding="utf-8")
    parser = References()
    parser.feed(html)
    assert "script" not in parser.tags and "link" not in parser.tags
    assert all(url.startswith(("#", "data:")) for url in parser.urls), parser.urls
    assert not re.search(r"https?://", html)
    assert "@import" not in html
    for code in ("load_evidence", "import ", "data_dir", "display("):
        assert code not in html, code
    assert "cm-editor" not in html and "jp-InputArea-editor" not in html
    assert "<svg" in html or "data:image/svg+xml" in html


def test_executed_notebook_is_kept_with_injected_parameters(rendered):
    import nbformat

    nb = nbformat.read(rendered.notebook, as_version=4)
    assert nb.metadata.papermill.parameters["as_of"] == "2024-10-24"
    tags = [cell.metadata.get("tags", []) for cell in nb.cells]
    assert ["injected-parameters"] in tags


@pytest.mark.parametrize("breaks_the_notebook", [True, False])
def test_invalid_data_writes_nothing(dataset, tmp_path, breaks_the_notebook):
    # The notebook runs while the data is validated: whether it crashes on the bad table
    # or renders a briefing from it, the render reports the data's problems and writes
    # nothing at all (no briefing, no kept notebook, not even the output folder).
    claims = dataset / "claims" / "claims.csv"
    if breaks_the_notebook:
        claims.write_text("claim_id\nC0001\n", encoding="utf-8")
    else:  # a quote that is not in its source: only validation can tell
        text = claims.read_text(encoding="utf-8")
        bad = text.replace("3,000 troops had been sent", "3,000 troops were sent", 1)
        assert bad != text
        claims.write_text(bad, encoding="utf-8")
    with pytest.raises(ClaimValidationError):
        render_briefing(
            notebook=ROOT / "notebooks" / "briefing.ipynb",
            output_dir=tmp_path / "r",
            data_dir=dataset,
        )
    assert not (tmp_path / "r").exists()


def test_invalid_data_kills_the_notebook_before_it_finishes(dataset, tmp_path):
    # tests/notebooks/slow.ipynb sleeps 30 s, then writes data_dir/../finished. The data's
    # problem is the first thing on stderr, not the kernel's death that it caused.
    claims = dataset / "claims" / "claims.csv"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("troops had been sent", "troops were sent", 1), encoding="utf-8")
    command = [sys.executable, "-m", "briefing.cli", "render", "--output-dir", str(tmp_path / "r")]
    command += ["--data-dir", str(dataset), "--notebook", str(ROOT / "tests/notebooks/slow.ipynb")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert not (dataset.parent / "finished").exists()  # the kernel was killed mid-sleep
    assert not (tmp_path / "r").exists()
    messages = [line for line in done.stderr.splitlines() if not line.startswith("  ")]
    assert messages[0].startswith("data/claims/claims.csv:2:quote: found "), done.stderr
    assert "Kernel died" not in done.stderr and "Traceback" not in done.stderr


def test_a_render_leaves_no_kernel_thread_setting_or_history_behind(tmp_path, monkeypatch):
    # The render starts its own kernel, a validation thread and an export warm-up thread,
    # and changes the garbage collector's thresholds: all of it is undone when it returns.
    # The kernel keeps no IPython history: a render adds nothing to the user's ~/.ipython.
    ipython = tmp_path / "ipython"
    monkeypatch.setenv("IPYTHONDIR", str(ipython))
    threads, thresholds = threading.active_count(), gc.get_threshold()
    briefing = render_briefing(
        as_of="2024-10-23",
        notebook=ROOT / "notebooks" / "briefing.ipynb",
        output_dir=tmp_path,
        data_dir=ROOT / "data",
    )
    assert briefing.pdf.is_file()
    assert threading.active_count() == threads and gc.get_threshold() == thresholds
    children = Path(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/children")
    assert children.read_text().split() == []  # the kernel was killed and reaped
    assert list(ipython.rglob("history.sqlite")) == []


def test_bad_date_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(ParameterError, match="as_of"):
        render_briefing(
            as_of="2024-02-30",
            notebook=ROOT / "notebooks" / "briefing.ipynb",
            output_dir=tmp_path,
            data_dir=ROOT / "data",
        )
    assert not any(tmp_path.iterdir())


def test_failing_notebook_keeps_good_briefing_and_the_failed_notebook(dataset, tmp_path):
    out = tmp_path / "reports"
    good = out / "2024-10-24"
    good.mkdir(parents=True)
    (good / "briefing-2024-10-24.pdf").write_bytes(b"%PDF good one")
    with pytest.raises(NotebookExecutionError) as caught:
        render_briefing(
            notebook=ROOT / "tests" / "notebooks" / "raises.ipynb", output_dir=out, data_dir=dataset
        )
    assert "ZeroDivisionError" in str(caught.value)
    assert (good / "briefing-2024-10-24.pdf").read_bytes() == b"%PDF good one"
    assert sorted(p.name for p in good.iterdir()) == ["briefing-2024-10-24.pdf"]
    assert (out / "_failed" / "2024-10-24" / "briefing-2024-10-24.ipynb").is_file()
    assert not list(out.glob(".staging-*"))


def test_cli_exit_codes(tmp_path):
    briefing = [sys.executable, "-m", "briefing.cli"]
    bad = subprocess.run(
        [*briefing, "render", "--as-of", "2024-13-01", "--output-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert "as_of" in bad.stderr and "YYYY-MM-DD" in bad.stderr
    assert not any(tmp_path.iterdir())
    ok = subprocess.run([*briefing, "validate"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr


def test_render_environment_keeps_jupyterlab_out():
    """JupyterLab's format checkers cost ~1.4 s per process start: they live in .venv-lab."""
    import importlib.util

    assert importlib.util.find_spec("jupyterlab") is None
    assert importlib.util.find_spec("rfc3987_syntax") is None


SECTIONS = [
    "Bottom line up front",
    "Key judgments",
    "Figures given",
    "Timeline",
    "Who says what",
    "Corroboration",
    "Intelligence gaps",
    "Sources and claims",
]


class Images(HTMLParser):
    """Collect the ``<img>`` tags of a page with their attributes."""

    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def test_html_and_pdf_have_every_section_in_order(rendered):
    html = rendered.html.read_text(encoding="utf-8")
    pdf = "".join(page.extract_text() for page in PdfReader(rendered.pdf).pages)
    for text in (html, pdf):
        positions = [text.find(heading) for heading in SECTIONS]
        assert -1 not in positions, positions
        assert positions == sorted(positions)


def test_at_least_four_charts_each_with_alt_text(rendered):
    parser = Images()
    parser.feed(rendered.html.read_text(encoding="utf-8"))
    charts = [img for img in parser.images if img["src"].startswith("data:image/svg+xml")]
    assert len(charts) >= 4
    assert all(len(img.get("alt", "")) > 30 for img in charts)


def test_the_troop_figures_appear_as_stated_with_their_actors(rendered):
    pdf = " ".join(page.extract_text() for page in PdfReader(rendered.pdf).pages)
    pdf = " ".join(pdf.split())
    for figure, claimant in [
        ("approximately 1,500", "National Intelligence Service"),
        ("3,000", "South Korean lawmakers"),
        ("at least 3,000", "John Kirby"),
    ]:
        assert figure in pdf and claimant in pdf
    html = rendered.html.read_text(encoding="utf-8").replace("\u00a0", " ")
    assert "the lowest is approximately 1,500 (sent; National Intelligence Service" in html
    assert "the highest is 3,000 (sent; South Korean lawmakers" in html  # not "at least 3,000"
    assert "3,000\u20133,000" not in html


def test_key_judgments_link_to_the_claims_they_cite(rendered):
    html = rendered.html.read_text(encoding="utf-8")
    targets = set(re.findall(r'href="#(C\d{4})"', html))
    anchors = set(re.findall(r'<tr id="(C\d{4})"', html))
    assert targets and targets <= anchors
    assert "Likelihood: almost certain (95\u201399%)" in html


def test_no_troop_figure_is_typed_into_the_notebooks():
    from briefing.evidence import load_evidence

    claims = load_evidence(ROOT / "data").claims
    troops = claims[claims["unit"] == "troops"]
    numbers = set(troops["quantity_low"].dropna()) | set(troops["quantity_high"].dropna())
    spelled = {f"{int(n):,}" for n in numbers if n >= 10} | {
        str(int(n)) for n in numbers if n >= 10
    }
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        found = [s for s in spelled if re.search(rf"(?<![\d,-]){re.escape(s)}(?![\d,-])", text)]
        assert found == [], (notebook.name, found)


def test_changing_a_quantity_changes_the_rendered_briefing(dataset, tmp_path):
    from conftest import fixture_claims, write_claims

    notebook = ROOT / "notebooks" / "briefing.ipynb"
    before = render_briefing(notebook=notebook, output_dir=tmp_path / "a", data_dir=dataset)
    from conftest import FIXTURE_TEXT, write_source

    rows = fixture_claims()
    rows[0].update(quote="4,321 troops had been sent", figure_text="4,321",
                   quantity_low="4321", quantity_high="4321")  # fmt: skip
    write_claims(dataset / "claims" / "claims.csv", rows)
    write_source(dataset / "sources", text=FIXTURE_TEXT.replace("3,000", "4,321"))
    after = render_briefing(notebook=notebook, output_dir=tmp_path / "b", data_dir=dataset)
    old = before.html.read_text(encoding="utf-8")
    new = after.html.read_text(encoding="utf-8")
    assert "the lowest is 3,000 (sent; Officials" in old and "4,321" not in old
    assert "the lowest is 4,321 (sent; Officials" in new
    pdf = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(after.pdf).pages)
    assert "the lowest is 4,321 (sent; Officials" in pdf


def test_a_render_leaves_nothing_in_the_temporary_folder(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "briefing.cli",
            "-q",
            "render",
            "--as-of",
            "2024-10-24",
            "--output-dir",
            str(tmp_path / "out"),
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert list(tmp.iterdir()) == []  # WeasyPrint's font copies included


def test_a_file_the_kernel_fails_to_write_fails_the_render_and_keeps_the_good_one(
    dataset, tmp_path
):
    """The kernel writes the listing and the facts in a thread while the render lays out the
    PDF (briefing.inputs.write_render_file): one it cannot write fails the render with its
    error, after the notebook itself has run, and nothing is published."""
    from conftest import notebook_with_cell

    notebook = notebook_with_cell(
        tmp_path,
        "from briefing.inputs import write_render_file\n"
        "write_render_file('extra.txt', lambda: iter(['half', str(1 / 0)]))",
    )
    out = tmp_path / "reports"
    good = out / "2024-10-24"
    good.mkdir(parents=True)
    (good / "briefing-2024-10-24.pdf").write_bytes(b"%PDF good one")
    with pytest.raises(NotebookExecutionError) as caught:
        render_briefing(notebook=notebook, output_dir=out, data_dir=dataset)
    assert caught.value.exit_code == 3
    assert "extra.txt was not written: ZeroDivisionError: division by zero" in str(caught.value)
    report = out / "_failed" / "2024-10-24" / "extra.txt.failed"
    assert str(report) in str(caught.value) and "1 / 0" in report.read_text()  # kept whole
    assert sorted(p.name for p in good.iterdir()) == ["briefing-2024-10-24.pdf"]
    assert not list(out.glob(".staging-*"))


def test_a_kernel_that_dies_before_its_files_are_written_fails_the_render(dataset, tmp_path):
    """The notebook has run, but its kernel dies while still writing a file (queued by the
    last cell, after the listing and the facts): the render waits no longer than the kernel
    lives, and fails (exit code 3), publishing nothing."""
    import json

    from conftest import notebook_with_cell

    notebook = notebook_with_cell(tmp_path, "pass")
    cells = json.loads(notebook.read_text(encoding="utf-8"))
    cells["cells"].append({
        "cell_type": "code", "execution_count": None, "id": "dies-late", "metadata": {},
        "outputs": [], "source": "import os, time\nfrom briefing.inputs import write_render_file\n"
        "def dying():\n    time.sleep(3)\n    os._exit(9)\n    yield ''\n"
        "write_render_file('extra.txt', dying)",
    })  # fmt: skip
    notebook.write_text(json.dumps(cells), encoding="utf-8")
    out = tmp_path / "reports"
    with pytest.raises(NotebookExecutionError) as caught:
        render_briefing(notebook=notebook, output_dir=out, data_dir=dataset)
    assert caught.value.exit_code == 3
    assert "extra.txt was not written: the kernel stopped before it was written" in str(
        caught.value
    )
    assert not (out / "2024-10-24").exists()
    assert not list(out.glob(".staging-*"))


def test_the_listing_and_facts_the_kernel_writes_arrive_whole(rendered):
    """The listing and the facts, written by the kernel while the PDF is laid out, are in the
    published files whole: a row for every claim in the HTML, facts that parse."""
    import json

    from briefing.evidence import known_on, load_evidence

    html = rendered.html.read_text(encoding="utf-8")
    known = known_on(load_evidence(ROOT / "data"), "2024-10-24").claims
    rows = re.findall(r'<tr id="([^"]+)"', html[html.index("<!-- briefing:listing -->") :])
    assert sorted(rows) == sorted(known["claim_id"]) and html.rstrip().endswith("</html>")
    facts = json.loads(rendered.facts.read_text(encoding="utf-8"))
    assert facts["as_of"] == "2024-10-24" and facts["claims"]["known"] == len(rows)
