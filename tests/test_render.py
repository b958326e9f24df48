"""Real renders: papermill executes the notebook, nbconvert and WeasyPrint export it."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

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


def test_render_writes_the_three_files(rendered):
    assert rendered.folder.name == "2024-10-24"
    for path in (rendered.html, rendered.pdf, rendered.notebook):
        assert path.is_file() and path.stat().st_size > 1000, path
    assert sorted(p.name for p in rendered.folder.iterdir()) == [
        "briefing-2024-10-24.html",
        "briefing-2024-10-24.ipynb",
        "briefing-2024-10-24.pdf",
    ]
    assert not list(rendered.folder.parent.glob(".staging-*"))


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
    assert all("DejaVu" in name for name in fonts), fonts


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


def test_invalid_data_writes_nothing(dataset, tmp_path):
    (dataset / "claims" / "claims.csv").write_text("claim_id\nC0001\n", encoding="utf-8")
    with pytest.raises(ClaimValidationError):
        render_briefing(
            notebook=ROOT / "notebooks" / "briefing.ipynb",
            output_dir=tmp_path / "r",
            data_dir=dataset,
        )
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


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
    """JupyterLab's jsonschema format checkers cost ~1.4 s per process start; they live in .venv-lab."""
    import importlib.util

    assert importlib.util.find_spec("jupyterlab") is None
    assert importlib.util.find_spec("rfc3987_syntax") is None
