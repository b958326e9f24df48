"""``briefing accept``: reviewed rows are checked in their own file and appended with the
next free ids, or nothing is appended."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from briefing.errors import ClaimValidationError
from briefing.evidence import load_evidence
from briefing.propose import CANDIDATE_COLUMNS
from briefing.propose.accept import accept_claims, append_rows, next_ids
from briefing.sources import read_source
from briefing.tables import read_table


@pytest.fixture
def data(tmp_path):
    """A copy of the shipped data folder, to append to."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def reviewed_row(data, **changes) -> dict:
    """A row as an analyst leaves it after review: a sentence of a shipped source as the
    quote, an actor of the register as claimant, graded; ``claim_id`` blank."""
    path = sorted((data / "sources").glob("*.md"))[-1]
    source, _ = read_source(path)
    sentence = re.search(r"[A-Z][^.?!\n]{40,200}[.]", source.text)[0]
    actors = read_table(data / "reference" / "actors.csv").frame
    actor = actors[actors["kind"] == "person"].iloc[0]
    topic = read_table(data / "reference" / "topics.csv").frame["code"].iloc[0]
    row = dict.fromkeys(CANDIDATE_COLUMNS, "")
    row.update(
        source_id=source.meta["source_id"],
        claimant=actor["name"],
        claimant_country=actor["country"],
        topic=topic,
        statement=f"{actor['name']} said so.",
        quote=sentence,
        stance="asserts",
        source_reliability="B",
        info_credibility="2",
        notes="B2: a second analyst's review of a proposed claim.",
        evidence="attribution verb",
        confidence="high",
    )
    row.update(changes)
    return row


def write(path, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CANDIDATE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def test_reviewed_rows_are_appended_with_the_next_ids(data, tmp_path):
    claims = data / "claims" / "claims.csv"
    before = claims.read_bytes()
    known = read_table(claims).frame["claim_id"].tolist()
    proposal = tmp_path / "reviewed.csv"
    write(proposal, [reviewed_row(data), reviewed_row(data, stance="denies")])
    accepted = accept_claims(proposal, data)
    assert accepted.claim_ids == next_ids(known, 2)
    after = claims.read_bytes()
    assert after.startswith(before)  # the curated rows are untouched, byte for byte
    rows = read_table(claims).frame
    assert rows["claim_id"].tolist()[-2:] == accepted.claim_ids
    assert "evidence" not in read_table(claims).header
    evidence = load_evidence(data)  # the whole table still validates
    assert set(accepted.claim_ids) <= set(evidence.claims["claim_id"])


def test_an_unedited_proposal_fails_on_the_grades_and_nothing_is_appended(data, tmp_path):
    claims = data / "claims" / "claims.csv"
    before = claims.read_bytes()
    proposal = tmp_path / "proposed.csv"
    write(proposal, [reviewed_row(data, source_reliability="", info_credibility="")])
    with pytest.raises(ClaimValidationError) as caught:
        accept_claims(proposal, data)
    located = {(p.path, p.line, p.column) for p in caught.value.problems}
    assert located == {
        (str(proposal), 2, "source_reliability"),
        (str(proposal), 2, "info_credibility"),
    }
    assert claims.read_bytes() == before


def test_a_quote_not_in_its_source_and_a_typed_id_are_refused(data, tmp_path):
    claims = data / "claims" / "claims.csv"
    before = claims.read_bytes()
    proposal = tmp_path / "proposed.csv"
    write(proposal, [reviewed_row(data, quote="words no source holds, anywhere at all")])
    with pytest.raises(ClaimValidationError) as caught:
        accept_claims(proposal, data)
    assert [(p.line, p.column) for p in caught.value.problems] == [(2, "quote")]
    write(proposal, [reviewed_row(data, claim_id="C0001")])
    with pytest.raises(ClaimValidationError) as caught:
        accept_claims(proposal, data)
    assert [(p.line, p.column) for p in caught.value.problems] == [(2, "claim_id")]
    assert "expected blank" in str(caught.value)
    assert claims.read_bytes() == before


def test_next_ids_follow_the_highest_and_its_width():
    assert next_ids(["C0001", "C0169", "C0042"], 2) == ["C0170", "C0171"]
    assert next_ids(["C009999"], 1) == ["C010000"]
    assert next_ids([], 1) == ["C0001"]
    assert next_ids(["C9999"], 1) == ["C10000"]


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("closed", [True, False])
def test_rows_are_appended_in_the_file_s_line_endings(tmp_path, ending, closed):
    path = tmp_path / "claims.csv"
    text = f"a,b{ending}1,2" + (ending if closed else "")
    path.write_bytes(text.encode())
    append_rows(path, [["3", "x, y"]])
    assert path.read_bytes() == f'a,b{ending}1,2{ending}3,"x, y"{ending}'.encode()
    assert not list(tmp_path.glob("*.partial"))


def test_the_command_exits_2_naming_the_cell_then_0_with_the_ids(data, tmp_path):
    proposal = tmp_path / "proposed.csv"
    write(proposal, [reviewed_row(data, info_credibility="")])
    command = [sys.executable, "-m", "briefing.cli", "accept", str(proposal), "--data-dir", data]
    failed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert failed.returncode == 2
    assert f"{proposal}:2:info_credibility:" in failed.stderr
    write(proposal, [reviewed_row(data)])
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert re.search(r"accepted 1 claim\(s\) as C\d{4,}", done.stdout)
