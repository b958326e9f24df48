"""Loaders never crash on arbitrary input; renders never interleave; parameters are checked."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest
from conftest import ROOT, fixture_claims, write_claims
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.claims import CLAIM_COLUMNS, load_claims
from briefing.errors import InvalidInputError, ParameterError
from briefing.manifest import sha256
from briefing.reference import load_codebooks
from briefing.render import render_briefing
from briefing.sources import load_sources
from briefing.tables import read_table

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
BOOKS = load_codebooks(ROOT / "data" / "reference")


def cli_render(out, data, notebook, *options) -> subprocess.CompletedProcess:
    """Run ``briefing render`` in a fresh process; its exit code, stdout and stderr."""
    command = [sys.executable, "-m", "briefing.cli", "render", "--output-dir", str(out)]
    command += ["--data-dir", str(data), "--notebook", str(notebook), *options]
    return subprocess.run(command, capture_output=True, text=True)


def assert_located(error: InvalidInputError) -> None:
    """Every problem has a path, a line and a message."""
    assert error.problems
    for problem in error.problems:
        assert problem.path and problem.line >= 0 and problem.message


@FUZZ
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_crash_the_table_reader(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "table.csv"
    path.write_bytes(data)
    table = read_table(path)
    for problem in table.problems:
        assert problem.path.endswith("table.csv") and problem.line >= 0


@FUZZ
@given(st.lists(st.dictionaries(st.sampled_from(CLAIM_COLUMNS), st.text(max_size=30)), max_size=4))
def test_arbitrary_cells_give_success_or_located_errors(dataset, rows):
    from briefing.sources import load_sources

    sources = load_sources(dataset / "sources")
    base = fixture_claims()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CLAIM_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows([{**base[i % 4], **row} for i, row in enumerate(rows)])
    path = dataset / "claims" / "claims.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        claims = load_claims(path, sources, BOOKS)
    except InvalidInputError as error:
        assert_located(error)
    else:
        assert len(claims) == len(rows)


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_source_files_give_success_or_located_errors(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("sources")
    (folder / "2024-01-01_fuzz.md").write_bytes(b"---\n" + data)
    try:
        load_sources(folder)
    except InvalidInputError as error:
        assert_located(error)


def _render_once(arguments):
    """Render in a separate process; return the exit status (for the concurrency test)."""
    data, out = arguments
    render_briefing(notebook=ROOT / "notebooks" / "briefing.ipynb", output_dir=out, data_dir=data)
    return 0


def test_two_concurrent_renders_of_one_date_leave_one_complete_briefing(dataset, tmp_path):
    out = tmp_path / "reports"
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(_render_once, [(dataset, out), (dataset, out)])) == [0, 0]
    folder = out / "2024-10-24"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*manifest["outputs"], "manifest.json"]
    )
    for name, digest in manifest["outputs"].items():
        assert sha256(folder / name) == digest
    assert sorted(p.name for p in out.iterdir()) == ["2024-10-24"]  # no staging left over


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--as-of", "2024-10-25"], "after the newest source (2024-10-24)"),
        (["--as-of", "24/10/2024"], "expected a real date YYYY-MM-DD"),
        (["--since", "2024-10-24"], "expected a date before as_of"),
        (["--title", "x" * 201], "expected 1 to 200"),
        (["--marking", "SECRET\nNOT"], "U+000A (LINE FEED), a line break or tab"),
        (["--marking", "SECRET\u2028NOT"], "U+2028 (LINE SEPARATOR), a line or paragraph"),
        (["--title", "Two\u2029parts"], "U+2029 (PARAGRAPH SEPARATOR)"),
        (["--title", "figures \u061c-3000"], "U+061C (ARABIC LETTER MARK), an invisible"),
        (["--title", "Lloyd \u0410ustin"], "mixes Cyrillic and Latin letters in"),
        (
            ["--notebook", str(ROOT / "tests" / "notebooks" / "no_since.ipynb")],
            "does not declare since",
        ),
    ],
)
def test_bad_parameters_exit_2_and_write_nothing(dataset, tmp_path, options, words):
    out = tmp_path / "reports"
    result = cli_render(out, dataset, ROOT / "notebooks" / "briefing.ipynb", *options)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_unknown_option_exits_2():
    result = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "render", "--colour", "red"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "unrecognized arguments: --colour" in result.stderr


def test_parameter_error_names_the_parameter():
    assert str(ParameterError("as_of", "found x")) == "parameter as_of: found x"


def test_cli_exit_3_keeps_the_previous_briefing_byte_for_byte(dataset, tmp_path):
    out = tmp_path / "reports"
    render_briefing(
        notebook=ROOT / "notebooks" / "briefing.ipynb", output_dir=out, data_dir=dataset
    )
    before = {p.name: sha256(p) for p in (out / "2024-10-24").iterdir()}
    result = cli_render(out, dataset, ROOT / "tests" / "notebooks" / "raises.ipynb")
    assert result.returncode == 3
    assert "ZeroDivisionError" in result.stderr and "_failed" in result.stderr
    assert {p.name: sha256(p) for p in (out / "2024-10-24").iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == ["2024-10-24", "_failed"]


def test_claims_replaced_mid_render_never_publish_unvalidated_rows(dataset, tmp_path, monkeypatch):
    """Issue 14, item 3: the bytes validated are the bytes hashed, rendered and attached.

    The claims file is replaced by one validation rejects (a claim dated after its
    source) at the worst moment: after the validation has read it, before the notebook loads it.
    The render must publish the rows it validated, everywhere, or nothing.
    """
    import threading

    from pypdf import PdfReader

    import briefing.render as render

    claims = dataset / "claims" / "claims.csv"
    original = claims.read_bytes()
    rows = fixture_claims()
    rejected = dict(rows[0], claim_id="C0099", statement="Swapped in after validation.",
                    claim_date="2024-10-30")  # fmt: skip
    swapped = tmp_path / "swapped.csv"
    write_claims(swapped, [*rows, rejected])
    validated = threading.Event()
    validate, execute = render.validate_inputs, render.execute_notebook

    def validate_then_swap(*args, **kwargs):
        try:
            return validate(*args, **kwargs)
        finally:
            swapped.replace(claims)  # as an editor saves: a new file under the old name
            validated.set()

    def execute_after_the_swap(*args, **kwargs):
        assert validated.wait(60)
        return execute(*args, **kwargs)

    monkeypatch.setattr(render, "validate_inputs", validate_then_swap)
    monkeypatch.setattr(render, "execute_notebook", execute_after_the_swap)
    out = tmp_path / "reports"
    briefing = render_briefing(
        notebook=ROOT / "notebooks" / "briefing.ipynb", output_dir=out, data_dir=dataset
    )
    assert b"C0099" in claims.read_bytes()  # the swap happened, mid-render
    html = briefing.html.read_text(encoding="utf-8")
    assert "C0001" in html and "C0099" not in html and "Swapped in" not in html
    manifest = json.loads((briefing.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["data/claims/claims.csv"] == sha256_bytes(original)
    attached = PdfReader(briefing.pdf).attachments["claims.csv"][0].decode("utf-8")
    ids = [row["claim_id"] for row in csv.DictReader(io.StringIO(attached))]
    assert ids == [row["claim_id"] for row in rows]
    notebook = briefing.notebook.read_text(encoding="utf-8")
    assert "C0099" not in notebook and "Swapped in" not in notebook


def sha256_bytes(data: bytes) -> str:
    """The sha256 of bytes, as the manifest writes it."""
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_an_unexpected_internal_error_exits_1_with_its_traceback(tmp_path):
    # What no step names (a bug) is not dressed up as invalid input or a machine failure:
    # Python's traceback and exit code 1, as the README's exit-code table says.
    code = (
        "import sys, briefing.cli as cli\n"
        "def broken(args):\n"
        "    raise RuntimeError('a bug, not bad input')\n"
        "cli.COMMANDS['validate'] = broken\n"
        "sys.exit(cli.main(['validate']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "RuntimeError: a bug, not bad input" in done.stderr
