"""Analysis functions on small hand-made DataFrames, including empty and single-row ones."""

from __future__ import annotations

import pandas as pd
import pytest

from briefing.analysis import (
    appendix,
    changes,
    corroboration,
    figures,
    stances,
    summary,
    timeline,
    wording,
)
from briefing.analysis import (
    judgments as judged,
)
from briefing.figure_text import bound_kinds, stated_numbers, unstated_bounds

STATUSES = pd.DataFrame(
    {"label": ["sent", "pledged", "estimated"]}, index=["deployed", "pledged", "estimate"]
)
TOPICS = pd.DataFrame(
    {"label": ["Troop presence", "Arms transfers"]}, index=["troop_presence", "arms_transfers"]
)
WORDS = pd.DataFrame({"probability_high": [80, 99]}, index=["likely", "almost certain"])
INDICATORS = pd.DataFrame(
    {"label": ["troops in the region", "shells shipped"], "unit": ["troops", "units"]},
    index=["in_region", "shells"],
)
SOURCES = pd.DataFrame(
    {
        "source_id": ["S1", "S2", "S3"],
        "published": pd.to_datetime(["2024-10-24", "2024-11-15", "2025-04-28"]),
        "outlet": ["Wire", "Wire", "Wire"],
        "title": ["One", "Two", "Three"],
    }
)
BOOKS = {
    "figure_statuses": STATUSES,
    "indicators": INDICATORS,
    "estimative_words": WORDS,
    "topics": TOPICS,
}


