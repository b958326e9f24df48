"""Shared fixtures: the project's real data, a small editable dataset, one real render."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from briefing.claims import CLAIM_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SOURCE_ID = "2024-10-24_test_fixture-report"
FIXTURE_TEXT = (
    "Officials said on Wednesday that 3,000 troops had been sent.\n"
    'A spokesman said: "We deny it." It\'s unclear what happens next.\n'
    "Analysts expect up to 12,000 troops by December."
)


def fixture_claims() -> list[dict]:
    """Four valid claims on the fixture source; rows start on lines 2, 3, 4, 5."""
    base = dict.fromkeys(CLAIM_COLUMNS, "")
    base.update(
        source_id=FIXTURE_SOURCE_ID,
        claimant="Officials",
        claimant_role="",
        claimant_country="US",
        topic="troop_numbers",
        stance="asserts",
        source_reliability="B",
        info_credibility="2",
        notes="B2: test fixture.",
    )
    rows = [
        dict(
            base,
            claim_id="C0001",
            claim_date="2024-10-23",
            statement="3,000 troops sent.",
            quote="3,000 troops had been sent",
            figure_text="3,000",
            quantity_low="3000",
            quantity_high="3000",
            indicator="troops_sent",
            figure_status="deployed",
        ),
        dict(
            base,
            claim_id="C0002",
            claimant="A spokesman",
            claimant_country="RU",
            topic="troop_presence",
            stance="denies",
            statement="A spokesman denied it.",
            quote='"We deny it."',
        ),
        dict(
            base,
            claim_id="C0003",
            statement="It is unclear what happens next.",
            quote="It's unclear what happens next.",
        ),
        dict(
            base,
            claim_id="C0004",
            claimant="Analysts",
            statement="Up to 12,000 expected.",
            quote="up to 12,000 troops by December",
            figure_text="up to 12,000",
            quantity_high="12000",
            indicator="troops_sent",
            figure_status="projected",
        ),
    ]
    return rows


def write_claims(path: Path, rows: list[dict], columns: list[str] | None = None) -> None:
    """Write claim dicts as a CSV file the way a spreadsheet saves it."""
    columns = columns or CLAIM_COLUMNS
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_source(
    folder: Path, source_id: str = FIXTURE_SOURCE_ID, text: str = FIXTURE_TEXT, **meta: str
) -> Path:
    """Write a source file with front matter and ``text``."""
    fields = {
        "source_id": source_id,
        "title": "Fixture report",
        "outlet": "Test Wire",
        "published": "2024-10-24",
        **meta,
    }
    front = "".join(f"{key}: {value}\n" for key, value in fields.items())
    path = folder / f"{source_id}.md"
    path.write_text(f"---\n{front}---\n{text}", encoding="utf-8")
    return path


#: The fixture's actors: ``actor_id,name,aliases,role,country,kind,part_of,notes``.
FIXTURE_ACTORS = [
    ["officials", "Officials", "", "", "US", "unnamed", "us_government", ""],
    ["us_government", "U.S. government", "", "", "US", "government", "", ""],
    ["spokesman", "A spokesman", "", "", "RU", "unnamed", "", ""],
    ["analysts", "Analysts", "", "", "US", "unnamed", "", ""],
    ["russia", "Russian government", "Moscow", "", "RU", "government", "", ""],
]
#: The fixture's indicators: ``indicator,label,unit,description``.
FIXTURE_INDICATORS = [["troops_sent", "troops sent", "troops", "Troops sent, by any count."]]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """Write a small CSV table (a register, a codebook) as a spreadsheet saves it."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_registers(reference: Path, actors=FIXTURE_ACTORS, indicators=FIXTURE_INDICATORS):
    """Write a data set's actors.csv and indicators.csv into ``reference``."""
    from briefing.reference import REGISTERS

    write_rows(reference / "actors.csv", [*REGISTERS["actors"], "notes"], actors)
    write_rows(reference / "indicators.csv", REGISTERS["indicators"], indicators)


def validate(capsys) -> tuple[int, list[str]]:
    """Run ``briefing validate`` in the working directory; return exit code and error lines."""
    from briefing.cli import main

    code = main(["validate"])
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if not line.startswith("briefing:")]


def assert_one(capsys, location: str, *words: str) -> str:
    """Validation fails with exit 2 and exactly one problem, at ``location``."""
    code, lines = validate(capsys)
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith(location + " "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def notebook_with_cell(folder: Path, source: str, cell_id: str = "added-by-test") -> Path:
    """The briefing notebook with one code cell (``source``) right after its parameters,
    written to ``folder/notebooks/briefing.ipynb``; returns its path."""
    import json

    notebook = json.loads((ROOT / "notebooks" / "briefing.ipynb").read_text(encoding="utf-8"))
    at = next(n for n, c in enumerate(notebook["cells"]) if "parameters" in c["metadata"].get(
        "tags", []))  # fmt: skip
    notebook["cells"].insert(at + 1, {
        "cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {},
        "outputs": [], "source": source,
    })  # fmt: skip
    path = folder / "notebooks" / "briefing.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


@contextmanager
def tmpfs(folder: Path, size: str):
    """A tmpfs of ``size`` mounted on ``folder`` (root only), unmounted on exit."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mount.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture(autouse=True, scope="session")
def cache_folder(tmp_path_factory):
    """The session's own checked-claims cache (:mod:`briefing.cache`), shared by its loads
    and renders (and the commands they run): never the repository's ``.cache/``."""
    import os

    from briefing.cache import CACHE_VARIABLE

    before = os.environ.get(CACHE_VARIABLE)
    os.environ[CACHE_VARIABLE] = str(tmp_path_factory.mktemp("claims-cache"))
    yield Path(os.environ[CACHE_VARIABLE])
    if before is None:
        del os.environ[CACHE_VARIABLE]
    else:
        os.environ[CACHE_VARIABLE] = before


@pytest.fixture
def dataset(tmp_path, monkeypatch):
    """A small valid data folder in ``tmp_path/data``; the working directory is ``tmp_path``.

    Codebooks are the project's real ones, the actors and indicators the fixture's own;
    one fixture source; four claims.
    """
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "reference", data / "reference")
    write_registers(data / "reference")
    (data / "sources").mkdir(parents=True)
    (data / "claims").mkdir()
    write_source(data / "sources")
    write_claims(data / "claims" / "claims.csv", fixture_claims())
    monkeypatch.chdir(tmp_path)
    return data


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """One real render of the shipped briefing (papermill + nbconvert + WeasyPrint)."""
    from briefing.render import render_briefing

    out = tmp_path_factory.mktemp("reports")
    return render_briefing(
        as_of="2024-10-24",
        notebook=ROOT / "notebooks" / "briefing.ipynb",
        output_dir=out,
        data_dir=ROOT / "data",
    )
