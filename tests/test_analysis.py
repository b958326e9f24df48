"""Analysis functions on small hand-made DataFrames, including empty and single-row ones."""

from __future__ import annotations

import pandas as pd
import pytest

from briefing import analysis

STATUSES = pd.DataFrame(
    {"label": ["sent", "pledged", "being prepared"]},
    index=["deployed", "pledged", "in_preparation"],
)
TOPICS = pd.DataFrame(
    {"label": ["Troop presence", "Arms transfers"]}, index=["troop_presence", "arms_transfers"]
)
WORDS = pd.DataFrame({"probability_high": [80, 99]}, index=["likely", "almost certain"])
SOURCES = pd.DataFrame(
    {"source_id": ["S1", "S2"], "published": pd.to_datetime(["2024-10-24", "2024-11-15"])}
)


def claims(*rows: dict) -> pd.DataFrame:
    """Typed claims from partial rows (defaults fill the rest)."""
    base = {
        "claim_id": "C0001",
        "source_id": "S1",
        "claimant": "A",
        "claimant_country": "US",
        "claim_date": pd.NaT,
        "topic": "troop_presence",
        "statement": "s",
        "quote": "q",
        "quantity_low": pd.NA,
        "quantity_high": pd.NA,
        "unit": "",
        "figure_status": "",
        "stance": "asserts",
        "source_reliability": "B",
        "info_credibility": 2,
        "grade": "B2",
    }
    frame = pd.DataFrame([{**base, **row} for row in rows or ({},)], columns=list(base))
    for name in ("quantity_low", "quantity_high", "info_credibility"):
        frame[name] = frame[name].astype("Int64")
    frame["claim_date"] = pd.to_datetime(frame["claim_date"])
    return frame


def troops(claim_id, low, high, status="deployed", **extra) -> dict:
    """A claim counting troops."""
    return {
        "claim_id": claim_id,
        "quantity_low": low,
        "quantity_high": high,
        "unit": "troops",
        "figure_status": status,
        **extra,
    }


def judgments(*rows: dict) -> pd.DataFrame:
    """Typed judgments from partial rows."""
    base = {
        "judgment_id": "J001",
        "text": "It is likely.",
        "likelihood": "likely",
        "confidence": "low",
        "claim_ids": ["C0001"],
        "valid_from": pd.Timestamp("2024-10-24"),
    }
    rows = rows or ({},)
    return pd.DataFrame([{**base, **row} for row in rows], columns=list(base))


EMPTY = claims().iloc[0:0]


def test_troop_figures_sorted_and_filtered():
    frame = claims(
        troops("C0001", 3000, 3000, claimant="Lawmakers", claimant_country="KR"),
        troops("C0002", pd.NA, 12000, "in_preparation", source_id="S2"),
        {"claim_id": "C0003", "quantity_low": 2, "quantity_high": 2, "unit": "units"},
        troops("C0004", 1500, 1500),
    )
    figures = analysis.troop_figures(frame, SOURCES)
    assert list(figures["claim_id"]) == ["C0004", "C0001", "C0002"]
    assert figures.loc[2, "source_published"] == pd.Timestamp("2024-11-15")


def test_figure_sentences_name_the_extremes():
    frame = claims(
        troops("C0001", 3000, 3000, claimant="Lawmakers", claimant_country="KR"),
        troops("C0002", pd.NA, 12000, "in_preparation", claimant="Z", claimant_country="UA"),
    )
    figures = analysis.troop_figures(frame, SOURCES)
    text = analysis.figure_range_sentence(figures, STATUSES)
    assert "2 troop figures" in text and "3,000 to 12,000" in text and "from Z (UA)" in text
    extremes = analysis.figure_extremes_sentence(figures, STATUSES)
    assert extremes == (
        "Claimed troop figures range from 3,000 (sent; Lawmakers, KR) to "
        "up to 12,000 (being prepared; Z, UA)."
    )