def claims(*rows: dict) -> pd.DataFrame:
    """Typed claims as :func:`briefing.claims.load_claims` returns them, from partial rows."""
    base = {
        "claim_id": "C0001",
        "source_id": "S1",
        "claimant": "A",
        "actor": "A",
        "actor_id": "a",
        "actor_root": "a",
        "claimant_country": "US",
        "claim_date": pd.NaT,
        "topic": "troop_presence",
        "statement": "s",
        "quote": "q",
        "figure_text": "",
        "quantity_low": pd.NA,
        "quantity_high": pd.NA,
        "indicator": "",
        "unit": None,
        "indicator_label": None,
        "bound": None,
        "coded": False,
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
    frame["bound"] = bound_kinds(frame["quantity_low"], frame["quantity_high"])
    return frame


def figure(claim_id, words, low, high, indicator="in_region", status="deployed", **extra):
    """A claim with a figure, as stated."""
    return {
        "claim_id": claim_id,
        "figure_text": words,
        "quantity_low": low,
        "quantity_high": high,
        "indicator": indicator,
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
        "expires_on": pd.NaT,
    }
    return pd.DataFrame([{**base, **row} for row in rows or ({},)], columns=list(base))


EMPTY = claims().iloc[0:0]


@pytest.mark.parametrize(
    ("words", "numbers"),
    [
        ("more than 3,000", {3000}),
        ("10,000-plus", {10000}),
        ("about 1.5 million", {1500000}),
        ("two units", {2}),
        ("12 thousand", {12000}),
        ("several dozens", set()),
        ("between 1,000 and 2,000", {1000, 2000}),
    ],
)
def test_numbers_written_in_a_figure(words, numbers):
    assert stated_numbers(words) == numbers


def test_bounds_must_be_written_in_the_words():
    assert unstated_bounds("more than 3,000", "3000", "") == []
    assert unstated_bounds("several dozens", "24", "99") == ["24", "99"]
    assert unstated_bounds("about 10,000", "10000", "12000") == ["12000"]


def test_an_open_bound_is_never_the_highest_nor_an_upper_bound_the_lowest():
    frame = claims(
        figure("C0001", "more than 30,000", 30000, pd.NA),
        figure("C0002", "about 11,000", 11000, 11000, source_id="S2"),
        figure("C0003", "up to 500", pd.NA, 500),
        figure("C0004", "3,000", 3000, 3000),
    )
    figs = figures.figures(frame, SOURCES)
    assert figures.highest(figs)["claim_id"] == "C0002"  # not "more than 30,000"
    assert figures.lowest(figs)["claim_id"] == "C0004"  # not "up to 500"
    sentence = figures.range_sentence(figs, "troops in the region", STATUSES)
    assert (
        "the highest is about 11,000" in sentence and "1 figure only sets a lower bound" in sentence
    )
    assert "3,000\u20133,000" not in sentence and "30,000" not in sentence.split("highest")[1]


def test_the_analysts_coding_is_printed_as_words_and_never_compared():
    frame = claims(
        figure("C0001", "several dozens", 24, 99, coded=True),
        figure("C0002", "about 100", 100, 100),
    )
    figs = figures.figures(frame, SOURCES)
    assert figures.lowest(figs)["claim_id"] == "C0002"
    sentence = figures.range_sentence(figs, "troops in the region", STATUSES)
    assert "\u201cseveral dozens\u201d (C0001) is given in words only" in sentence
    assert "24\u201399" not in sentence and "99" not in sentence
    table = figures.figures_table(figs, STATUSES)
    assert list(table["Figure as stated"]) == ["several dozens", "about 100"]


def test_figures_of_different_indicators_are_never_compared():
    frame = claims(
        figure("C0001", "1,000", 1000, 1000),
        figure("C0002", "1,000,000", 1000000, 1000000, indicator="shells"),
    )
    figs = figures.figures(frame, SOURCES)
    region = figures.of_indicator(figs, "in_region")
    assert figures.highest(region)["claim_id"] == "C0001"
    assert figures.headline(figs, INDICATORS, []) == ["in_region", "shells"]
    assert figures.headline(figs, INDICATORS, ["shells"]) == ["shells"]
    lines = summary.bottom_line(
        judged.review(judgments().iloc[0:0], frame, SOURCES, "2024-10-24", 30),
        figs,
        stances.denials(frame, SOURCES, TOPICS),
        BOOKS,
        ["in_region", "shells"],
    )
    assert any(line.startswith("Troops in the region: 1,000 (") for line in lines)
    assert any(line.startswith("Shells shipped: 1,000,000 (") for line in lines)


def test_one_figure_is_not_both_the_lowest_and_the_highest():
    one = figures.figures(claims(figure("C0001", "about 11,000", 11000, 11000)), SOURCES)
    sentence = figures.range_sentence(one, "troops in the region", STATUSES)
    assert sentence.startswith("For troops in the region, 1 figure has been given: about 11,000")
    assert "lowest" not in sentence and "highest" not in sentence


def test_figure_sentences_on_empty_and_improbable_figures():
    assert "No figures have been given" in figures.range_sentence(
        figures.figures(EMPTY, SOURCES), "x", STATUSES
    )
    doubtful = figures.figures(
        claims(figure("C0009", "5,000", 5000, 5000, info_credibility=5)), SOURCES
    )
    sentence = figures.range_sentence(doubtful, "x", STATUSES)
    assert "can be compared" in sentence and "graded improbable is not compared (C0009)" in sentence
    assert figures.extremes_sentence(doubtful, "x", STATUSES) is None


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (1500, 1500, "1,500"),
        (pd.NA, 12000, "up to 12,000"),
        (3000, pd.NA, "at least 3,000"),
        (10000, 12000, "10,000\u201312,000"),
    ],
)
def test_format_count(low, high, text):
    assert wording.format_count(low, high) == text


