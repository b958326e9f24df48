"""The benchmark scripts: synthetic data is valid, and a quick run writes every section."""

from __future__ import annotations

import csv
import re
import subprocess
import sys

import pytest
from conftest import ROOT

from briefing.claims import CLAIM_COLUMNS
from briefing.evidence import load_evidence

SYNTH = ROOT / "bench" / "synth.py"
RUN = ROOT / "bench" / "run.py"


def synth(out, claims: int = 300, seed: int = 0) -> None:
    """Run bench/synth.py into ``out``."""
    subprocess.run(
        [sys.executable, str(SYNTH), *f"--claims {claims} --seed {seed} --out".split(), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )


def test_synthetic_data_loads(tmp_path):
    out = tmp_path / "synth"
    synth(out)
    evidence = load_evidence(
        out,
        claims_path=out / "claims.csv",
        sources_dir=out / "sources",
        judgments_path=out / "judgments.csv",
        gaps_path=tmp_path / "none",
        events_path=tmp_path / "none",
    )
    assert len(evidence.claims) == 300
    assert len(evidence.judgments) >= 8
    with (out / "claims.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == CLAIM_COLUMNS
    again = tmp_path / "again"
    synth(again)
    for path in out.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (again / path.relative_to(out)).read_bytes(), path


@pytest.mark.render
def test_quick_benchmark_writes_every_section(tmp_path):
    results = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--out", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = results.read_text(encoding="utf-8")
    headings = (
        "## Machine",
        "## Comparison",
        "## Critical path",
        "## Scale",
        "## Series",
        "## Preview",
        "## Extraction",
    )
    for heading in (*headings, "## Profile"):
        assert heading in text
    # every stage of the render's critical path was timed (six rows, then the total)
    stages = re.findall(r"^\| ([^|*]+?) \| (\d+\.\d\d) \| (\d+\.\d\d) \|$", text, re.M)
    labels = [label for label, _, _ in stages]
    assert len(stages) == 6 and labels[4].startswith("PDF: WeasyPrint")
    assert all(float(seconds) > 0 for _, seconds, _ in stages)
    assert "| ours |" in text
    assert "| floor |" in text
    assert re.search(r"^\| save → HTML reload, median s \| \d+\.\d\d ", text, re.M)
    assert re.search(r"^\| recall \| \d\.\d\d \(\d+ of \d+ curated claims\)", text, re.M)


def test_the_benchmarks_edit_changes_one_claim_in_the_middle(tmp_path, monkeypatch):
    """The "one claim changed" runs edit one row in the middle of the table (longer), not
    the last: every other row is as it was, the table still valid."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    from run import change_one_claim

    out = tmp_path / "synth"
    synth(out)
    path = out / "claims.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        before = list(csv.DictReader(handle))
    change_one_claim(path)
    with path.open(encoding="utf-8", newline="") as handle:
        after = list(csv.DictReader(handle))
    changed = [n for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1 and len(before) // 3 < changed[0] < len(before) * 2 // 3
    row = changed[0]
    assert after[row]["statement"] == before[row]["statement"] + " (revised)"
    assert {k: v for k, v in after[row].items() if k != "statement"} == {
        k: v for k, v in before[row].items() if k != "statement"
    }
