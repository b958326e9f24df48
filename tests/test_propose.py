"""``briefing propose``: candidate claims drafted from a source (issue 18).

The fixtures are a second analyst's: another subject (relief convoys), other outlets,
other spellings, a transcript and a wire report written for these tests, with a data
set of their own (actors, indicators, units, topics).
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest
from conftest import ROOT, write_rows

from briefing.claims import CLAIM_COLUMNS, find_quote, load_claims
from briefing.errors import ClaimValidationError
from briefing.propose import CANDIDATE_COLUMNS, propose_claims, write_candidates
from briefing.propose.dates import claim_date, dateline, latest_weekday
from briefing.propose.quantities import find_figures, word_figures
from briefing.reference import REGISTERS
from briefing.sources import load_sources

ACTORS = [
    ["relief_ministry", "Ministry of Relief", "Relief Ministry|the ministry", "Government "
     "ministry in charge of relief", "FR", "agency", "", ""],
    ["lindqvist", "Maria Lindqvist", "Lindqvist|Ms. Lindqvist", "Spokeswoman for the Ministry "
     "of Relief", "FR", "person", "relief_ministry", ""],
    ["harrow", "Tom Harrow", "Harrow|Mr. Harrow", "Convoy coordinator", "GB", "person", "", ""],
    ["delta_wire", "Delta Wire", "", "News agency", "XX", "media", "", ""],
    ["border_guard", "Border Guard Service", "border guards", "Border agency", "DE", "agency",
     "", ""],
]  # fmt: skip
INDICATORS = [
    ["trucks_entered", "Aid trucks entered", "trucks", "Relief trucks said to have crossed "
     "into the region."],
    ["people_displaced", "People displaced", "people", "People said to have fled their homes."],
]  # fmt: skip
UNITS = [
    ["trucks", "trucks", "Trucks counted one by one."],
    ["people", "people", "Persons counted."],
]
TOPICS = [
    ["aid_deliveries", "Aid deliveries", "Relief reaching people.", "convoy|trucks|delivered"],
    ["access", "Access", "Whether crossings are open.", "crossing|border|closed|open"],
    ["displacement", "Displacement", "People leaving their homes.", "fled|displaced|homes"],
]
TRANSCRIPT = """\
Press Room

10:02 A.M. CET

MODERATOR:  Good morning.  We'll start with the spokeswoman.

MS. LINDQVIST:  Thank you.  Good morning, everyone.

Today the first convoy of more than 1,200 trucks crossed the northern
border.  It reached the valley towns before noon.

Q    Ms. Lindqvist, is it true that the crossing will close on Friday?  Can
you confirm that up to 5,000 people fled?

MS. LINDQVIST:  That report is fake news.  The crossing stays open.
The border guards denied the rumour on Monday.

Q:  And the trucks?

MR. OKAFOR:  We counted several dozen trucks waiting at the depot.

[...]

We delivered about 300 tonnes of flour in the past week.

12:00 P.M. CET
"""
REPORT = """\
GENEVA, Jan. 2 (Delta Wire) - Relief Ministry spokeswoman Maria Lindqvist said on \
Monday that between 2,000 and 3,000 people had fled the valley. She added that \
the ministry had "no plan to close the crossing."

Convoy coordinator Tom Harrow dismissed the reports of looting as rumours. "We lost \
nothing," Harrow said.

The convoy left last week, according to the Border Guard Service.