def test_a_denial_stands_until_its_own_government_asserts_the_contrary():
    frame = claims(
        {
            "claim_id": "C0001",
            "actor": "Dmitry Peskov",
            "actor_id": "peskov",
            "actor_root": "russia",
            "claimant_country": "RU",
            "stance": "denies",
        },
        {
            "claim_id": "C0002",
            "actor": "John Kirby",
            "actor_id": "kirby",
            "actor_root": "usa",
            "source_id": "S2",
        },
        {
            "claim_id": "C0003",
            "actor": "Russian General Staff",
            "actor_id": "staff",
            "actor_root": "russia",
            "claimant_country": "RU",
            "source_id": "S3",
        },
        {
            "claim_id": "C0004",
            "actor": "Lavrov",
            "actor_id": "lavrov",
            "actor_root": "russia",
            "claimant_country": "RU",
            "stance": "denies",
            "topic": "arms_transfers",
        },
    )
    before = stances.denials(frame[frame["source_id"] != "S3"], SOURCES, TOPICS)
    assert list(before["state"]) == ["standing", "standing"]
    assert before.iloc[0]["contradicted_by"] == ["C0002"]  # another government
    after = stances.denials(frame, SOURCES, TOPICS)
    assert list(after["state"]) == ["withdrawn", "standing"]  # another topic still stands
    assert after.iloc[0]["withdrawn_by"] == "C0003"
    sentence = stances.denial_sentence(after)
    assert sentence.startswith("Denials on record: Lavrov (RU) on arms transfers.")
    assert (
        "Withdrawn since: Dmitry Peskov (RU) on troop presence (C0003, 28\u00a0Apr\u00a02025)"
        in sentence
    )
    dated = {"S1": "2024-10-24", "S2": "2024-11-15", "S3": "2025-04-28"}

    class Known:  # what changed between two dates, from the evidence known on each
        def __init__(self, day):
            keep = [s for s, d in dated.items() if d <= day]
            self.claims = frame[frame["source_id"].isin(keep)]
            self.sources = SOURCES[SOURCES["source_id"].isin(keep)]
            self.codebooks = BOOKS
            self.judgments = judgments().iloc[0:0]
            self.gaps = pd.DataFrame({"gap_id": [], "question": [], "closed_on": []})

    found = changes.what_changed(Known("2024-11-15"), Known("2025-04-28"))
    assert found["Denials withdrawn"] == [
        "C0001: Dmitry Peskov (RU) on troop presence, withdrawn by C0003 (28\u00a0Apr\u00a02025)"
    ]


def test_corroboration_counts_actors_and_roots_never_spellings():
    frame = claims(
        {
            "claim_id": "C0001",
            "claimant": "Peskov",
            "actor": "Dmitry Peskov",
            "actor_id": "peskov",
            "actor_root": "russia",
            "claimant_country": "RU",
        },
        {
            "claim_id": "C0002",
            "claimant": "Dmitry Peskov (Kremlin spokesman)",
            "actor": "Dmitry Peskov",
            "actor_id": "peskov",
            "actor_root": "russia",
            "claimant_country": "RU",
            "source_id": "S2",
        },
        {
            "claim_id": "C0003",
            "actor": "Russian General Staff",
            "actor_id": "staff",
            "actor_root": "russia",
            "claimant_country": "RU",
        },
        {
            "claim_id": "C0004",
            "actor": "NIS",
            "actor_id": "nis",
            "actor_root": "korea",
            "claimant_country": "KR",
        },
    )
    table = judgments({"claim_ids": ["C0001", "C0002", "C0003", "C0004"]})
    support = corroboration.corroboration(table, frame, stances.denials(frame, SOURCES, TOPICS))
    row = support.iloc[0]
    assert (row["claims"], row["actors"], row["roots"], row["countries"], row["sources"]) == (
        4,
        3,
        2,
        2,
        2,
    )
    matrix = stances.who_says_what(frame)
    assert list(matrix.index) == ["Dmitry Peskov (RU)", "Russian General Staff (RU)", "NIS (KR)"]


