"""Judgments, gaps and events: validated like the claims, with path:line:column errors."""

from __future__ import annotations

import csv

import pytest

from briefing.cli import main
from briefing.evidence import load_evidence
from briefing.judgments import EVENT_COLUMNS, GAP_COLUMNS, JUDGMENT_COLUMNS, estimative_pattern

JUDGMENTS = "data/judgments/judgments.csv"
GAPS = "data/judgments/gaps.csv"
EVENTS = "data/events/events.csv"


def judgment(**cells) -> dict:
    """A valid judgment on the fixture claims, with ``cells`` changed."""
    row = {
        "judgment_id": "J001",
        "text": "Troops have almost certainly been sent.",
        "likelihood": "almost certain",
        "confidence": "moderate",
        "claim_ids": "C0001 C0003",
        "valid_from": "2024-10-24",
        "notes": "Fixture.",
    }
    return {**row, **cells}


def gap(**cells) -> dict:
    """A valid open gap, with ``cells`` changed."""
    row = {
        "gap_id": "G001",
        "question": "Why?",
        "claim_ids": "C0002",
        "valid_from": "2024-10-24",
        "closed_on": "",
        "notes": "",
    }
    return {**row, **cells}


def event(**cells) -> dict:
    """A valid month-precision event, with ``cells`` changed."""
    row = {
        "event_id": "E001",
        "date": "2024-06-01",
        "date_precision": "month",
        "event": "Treaty",
        "claim_ids": "C0001",
        "notes": "",
    }
    return {**row, **cells}


def write(path, columns, rows) -> None:
    """Write rows as a CSV table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def problems(capsys) -> tuple[int, list[str]]:
    """Run ``briefing validate``; return the exit code and the problem lines."""
    code = main(["validate"])
    err = capsys.readouterr().err.splitlines()
    return code, [line for line in err if not line.startswith("briefing:")]


def only(capsys, location: str, *words: str) -> None:
    """Exactly one problem, at ``location``, mentioning ``words``; exit code 2."""
    code, lines = problems(capsys)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(location + " "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]


def test_valid_tables_load_typed(dataset):
    write(dataset / "judgments" / "judgments.csv", JUDGMENT_COLUMNS, [judgment()])
    write(
        dataset / "judgments" / "gaps.csv",
        GAP_COLUMNS,
        [gap()],
    )
    write(
        dataset / "events" / "events.csv",
        EVENT_COLUMNS,
        [event()],
    )
    evidence = load_evidence("data")
    assert evidence.judgments.loc[0, "claim_ids"] == ["C0001", "C0003"]
    assert evidence.judgments.loc[0, "line"] == 2
    assert evidence.gaps["closed_on"].isna().all()
    assert str(evidence.events.loc[0, "date"].date()) == "2024-06-01"


def test_missing_tables_mean_no_judgments(dataset):
    evidence = load_evidence("data")
    assert evidence.judgments.empty and evidence.gaps.empty and evidence.events.empty


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"likelihood": "probably"}, "likelihood", ("'probably'", "estimative_words.csv")),
        ({"confidence": "medium"}, "confidence", ("'medium'", "confidence_levels.csv")),
        ({"judgment_id": "K1"}, "judgment_id", ("J001",)),
        ({"valid_from": "2024-10-32"}, "valid_from", ("real calendar date",)),
        ({"claim_ids": "C0001 C0099"}, "claim_ids", ("C0099", "no such claim")),
        ({"claim_ids": ""}, "claim_ids", ("may not be blank",)),
        ({"text": "Troops have been sent."}, "text", ("does not use its likelihood word",)),
        (
            {"text": "Troops have almost certainly been sent, and likely more will follow."},
            "text",
            ("also uses the estimative word 'likely'",),
        ),
        (
            {"text": "With moderate confidence, troops have almost certainly been sent."},
            "text",
            ("in one sentence",),
        ),
        ({"valid_from": "2024-10-23"}, "valid_from", ("first published later",)),
    ],
)
def test_bad_judgment_is_located(dataset, capsys, cells, column, words):
    write(
        dataset / "judgments" / "judgments.csv",
        JUDGMENT_COLUMNS,
        [judgment(judgment_id="J001"), judgment(**{"judgment_id": "J002", **cells})],
    )
    only(capsys, f"{JUDGMENTS}:3:{column}:", *words)


def test_confidence_in_a_separate_sentence_is_allowed(dataset, capsys):
    text = "Troops have almost certainly been sent. Our confidence rests on two claimants."
    write(dataset / "judgments" / "judgments.csv", JUDGMENT_COLUMNS, [judgment(text=text)])
    assert main(["validate"]) == 0


def test_duplicate_judgment_id(dataset, capsys):
    write(dataset / "judgments" / "judgments.csv", JUDGMENT_COLUMNS, [judgment(), judgment()])
    only(capsys, f"{JUDGMENTS}:3:judgment_id:", "unique")


def test_gap_closed_before_it_opened(dataset, capsys):
    write(
        dataset / "judgments" / "gaps.csv",
        GAP_COLUMNS,
        [gap(closed_on="2024-10-01")],
    )
    only(capsys, f"{GAPS}:2:closed_on:", "before valid_from")


def test_event_with_unknown_precision(dataset, capsys):
    write(
        dataset / "events" / "events.csv",
        EVENT_COLUMNS,
        [event(date_precision="week")],
    )
    only(capsys, f"{EVENTS}:2:date_precision:", "'week'", "day, month, year")


def test_validate_takes_a_judgments_path(dataset, capsys, tmp_path):
    other = tmp_path / "elsewhere.csv"
    write(other, JUDGMENT_COLUMNS, [judgment(likelihood="maybe")])
    assert main(["validate", "--judgments", str(other)]) == 2
    assert "elsewhere.csv:2:likelihood:" in capsys.readouterr().err


def test_estimative_patterns_respect_word_forms_and_boundaries():
    assert estimative_pattern("almost certain").search("It is almost certainly so")
    assert estimative_pattern("probable").search("It probably is")
    assert not estimative_pattern("likely").search("It is unlikely")
    assert estimative_pattern("likely").search("It is very likely")  # the other check catches it