Roads in the valley are narrow and icy.
"""


def write_source(
    folder, stem, text, title="Relief update", outlet="Delta Wire", published="2025-01-02"
):
    """A source file with front matter like ``data/sources/*.md``."""
    path = folder / "sources" / f"{stem}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nsource_id: {stem}\ntitle: {title}\noutlet: {outlet}\npublished: {published}\n"
        f"license: written for the tests\n---\n{text}",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def data(tmp_path):
    """A second subject's data set: its own registers and topics, shipped scales."""
    reference = tmp_path / "data" / "reference"
    shutil.copytree(ROOT / "data" / "reference", reference)
    write_rows(reference / "actors.csv", [*REGISTERS["actors"], "notes"], ACTORS)
    write_rows(reference / "indicators.csv", REGISTERS["indicators"], INDICATORS)
    write_rows(reference / "units.csv", ["code", "label", "description"], UNITS)
    write_rows(reference / "topics.csv", ["code", "label", "description", "cues"], TOPICS)
    claims = tmp_path / "data" / "claims" / "claims.csv"
    claims.parent.mkdir(parents=True)
    claims.write_text(",".join(CLAIM_COLUMNS) + "\n", encoding="utf-8")
    return tmp_path / "data"


@pytest.fixture
def transcript(data):
    return write_source(
        data,
        "2025-01-02_ministry_briefing",
        TRANSCRIPT,
        title="Briefing by Spokeswoman Maria Lindqvist",
        outlet="Ministry of Relief",
    )


@pytest.fixture
def report(data):
    return write_source(data, "2025-01-02_deltawire_valley-convoy", REPORT)


def by_quote(rows, words):
    """The rows whose quote holds ``words``."""
    return [row for row in rows if words in row["quote"]]


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "words", "expected"),
    [
        ("2024-11-01", "announced Wednesday", "2024-10-30"),  # across a month boundary
        ("2025-01-02", "said on Monday", "2024-12-30"),  # across a year boundary
        ("2025-01-02", "said Thursday", "2025-01-02"),  # the day itself
        ("2025-01-02", "told reporters today", "2025-01-02"),
        ("2025-01-02", "said this morning", "2025-01-02"),
        ("2025-01-02", "said yesterday", "2025-01-01"),
        ("2025-01-02", "said on Dec. 30", "2024-12-30"),  # year from publication
        ("2025-01-02", "said on December 31", "2024-12-31"),
        ("2024-03-05", "wrote on March 9", "2023-03-09"),  # never after publication
        ("2025-01-02", "said on 28 December", "2024-12-28"),
    ],
)
def test_the_claim_date_is_read_against_the_publication_date(published, words, expected):
    cue = claim_date(words, dt.date.fromisoformat(published))
    assert cue.day == dt.date.fromisoformat(expected) and cue.note == ""


@pytest.mark.parametrize("words", ["said last week", "said recently", "said the other day"])
def test_vague_dates_are_left_blank_with_a_note(words):
    cue = claim_date(words, dt.date(2025, 1, 2))
    assert cue.day is None and "left blank" in cue.note


def test_no_cue_and_future_weekdays_give_nothing():
    assert claim_date("The convoy is large.", dt.date(2025, 1, 2)) is None
    assert claim_date("it may close as early as Sunday", dt.date(2025, 1, 2)) is None


def test_weekday_is_the_latest_such_day_on_or_before_the_anchor():
    assert latest_weekday("sunday", dt.date(2025, 1, 1)) == dt.date(2024, 12, 29)
    assert latest_weekday("Wednesday", dt.date(2025, 1, 1)) == dt.date(2025, 1, 1)


def test_a_dateline_sets_the_anchor_and_is_left_out_of_quotes():
    text = "GENEVA, Dec. 31 (Delta Wire) - Officials said today that the road is open."
    anchor, skip = dateline(text, dt.date(2025, 1, 2))
    assert anchor == dt.date(2024, 12, 31) and text[skip:].startswith("Officials said")
    assert dateline("No dateline here.", dt.date(2025, 1, 2)) == (dt.date(2025, 1, 2), 0)


def test_a_report_dates_claims_from_its_dateline_and_carries_a_speakers_day(report, data):
    rows = propose_claims(report, data)
    said = by_quote(rows, "between 2,000 and 3,000")
    assert {row["claim_date"] for row in said} == {"2024-12-30"}  # Monday before Jan. 2
    assert by_quote(rows, "She added")[0]["claim_date"] == "2024-12-30"  # same occasion
    left = by_quote(rows, "left last week")[0]
    assert left["claim_date"] == "" and "'last week'" in left["notes"]


# --- figures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "words", "low", "high"),
    [
        ("more than 3,000 trucks", "more than 3,000", "3000", ""),
        ("at least 40 trucks", "at least 40", "40", ""),
        ("over 1,500 people", "over 1,500", "1500", ""),
        ("the 10,000-plus people", "10,000-plus", "10000", ""),
        ("up to 12,000 people", "up to 12,000", "", "12000"),
        ("nearly 900 trucks", "nearly 900", "", "900"),
        ("as many as 70 trucks", "as many as 70", "", "70"),
        ("fewer than 20 trucks", "fewer than 20", "", "20"),
        ("about 10,000 people", "about 10,000", "10000", "10000"),
        ("some 450 trucks", "some 450", "450", "450"),
        ("approximately 1,500 people", "approximately 1,500", "1500", "1500"),
        ("roughly 60 trucks", "roughly 60", "60", "60"),
        ("between 1,000 and 2,000 people", "between 1,000 and 2,000", "1000", "2000"),
        ("1,000 to 1,200 trucks", "1,000 to 1,200", "1000", "1200"),
        ("a thousand people", "a thousand", "1000", "1000"),
    ],
)
def test_bound_phrases(sentence, words, low, high):
    (figure,) = find_figures(sentence)
    assert (figure.words, figure.low, figure.high) == (words, low, high)


@pytest.mark.parametrize(
    "sentence",
    [
        "$800 million in aid",
        "a road of 190 miles",
        "three years of war",
        "40 percent of homes",
        "1,200 trucks per day",
        "in 2022, the war",
        "on Sept. 19, 2024",
        "at 10:02 A.M.",
    ],
)
def test_money_distance_time_rates_and_dates_are_no_figures(sentence):
    assert find_figures(sentence) == []


def test_amounts_in_words_are_kept_uncoded(transcript, data):
    assert word_figures("a few thousand people and several dozen trucks") == [
        "a few thousand",
        "several dozen",
    ]
    (row,) = by_quote(propose_claims(transcript, data), "several dozen trucks")
    assert row["quantity_low"] == row["quantity_high"] == row["figure_text"] == ""
    assert "several dozen" in row["notes"]


def test_a_figure_is_coded_with_its_indicator_beside_a_plain_row(transcript, data):
    rows = by_quote(propose_claims(transcript, data), "more than 1,200 trucks")
    coded = [row for row in rows if row["figure_text"]]
    assert len(rows) == 2 and len(coded) == 1
    assert coded[0]["figure_text"] == "more than 1,200"
    assert (coded[0]["quantity_low"], coded[0]["quantity_high"]) == ("1200", "")
    assert coded[0]["indicator"] == "trucks_entered" and coded[0]["figure_status"]
    tonnes = by_quote(propose_claims(transcript, data), "300 tonnes")
    assert [row["indicator"] for row in tonnes] == [""]  # counts no indicator: not coded


# --- speakers ------------------------------------------------------------------------


def test_speaker_labels_name_the_claimant_and_questions_are_skipped(transcript, data):
    rows = propose_claims(transcript, data)
    convoy = by_quote(rows, "first convoy")[0]
    assert convoy["claimant"] == "Maria Lindqvist"
    assert convoy["claimant_role"] == "Spokeswoman for the Ministry of Relief"
    assert convoy["claimant_country"] == "FR" and convoy["claim_date"] == "2025-01-02"
    assert "MS. LINDQVIST:" in convoy["evidence"] and convoy["confidence"] == "high"
    quotes = " ".join(row["quote"] for row in rows)
    for asked in ("is it true", "up to 5,000", "And the trucks", "start with the spokeswoman"):
        assert asked not in quotes


def test_an_unknown_speaker_is_proposed_as_written_and_flagged(transcript, data):
    (row,) = by_quote(propose_claims(transcript, data), "several dozen")
    assert row["claimant"] == "Mr. Okafor" and row["confidence"] == "low"
    assert "no actor" in row["evidence"] and row["claimant_country"] == "XX"


def test_text_after_an_omission_goes_to_the_main_speaker(transcript, data):
    (row,) = by_quote(propose_claims(transcript, data), "300 tonnes")
    assert row["claimant"] == "Maria Lindqvist" and row["confidence"] == "medium"


def test_a_named_party_reported_in_a_transcript_is_the_claimant(transcript, data):
    (row,) = by_quote(propose_claims(transcript, data), "denied the rumour")
    assert row["claimant"] == "Border Guard Service" and row["stance"] == "denies"
    assert row["claim_date"] == "2024-12-30"  # 'on Monday', not the briefing's day


def test_pronoun_and_inverted_attribution_in_a_report(report, data):
    rows = propose_claims(report, data)
    assert {r["claimant"] for r in by_quote(rows, "between 2,000")} == {"Maria Lindqvist"}
    (added,) = by_quote(rows, "She added")
    assert added["claimant"] == "Maria Lindqvist" and "pronoun" in added["evidence"]
    assert by_quote(rows, "We lost nothing")[0]["claimant"] == "Tom Harrow"
    assert by_quote(rows, "according to")[0]["claimant"] == "Border Guard Service"
    (narration,) = by_quote(rows, "narrow and icy")
    assert narration["claimant"] == "Delta Wire" and narration["claim_date"] == ""
    assert not any(row["quote"].startswith("GENEVA") for row in rows)  # dateline left out


# --- stance --------------------------------------------------------------------------


@pytest.mark.parametrize("words", ["That report is fake news.", "dismissed the reports of"])
def test_denial_cues_give_denies(transcript, report, data, words):
    rows = propose_claims(transcript, data) + propose_claims(report, data)
    assert {row["stance"] for row in by_quote(rows, words)} == {"denies"}
    assert all("denial cue" in row["evidence"] for row in by_quote(rows, words))
    assert by_quote(rows, "narrow and icy")[0]["stance"] == "asserts"


# --- rows ----------------------------------------------------------------------------


def test_every_quote_is_found_in_its_source_and_rows_are_drafts(transcript, report, data):
    for path in (transcript, report, *sorted((ROOT / "data" / "sources").glob("*.md"))):
        folder = data if path.parent.parent == data else ROOT / "data"
        text = path.read_text(encoding="utf-8").split("---\n", 2)[2]
        rows = propose_claims(path, folder)
        assert rows, path
        for row in rows:
            assert list(row) == CANDIDATE_COLUMNS
            assert find_quote(row["quote"], text) is not None, row["quote"]
            assert row["claim_id"] == row["source_reliability"] == row["info_credibility"] == ""
            assert row["notes"].startswith("Draft proposed by briefing propose")
            assert row["statement"].startswith(row["claimant"])
            assert row["confidence"] in ("high", "medium", "low")


def test_unedited_rows_fail_validation_only_for_the_grades(transcript, report, data):
    rows = propose_claims(transcript, data) + propose_claims(report, data)
    unknown = [row for row in rows if "no actor" in row["evidence"]]
    assert [row["claimant"] for row in unknown] == ["Mr. Okafor"]  # flagged: for the analyst
    rows = [row for row in rows if row not in unknown]
    for number, row in enumerate(rows, 1):
        row["claim_id"] = f"C{number:04d}"
    path = write_candidates(rows, data / "claims" / "proposed" / "all.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == [*CLAIM_COLUMNS, "evidence", "confidence"]
    claims = data / "claims" / "claims.csv"
    with claims.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, CLAIM_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ClaimValidationError) as error:
        load_claims(claims, load_sources(data / "sources"), _books(data))
    assert {p.column for p in error.value.problems} == {"source_reliability", "info_credibility"}


def _books(data):
    from briefing.reference import load_codebooks

    return load_codebooks(data / "reference")


# --- uncovered -----------------------------------------------------------------------


def test_uncovered_lists_only_what_no_claim_covers_and_lists_it_again_once_removed(report, data):
    claims = data / "claims" / "claims.csv"
    quote = "We lost nothing"
    row = dict.fromkeys(CLAIM_COLUMNS, "")
    row.update(claim_id="C0001", source_id=report.stem, claimant="Harrow", quote=quote)
    with claims.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, CLAIM_COLUMNS)
        writer.writeheader()
        writer.writerow(row)
    text = report.read_text(encoding="utf-8").split("---\n", 2)[2]
    covered = find_quote(quote, text)
    left = propose_claims(report, data, uncovered=True)
    assert left and len(left) < len(propose_claims(report, data))
    for candidate in left:
        start, end = find_quote(candidate["quote"], text)
        assert end <= covered[0] or start >= covered[1]
    claims.write_text(",".join(CLAIM_COLUMNS) + "\n", encoding="utf-8")  # the claim removed
    again = propose_claims(report, data, uncovered=True)
    assert by_quote(again, quote) and len(again) == len(propose_claims(report, data))


def test_write_candidates_creates_its_folders(tmp_path):
    path = write_candidates([], tmp_path / "a" / "b" / "out.csv")
    assert path.read_text(encoding="utf-8").strip() == ",".join(CANDIDATE_COLUMNS)