def test_an_old_judgment_with_newer_claims_is_flagged_and_never_leads():
    frame = claims(
        {"claim_id": "C0001"},
        {"claim_id": "C0002", "source_id": "S3"},  # same topic, published later
        {"claim_id": "C0003", "source_id": "S3", "topic": "arms_transfers"},  # does not bear
    )
    table = judgments(
        {"judgment_id": "J001", "text": "Old.", "valid_from": pd.Timestamp("2024-10-24")},
        {"judgment_id": "J002", "text": "Gone.", "expires_on": pd.Timestamp("2025-01-01")},
    )
    reviewed = judged.review(table, frame, SOURCES, "2025-04-28", review_days=30)
    assert list(reviewed["state"]) == ["flagged", "lapsed"]
    assert reviewed.iloc[0]["newer_claims"] == ["C0002"]
    note = judged.review_note(reviewed.iloc[0])
    assert note == "Not reviewed since 24\u00a0Oct\u00a02024; 1 newer claim bears on it."
    fresh = judged.review(table.iloc[:1], frame, SOURCES, "2024-11-01", review_days=30)
    assert list(fresh["state"]) == ["current"]  # within the review period
    lines = summary.bottom_line(
        reviewed,
        figures.figures(frame, SOURCES),
        stances.denials(frame, SOURCES, TOPICS),
        BOOKS,
        [],
    )
    assert "Old." not in lines and "Gone." not in lines
    assert lines[0] == (
        "No key judgment is current: 1 key judgment awaiting review and 1 key judgment past "
        "its horizon."
    )


def test_bottom_line_leads_with_the_newest_then_most_likely_current_judgment():
    table = judgments(
        {"judgment_id": "J001", "text": "Old.", "valid_from": pd.Timestamp("2024-10-24")},
        {
            "judgment_id": "J002",
            "text": "New.",
            "valid_from": pd.Timestamp("2024-11-15"),
            "likelihood": "likely",
        },
        {
            "judgment_id": "J003",
            "text": "New and surer.",
            "likelihood": "almost certain",
            "valid_from": pd.Timestamp("2024-11-15"),
        },
    )
    reviewed = judged.review(table, EMPTY, SOURCES, "2024-11-15", 30)
    lines = summary.bottom_line(
        reviewed,
        figures.figures(EMPTY, SOURCES),
        stances.denials(EMPTY, SOURCES, TOPICS),
        BOOKS,
        [],
    )
    assert lines[:2] == ["New and surer.", "New."]
    assert lines[-1] == "No actor has denied any of the claims on record."


def test_the_pdf_prints_cited_then_new_then_recent_and_one_claim_costs_at_most_one():
    many = claims(
        *[{"claim_id": f"C{n:04d}", "source_id": "S1" if n < 150 else "S2"} for n in range(1, 201)]
    )
    kept = appendix.printed_claims(many, SOURCES, cited={"C0003"}, new={"C0005"}, budget=20)
    assert len(kept) == 20 and {"C0003", "C0005"} <= kept
    assert {f"C{n:04d}" for n in range(183, 201)} <= kept  # then the most recent
    for size in range(15, 30):  # adding a claim removes at most one printed claim
        before = appendix.printed_claims(many.iloc[:size], SOURCES, set(), set(), budget=20)
        after = appendix.printed_claims(many.iloc[: size + 1], SOURCES, set(), set(), budget=20)
        assert len(before - after) <= 1
    assert appendix.printed_claims(many.iloc[:10], SOURCES, set(), set(), budget=20) == set(
        many["claim_id"].iloc[:10]
    )


def test_the_pdf_prints_what_the_briefing_cites_and_tops_it_up_to_a_least():
    many = claims(*[{"claim_id": f"C{n:04d}"} for n in range(1, 201)])
    cited = {f"C{n:04d}" for n in range(1, 9)}
    only_cited = appendix.printed_claims(many, SOURCES, cited, {"C0100"}, budget=20, least=5)
    assert only_cited == cited | {"C0100"}  # nine wanted, more than the least: nine printed
    topped = appendix.printed_claims(many, SOURCES, cited, set(), budget=20, least=12)
    assert len(topped) == 12 and cited <= topped
    assert {"C0197", "C0198", "C0199", "C0200"} <= topped  # topped up with the most recent
    capped = appendix.printed_claims(many, SOURCES, set(many["claim_id"]), set(), budget=20)
    assert len(capped) == 20
    for size in range(5, 40):  # one more claim cited or new costs at most one printed claim,
        wanted = set(many["claim_id"].iloc[:size])  # none between the least and the most
        before = appendix.printed_claims(many, SOURCES, wanted, set(), budget=30, least=10)
        after = appendix.printed_claims(many, SOURCES, wanted, {f"C{size + 1:04d}"}, 30, 10)
        assert len(before - after) <= (0 if 10 <= size < 30 else 1)