def test_figure_sentences_on_empty_and_single_row():
    none = analysis.troop_figures(EMPTY, SOURCES)
    assert analysis.figure_range_sentence(none, STATUSES) == "No troop figures have been claimed."
    assert (
        analysis.figure_extremes_sentence(none, STATUSES) == "No troop figures have been claimed."
    )
    one = analysis.troop_figures(claims(troops("C0001", 100, 250)), SOURCES)
    assert analysis.figure_extremes_sentence(one, STATUSES) == (
        "One troop figure has been claimed: 100\u2013250 (sent; A, US)."
    )


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [(1500, 1500, "1,500"), (pd.NA, 12000, "up to 12,000"), (10000, 12000, "10,000\u201312,000")],
)
def test_format_count(low, high, text):
    assert analysis.format_count(low, high) == text


def test_denials_and_what_contradicts_them():
    frame = claims(
        {
            "claim_id": "C0001",
            "claimant": "Moscow",
            "stance": "denies",
            "topic": "arms_transfers",
            "claimant_country": "RU",
        },
        {"claim_id": "C0002", "claimant": "Kyiv", "topic": "arms_transfers"},
        {"claim_id": "C0003", "claimant": "Kyiv", "topic": "troop_presence"},
    )
    denied = analysis.denials(frame, TOPICS)
    assert denied.loc[0, "contradicted_by"] == ["C0002"]
    assert analysis.denial_sentence(denied) == "Denials on record: Moscow (RU) on arms transfers."
    assert analysis.denial_sentence(analysis.denials(EMPTY, TOPICS)).startswith("No claimant")


def test_bottom_line_is_two_to_four_sentences():
    figures = analysis.troop_figures(claims(troops("C0001", 3000, 3000)), SOURCES)
    denied = analysis.denials(EMPTY, TOPICS)
    two = analysis.bottom_line(judgments(), figures, denied, STATUSES, WORDS)
    assert len(two) == 3 and two[0] == "It is likely."
    many = judgments({}, {"judgment_id": "J002", "text": "Second."}, {"text": "Third."})
    assert len(analysis.bottom_line(many, figures, denied, STATUSES, WORDS)) == 4
    assert len(analysis.bottom_line(judgments().iloc[0:0], figures, denied, STATUSES, WORDS)) == 2


def test_who_says_what_marks_both_stances():
    frame = claims(
        {"claim_id": "C0001", "claimant": "X"},
        {"claim_id": "C0002", "claimant": "X", "stance": "denies"},
        {"claim_id": "C0003", "claimant": "Y", "topic": "arms_transfers"},
    )
    matrix = analysis.who_says_what(frame)
    assert matrix.loc["X (US)", "troop_presence"] == "both"
    assert matrix.loc["X (US)", "arms_transfers"] == ""
    assert matrix.loc["Y (US)", "arms_transfers"] == "asserts"
    assert analysis.who_says_what(EMPTY).empty


def test_corroboration_counts_independent_support():
    frame = claims(
        {"claim_id": "C0001", "claimant": "A", "claimant_country": "US"},
        {"claim_id": "C0002", "claimant": "A", "claimant_country": "US"},
        {"claim_id": "C0003", "claimant": "B", "claimant_country": "XX", "source_id": "S2"},
        {"claim_id": "C0004", "claimant": "C", "stance": "denies"},
    )
    table = analysis.corroboration(judgments({"claim_ids": ["C0001", "C0002", "C0003"]}), frame)
    row = table.iloc[0]
    assert (row["claims"], row["claimants"], row["countries"], row["sources"]) == (3, 2, 1, 2)
    assert row["contradicted_by"] == ["C0004"]
    assert analysis.corroboration(judgments().iloc[0:0], frame).empty


def test_timeline_merges_events_and_dated_statements():
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-06-01"]),
            "date_precision": ["month"],
            "event": ["Treaty"],
            "claim_ids": [["C0001"]],
        }
    )
    frame = claims(
        {"claim_id": "C0001", "claim_date": "2024-10-23", "claimant": "Austin"},
        {"claim_id": "C0002", "claim_date": "2024-10-23", "claimant": "Austin"},
        {"claim_id": "C0003"},
    )
    items = analysis.timeline(events, frame)
    assert list(items["kind"]) == ["event", "statement"]
    assert items.loc[1, "label"] == "Austin (US): 2 claim(s)"
    assert items.loc[1, "claim_ids"] == ["C0001", "C0002"]
    assert analysis.timeline(events.iloc[0:0], EMPTY).empty


def test_grade_counts_cover_the_whole_scale():
    counts = analysis.grade_counts(claims({}, {"claim_id": "C0002"}))
    assert counts.shape == (6, 6) and counts.loc["B", 2] == 2 and counts.to_numpy().sum() == 2


def test_format_date_by_precision():
    day = pd.Timestamp("2024-06-05")
    assert analysis.format_date(day) == "5\u00a0Jun\u00a02024"
    assert analysis.format_date(day, "month") == "June\u00a02024"
    assert analysis.format_date(pd.NaT) == ""


BOOKS = {
    "units": pd.DataFrame({"label": ["troops", "casualties"]}, index=["troops", "casualties"]),
    "figure_statuses": STATUSES,
}


def test_moved_figures_by_unit_and_status_ignore_improbable_ones():
    before = claims(
        troops("C0001", 3000, 3000, claim_date="2024-10-23"),
        {
            "claim_id": "C0002",
            "quantity_low": 24,
            "quantity_high": 99,
            "unit": "casualties",
            "figure_status": "estimate",
        },
    )
    after = pd.concat(
        [
            before,
            claims(
                troops("C0003", 10000, 10000, source_id="S2"),
                troops("C0004", 1000, 1000, source_id="S2", info_credibility=5),  # a slip: ignored
                {
                    "claim_id": "C0005",
                    "quantity_low": 2,
                    "quantity_high": 2,
                    "unit": "units",
                    "figure_status": "pledged",
                    "source_id": "S2",
                },
            ),
        ],
        ignore_index=True,
    )
    moved, added = analysis.moved_figures(
        analysis.counted_figures(before, SOURCES), analysis.counted_figures(after, SOURCES), BOOKS
    )
    assert moved == [
        "troops, sent: 3,000 (A, US, 23\u00a0Oct\u00a02024) \u2192 "
        "10,000 (A, US, 15\u00a0Nov\u00a02024)"
    ]
    assert added == ["units, pledged: 2 (A, US, 15\u00a0Nov\u00a02024)"]


def test_moved_figures_handle_open_lower_bounds():
    before = claims(troops("C0001", pd.NA, 12000))
    after = pd.concat(
        [
            before,
            claims(
                troops("C0002", pd.NA, 12000, source_id="S2"),
                troops("C0003", 5000, 9000, "pledged"),
            ),
        ],
        ignore_index=True,
    )
    moved, _ = analysis.moved_figures(
        analysis.counted_figures(before, SOURCES), analysis.counted_figures(after, SOURCES), BOOKS
    )
    assert moved == []  # "up to 12,000" again is not a move


def test_bottom_line_leads_with_the_newest_then_most_likely_judgment():
    rows = judgments(
        {"judgment_id": "J001", "text": "Old."},
        {"judgment_id": "J002", "text": "New, likely.", "valid_from": pd.Timestamp("2024-12-27")},
        {
            "judgment_id": "J003",
            "text": "New, certain.",
            "likelihood": "almost certain",
            "valid_from": pd.Timestamp("2024-12-27"),
        },
    )
    assert list(analysis.lead_judgments(rows, WORDS)["judgment_id"]) == ["J003", "J002", "J001"]


def test_improbable_figures_are_shown_but_not_counted():
    frame = claims(troops("C0001", 3000, 3000), troops("C0002", 1000, 1000, info_credibility=5))
    figures = analysis.troop_figures(frame, SOURCES)
    assert len(figures) == 2
    text = analysis.figure_range_sentence(figures, STATUSES)
    assert "1 troop figure has been claimed" in text and "ranging from 3,000 to 3,000" in text
    assert "1 figure(s) graded improbable are not counted (C0002)." in text
    assert "1,000" not in analysis.figure_extremes_sentence(figures, STATUSES)


def test_many_improbable_figures_name_a_few_ids_and_count_the_rest():
    doubtful = [troops(f"C{i:04d}", 100 + i, 100 + i, info_credibility=5) for i in range(1, 21)]
    figures = analysis.troop_figures(claims(troops("C0100", 3000, 3000), *doubtful), SOURCES)
    note = analysis.figure_range_sentence(figures, STATUSES).split("claimed")[-1]
    limit = analysis.LIMITS["links"]
    assert "20 figure(s) graded improbable are not counted (C0001, " in note
    assert note.count(", C00") == limit - 1 and f"\u2026 and {20 - limit} more)." in note