def test_timeline_merges_events_and_dated_statements_by_actor():
    frame = claims(
        {"claim_id": "C0001", "claim_date": "2024-10-23", "actor": "Kirby"},
        {"claim_id": "C0002", "claim_date": "2024-10-23", "claimant": "J. Kirby", "actor": "Kirby"},
    )
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-06-01"]),
            "date_precision": ["month"],
            "event": ["Treaty signed"],
            "claim_ids": [["C0001"]],
        }
    )
    items = timeline.timeline(events, frame)
    assert list(items["kind"]) == ["event", "statement"]
    assert items.iloc[1]["label"] == "Kirby (US): 2 claim(s)"


def test_grade_counts_cover_the_whole_scale():
    counts = appendix.grade_counts(claims())
    assert counts.shape == (6, 6) and counts.loc["B", 2] == 1


def test_format_date_by_precision():
    day = pd.Timestamp("2024-06-01")
    assert wording.format_date(day, "month") == "June\u00a02024"
    assert wording.format_date(day, "year") == "2024"
    assert wording.format_date(pd.NaT) == ""


def test_moved_figures_compare_one_indicator_and_status():
    before = claims(figure("C0001", "about 3,000", 3000, 3000))
    after = claims(
        figure("C0001", "about 3,000", 3000, 3000),
        figure("C0002", "more than 10,000", 10000, pd.NA, source_id="S2"),
        figure("C0003", "1,000,000", 1000000, 1000000, indicator="shells", source_id="S2"),
    )
    moved, added = changes.moved_figures(
        figures.figures(before, SOURCES), figures.figures(after, SOURCES), BOOKS
    )
    assert moved == [
        "troops in the region, sent: about 3,000 (A, US, 24\u00a0Oct\u00a02024) \u2192 "
        "more than 10,000 (A, US, 15\u00a0Nov\u00a02024)"
    ]
    assert added == ["shells shipped, sent: 1,000,000 (A, US, 15\u00a0Nov\u00a02024)"]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", object])
def test_cited_rows_are_the_known_claims_lists_cite(dtype):
    from briefing.analysis import cited_rows

    claims = pd.DataFrame(
        {"claim_id": pd.Series(["C1", "C2", "C3", "C4"], dtype=dtype), "actor": list("abcd")}
    )
    found = cited_rows(claims, [["C3", "C9"], [], ["C1", "C3"]])  # C9 is not known
    assert found.index.tolist() == ["C1", "C3"] and found["actor"].tolist() == ["a", "c"]
    assert cited_rows(claims, []).empty


def test_an_earlier_dates_figures_and_withdrawals_come_from_the_later_claims(tmp_path):
    """What changed reads nothing of the earlier date's claims but which sources they come
    from: its figures are the later figures of those sources, and the denials withdrawn by
    then are found among the later claims of those sources. For each date of the second
    analyst's weeks against the next and the last, that is what the earlier evidence itself
    gives."""
    from analysts import second_analyst

    from briefing.evidence import known_on, load_evidence, publication_dates

    told = second_analyst(tmp_path / "data")
    everything = load_evidence(tmp_path / "data")
    topics = everything.codebooks["topics"]
    dates = publication_dates(everything)
    seen = set()
    for i, early in enumerate(dates):
        before = known_on(everything, early)
        was = stances.withdrawn(stances.denials(before.claims, before.sources, topics))
        for late in sorted({dates[i], dates[min(i + 1, len(dates) - 1)], dates[-1]}):
            after = known_on(everything, late)
            figs = figures.figures(after.claims, after.sources)
            then = figures.figures(before.claims, before.sources)
            pd.testing.assert_frame_equal(changes.earlier(figs, before.sources), then)
            found = stances.withdrawn_ids(after.claims, before.sources)
            assert found == set(was["claim_id"])
            seen.add(frozenset(found))
    assert seen == {frozenset(), frozenset([told["denial"]])}  # before and after its withdrawal


def test_withdrawals_by_an_earlier_date_count_only_that_dates_claims():
    russia = {"actor": "Dmitry Peskov", "actor_id": "peskov", "actor_root": "russia"}
    arms = {**russia, "topic": "arms_transfers", "source_id": "S3"}
    frame = claims(
        {**russia, "claim_id": "C0001", "stance": "denies"},
        {**russia, "claim_id": "C0002", "source_id": "S3", "claim_date": "2025-04-28"},
        {**arms, "claim_id": "C0003", "stance": "denies", "claim_date": "2025-04-01"},
        {**arms, "claim_id": "C0004", "claim_date": "2025-04-20"},
    ).assign(claim_date=lambda f: pd.to_datetime(f["claim_date"]))
    for known in (["S1", "S2"], ["S1", "S2", "S3"]):
        sources = SOURCES[SOURCES["source_id"].isin(known)]
        denied = stances.denials(frame[frame["source_id"].isin(known)], sources, TOPICS)
        found = stances.withdrawn_ids(frame, sources)
        assert found == set(stances.withdrawn(denied)["claim_id"])
        assert found == (set() if len(known) == 2 else {"C0001", "C0003"})


def materialised(value):
    """``value`` with every :class:`briefing.facts.Records` made into its list of dicts."""
    from briefing.facts import Records, _records_of

    if isinstance(value, Records):
        return _records_of(value.frame, value.fields)
    if isinstance(value, dict):
        return {key: materialised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [materialised(item) for item in value]
    return value


def test_the_facts_text_made_a_batch_of_records_at_a_time_is_the_whole_encoding(
    tmp_path, monkeypatch
):
    """The figures' records are made and encoded a batch at a time, spliced into the text
    where the encoder left a mark: the text is json.dumps of the whole facts, whatever the
    batch size, even when a value in the data happens to hold the mark itself."""
    import json
    import uuid

    from analysts import second_analyst

    from briefing import facts as facts_module
    from briefing import sections
    from briefing.evidence import load_evidence

    second_analyst(tmp_path / "data")
    everything = load_evidence(tmp_path / "data")
    found = facts_module.briefing_facts(sections.scope(everything, "2024-11-25"))
    whole = json.dumps(
        materialised(found), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert sum(len(i["figures"]) for i in json.loads(whole)["indicators"]) > 5
    for size in (1, 3, 1000):
        monkeypatch.setattr(facts_module, "RECORDS_AT_ONCE", size)
        assert facts_module.facts_json(found) == whole + "\n"
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=7))  # the mark is known
    found["bottom_line"].append(f"\0briefing-records-{uuid.UUID(int=7).hex}\0")
    whole = json.dumps(
        materialised(found), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert facts_module.facts_json(found) == whole + "\n"


def test_records_made_in_arrow_are_what_the_json_encoder_writes():
    """The figures and denials are written as JSON built in Arrow, a column at a time: the
    same text json.dumps gives their dicts, for quotes, backslashes, control characters,
    line separators, other scripts, missing values, whole numbers, flags and dates, and
    for columns Arrow cannot take as they are (mixed values)."""
    import json

    import pandas as pd

    from briefing.facts import FIGURE_FIELDS, _records_json, _records_of

    texts = ['say "3,000"', "back\\slash \\u0041", "tab\there\nnewline", "bell\x07", "",
             "\u2028 line sep \u2029", "북한군 3,000명", "emoji 🪖", None]  # fmt: skip
    n = len(texts)
    frame = pd.DataFrame({
        "claim_id": pd.array([f"C{i}" for i in range(n)], "string[pyarrow]"),
        "actor": pd.array(texts, "string[pyarrow]"),
        "actor_id": pd.array(list(reversed(texts)), "string[pyarrow]"),
        "claimant_country": [*texts[:-1], 7],  # mixed: not Arrow's text
        "said": pd.to_datetime(["2024-10-24"] * (n - 1) + [None]),
        "figure_status": pd.array(["stated"] * n, "string[pyarrow]"),
        "figure_text": pd.array(texts[::-1], "string[pyarrow]"),
        "quantity_low": pd.array([3000, None, *range(n - 2)], "Int64"),
        "quantity_high": [1.0] * n,  # floats: made whole numbers value by value
        "bound": pd.array(["exact"] * (n - 1) + [None], "string[pyarrow]"),
        "coded": pd.array([True, False, None, *[True] * (n - 3)], "boolean"),
        "grade": pd.array(["A1"] * n, "string[pyarrow]"),
    })  # fmt: skip
    joined = pd.concat([frame, frame], ignore_index=True)  # text columns in two chunks
    for rows in (frame, frame.iloc[2:5], frame.iloc[:0], joined):
        expected = json.dumps(
            _records_of(rows, FIGURE_FIELDS), sort_keys=True, ensure_ascii=False,
            separators=(",", ":"),
        )[1:-1]  # fmt: skip
        assert _records_json(rows, FIGURE_FIELDS) == expected
    assert "\\u0007" in _records_json(frame, FIGURE_FIELDS)  # escaped, as json escapes it


def test_rows_sorted_by_arrow_are_in_the_order_pandas_sorts_them():
    """sort_rows orders a frame as sort_values(kind="stable") does, missing values last
    whichever the direction, ties in their order; text in Arrow, dates, whole numbers and
    columns Arrow cannot take (mixed values, then sorted by pandas) alike; with_dates looks
    up what Series.map finds, a missing date where a source is unknown."""
    import numpy as np

    from briefing.analysis import sort_rows, with_dates

    rng = np.random.default_rng(7)
    n = 500
    ids = [f"C{rng.integers(0, 60):03d}" if rng.random() > 0.1 else None for _ in range(n)]
    said = pd.Series(pd.to_datetime(rng.integers(0, 9, n), unit="D", origin="2024-10-01"))
    frame = pd.DataFrame(
        {
            "claim_id": pd.array(ids, "string[pyarrow]"),
            "said": said.where(rng.random(n) > 0.2).to_numpy(),
            "rank": rng.integers(0, 3, n),
            "text": pd.array(rng.choice(["é", "e", "Z", "북", "a"], n), "string[pyarrow]"),
            "mixed": [3 if i % 7 == 0 else "x" for i in range(n)],
        },
        index=rng.permutation(n) * 3,
    )
    cases = [
        (["said", "claim_id"], True),
        (["rank", "said", "claim_id"], [False, False, False]),
        (["text", "rank"], [True, False]),
        ("claim_id", False),
        (["mixed", "rank"], True),
    ]
    for by, ascending in cases:
        expected = frame.sort_values(by, ascending=ascending, kind="stable")
        assert sort_rows(frame, by, ascending).index.equals(expected.index), by
    assert sort_rows(frame.iloc[:0], ["said"]).empty
    sources = pd.DataFrame(
        {
            "source_id": pd.array(["S1", "S2"], "string[pyarrow]"),
            "published": pd.to_datetime(["2024-10-01", "2024-10-05"]),
        }
    )
    claims = pd.DataFrame(
        {
            "source_id": pd.array(["S2", "S9", None, "S1"], "string[pyarrow]"),
            "claim_date": pd.to_datetime(["2024-10-03", None, None, None]),
        },
        index=[4, 3, 2, 1],
    )
    dated = with_dates(claims, sources)
    mapped = claims["source_id"].map(sources.set_index("source_id")["published"])
    assert dated["source_published"].equals(mapped)
    assert dated["said"].tolist() == [
        pd.Timestamp("2024-10-03"), pd.NaT, pd.NaT, pd.Timestamp("2024-10-01")
    ]  # fmt: skip


def test_the_facts_written_meanwhile_do_not_see_what_later_cells_change(tmp_path):
    """The render writes the facts in a thread while later cells run: they are made from
    copies of the scope's tables and findings (sharing their data), which a later cell's
    change in place of the scope's own does not reach."""
    import json

    from analysts import second_analyst

    from briefing import sections
    from briefing.evidence import load_evidence
    from briefing.facts import briefing_facts, facts_json

    second_analyst(tmp_path / "data")
    scope = sections.scope(load_evidence(tmp_path / "data"), "2024-11-25")
    sections.bottom_line(scope)  # findings worked out before the facts cell
    before = facts_json(briefing_facts(sections._apart(scope)))
    apart = sections._apart(scope)
    scope.evidence.claims.loc[:, "statement"] = "changed by a later cell"
    scope.evidence.sources.loc[:, "title"] = "retitled by a later cell"
    scope.memo["figures"].loc[:, "actor"] = "someone else"
    scope.memo["bottom_line"].append("A sentence added later.")
    assert facts_json(briefing_facts(apart)) == before
    assert json.loads(before)["indicators"] and json.loads(before)["bottom_line"]


def test_rows_grouped_into_lists_are_pandas_groupby_lists():
    """:func:`briefing.analysis.grouped_lists` (codes and one stable sort) gives what
    ``groupby(keys, sort=True)[column].agg(list)`` gives: groups in key order, values in
    table order, rows with a missing key left out; Hangul and accents sort as pandas does."""
    import random

    from briefing.analysis import grouped_lists

    pick = random.Random(20).choice
    keys = ["claim_date", "actor", "claimant_country"]
    for size in [0, 1, 2, 7, 60, 500] * 8:
        frame = pd.DataFrame(
            {
                "claim_date": pd.to_datetime(
                    [pick(["2024-10-01", "2024-10-02", None, "2023-01-05"]) for _ in range(size)]
                ),
                "actor": pd.Series(
                    [
                        pick(["Kirby", "김정은", "Zelensky", "", None, "Ägypten", "a"])
                        for _ in range(size)
                    ],
                    dtype="str",
                ),  # fmt: skip
                "claimant_country": pd.Series(
                    [pick(["US", "KP", None, "UA"]) for _ in range(size)], dtype="str"
                ),
                "claim_id": pd.Series([f"C{i:04d}" for i in range(size)], dtype="str"),
            },
            index=[pick(range(10**6)) for _ in range(size)],
        )
        expected = frame.groupby(keys, sort=True)["claim_id"].agg(list).reset_index()
        found = grouped_lists(frame, keys, "claim_id")
        pd.testing.assert_frame_equal(found, expected, check_dtype=len(expected) > 0)


def test_the_highest_and_lowest_figures_are_the_ends_of_a_stable_sort():
    """The highest comparable upper bound (the latest of equals, and the last in table
    order of those), the lowest lower bound (the earliest, the first): as a stable sort of
    the comparable figures by bound, then date, would give them, ties and gaps included."""
    import random

    pick = random.Random(3).choice
    for size in [1, 2, 5, 40, 300] * 6:
        figs = pd.DataFrame(
            {
                "claim_id": [f"C{i:04d}" for i in range(size)],
                "quantity_low": [pick([100, 200, 200, None]) for _ in range(size)],
                "quantity_high": [pick([300, 400, 400, None]) for _ in range(size)],
                "said": pd.to_datetime([pick(["2024-10-01", "2024-10-02"]) for _ in range(size)]),
                "info_credibility": [pick([1, 2, 5, 6, None]) for _ in range(size)],
                "coded": [pick([False, False, True]) for _ in range(size)],
            },
            index=[pick(range(10**6)) for _ in range(size)],
        )
        usable = figs[(figs["info_credibility"].fillna(0) < 5) & ~figs["coded"]]
        for bound, end, found in (("quantity_high", -1, figures.highest(figs)),
                                  ("quantity_low", 0, figures.lowest(figs))):  # fmt: skip
            stated = usable[usable[bound].notna()].sort_values([bound, "said"], kind="stable")
            if stated.empty:
                assert found is None
            else:
                pd.testing.assert_series_equal(found, stated.iloc[end])
