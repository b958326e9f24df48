"""Point-in-time briefings, "what changed since", and the dated series with its index."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from conftest import ROOT, fixture_claims, write_claims, write_source
from test_judgments import GAP_COLUMNS, JUDGMENT_COLUMNS, gap, judgment, write

from briefing.analysis.changes import what_changed
from briefing.cli import main
from briefing.evidence import known_on, load_evidence, previous_date, publication_dates
from briefing.series import render_series

LATER = "2024-11-15_test_later-report"
LATER_TEXT = "Officials now say 10,000 troops are in Kursk. Moscow denies any deployment."


@pytest.fixture
def two_dates(dataset):
    """The fixture data plus a later source (15 Nov) with a moved figure, a denial,
    a revised judgment, a new judgment, a gap closed and a gap opened."""
    write_source(
        dataset / "sources", LATER, LATER_TEXT, published="2024-11-15", title="Later report"
    )
    rows = fixture_claims()
    base = dict(rows[0], source_id=LATER, claim_date="2024-11-15")
    rows += [
        dict(
            base,
            claim_id="C0005",
            statement="10,000 troops in Kursk.",
            quote="10,000 troops are in Kursk",
            figure_text="10,000",
            quantity_low="10000",
            quantity_high="10000",
        ),
        dict(
            base,
            claim_id="C0006",
            claimant="Moscow",
            claimant_country="RU",
            topic="troop_presence",
            stance="denies",
            statement="Moscow denies it.",
            quote="Moscow denies any deployment.",
            quantity_low="",
            quantity_high="",
            figure_text="",
            indicator="",
            figure_status="",
        ),
    ]
    write_claims(dataset / "claims" / "claims.csv", rows)
    write(
        dataset / "judgments" / "judgments.csv",
        JUDGMENT_COLUMNS,
        [
            judgment(),
            judgment(
                judgment_id="J001",
                valid_from="2024-11-15",
                confidence="high",
                claim_ids="C0001 C0005",
            ),
            judgment(
                judgment_id="J002",
                text="More troops will likely follow.",
                likelihood="likely",
                confidence="low",
                claim_ids="C0005",
                valid_from="2024-11-15",
            ),
        ],
    )
    write(
        dataset / "judgments" / "gaps.csv",
        GAP_COLUMNS,
        [
            gap(closed_on="2024-11-15"),
            gap(
                gap_id="G002",
                question="Where in Kursk?",
                claim_ids="C0005",
                valid_from="2024-11-15",
            ),
        ],
    )
    return dataset


@pytest.mark.parametrize(
    ("day", "claims", "confidence", "gap_open"),
    [
        ("2024-11-14", 4, "moderate", True),  # the day before the later source
        ("2024-11-15", 6, "high", False),  # the day it was published
        ("2024-11-16", 6, "high", False),  # the day after
    ],
)
def test_known_on_at_the_boundaries(two_dates, day, claims, confidence, gap_open):
    known = known_on(load_evidence("data"), day)
    assert len(known.claims) == claims
    assert list(known.judgments["confidence"])[0] == confidence
    assert len(known.judgments) == (1 if day < "2024-11-15" else 2)
    assert known.gaps.loc[known.gaps["gap_id"] == "G001", "closed_on"].isna().all() == gap_open


def test_judgment_cites_only_known_claims(two_dates):
    known = known_on(load_evidence("data"), "2024-11-14")
    assert list(known.judgments["claim_ids"]) == [["C0001", "C0003"]]


def test_dates_of_the_series(two_dates):
    evidence = load_evidence("data")
    assert publication_dates(evidence) == ["2024-10-24", "2024-11-15"]
    assert previous_date(evidence, "2024-11-15") == "2024-10-24"
    assert previous_date(evidence, "2024-10-24") is None


def test_what_changed_matches_the_hand_checked_list(two_dates):
    evidence = load_evidence("data")
    changes = what_changed(known_on(evidence, "2024-10-24"), known_on(evidence, "2024-11-15"))
    assert changes == {
        "New sources": ["Test Wire, 15\u00a0Nov\u00a02024: Later report (2 claims)"],
        "Figures that moved": [
            "troops sent, sent: 3,000 (Officials, US, 23\u00a0Oct\u00a02024) \u2192 "
            "10,000 (Officials, US, 15\u00a0Nov\u00a02024)"
        ],
        "New figures": [],
        "Judgments added": [
            "J002: More troops will likely follow. (likely (55\u201380%), low confidence)"
        ],
        "Judgments revised": [
            "J001: almost certain (95\u201399%), moderate confidence \u2192 almost certain "
            "(95\u201399%), high confidence. Troops have almost certainly been sent."
        ],
        "New denials": ["C0006: Russian government (RU): Moscow denies it."],
        "Denials withdrawn": [],
        "Gaps opened": ["G002: Where in Kursk?"],
        "Gaps closed": ["G001: Why?"],
    }


def test_as_of_before_the_first_source_is_refused(two_dates, tmp_path, capsys):
    code = main(
        [
            "render",
            "--as-of",
            "2024-10-01",
            "--output-dir",
            str(tmp_path / "out"),
            "--notebook",
            str(ROOT / "notebooks" / "briefing.ipynb"),
        ]
    )
    assert code == 2
    assert "before the first source was published (2024-10-24)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


class Links(HTMLParser):
    """Collect every href of a page."""

    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [v for k, v in attrs if k == "href"]


def test_series_renders_every_date_and_an_index_whose_links_resolve(two_dates, tmp_path):
    out = tmp_path / "reports"
    notebook = ROOT / "notebooks" / "briefing.ipynb"
    first = render_series(output_dir=out, data_dir=two_dates, notebook=notebook, jobs=2)
    assert first.rendered == ["2024-10-24", "2024-11-15"] and first.skipped == []
    parser = Links()
    parser.feed(first.index.read_text(encoding="utf-8"))
    assert len(parser.hrefs) == 4
    for href in parser.hrefs:
        assert not re.match(r"^[a-z]+:|^/", href), href  # relative links only
        assert (out / href).is_file(), href
    later = (out / "2024-11-15" / "briefing-2024-11-15.html").read_text(encoding="utf-8")
    assert "What changed since 24 October 2024" in later
    assert "10,000 (Officials, US, 15\u00a0Nov\u00a02024)" in later
    earlier = (out / "2024-10-24" / "briefing-2024-10-24.html").read_text(encoding="utf-8")
    assert "10,000" not in earlier and "first briefing" in earlier
    again = render_series(output_dir=out, data_dir=two_dates, notebook=notebook, jobs=2)
    assert again.rendered == [] and again.skipped == ["2024-10-24", "2024-11-15"]


def test_known_on_drops_citations_of_claims_not_yet_known(two_dates):
    evidence = load_evidence("data")
    later = evidence.sources.loc[evidence.sources["published"] > "2024-11-14", "source_id"]
    late = evidence.claims.loc[evidence.claims["source_id"].isin(later), "claim_id"].tolist()
    early = known_on(evidence, "2024-11-14").claims["claim_id"].tolist()
    assert late and early
    event = {"event_id": "E1", "date": pd.Timestamp("2024-10-01"), "event": "An event"}
    evidence.events = pd.DataFrame([event] * 2).assign(claim_ids=[[], []])
    frames = ("judgments", "gaps", "events")
    for name in frames:
        frame = getattr(evidence, name)
        frame["claim_ids"] = [[early[0], late[0]] for _ in range(len(frame))]
    known = known_on(evidence, "2024-11-14")
    for name in frames:
        frame = getattr(known, name)
        assert len(frame) and all(ids == [early[0]] for ids in frame["claim_ids"]), name
    evidence.events["claim_ids"] = [[late[0]] for _ in range(len(evidence.events))]
    assert known_on(evidence, "2024-11-14").events.empty  # cites nothing known yet
    assert len(known_on(evidence, "2024-11-15").events) == len(evidence.events)


def test_known_on_keeps_only_the_columns_asked_for(two_dates):
    # What changed reads of the earlier date's evidence only the claims' ids and sources
    # and the sources' ids and dates: their texts (tens of MB at a million claims) are
    # not copied for it.
    evidence = load_evidence("data")
    early = known_on(evidence, "2024-11-14", ["claim_id", "source_id"], ["source_id", "published"])
    assert list(early.sources.columns) == ["source_id", "published"]
    whole = known_on(evidence, "2024-11-14")
    assert len(whole.sources) < len(evidence.sources)
    pd.testing.assert_frame_equal(early.sources, whole.sources[["source_id", "published"]])
    pd.testing.assert_frame_equal(early.claims, whole.claims[["claim_id", "source_id"]])
    pd.testing.assert_frame_equal(early.judgments, whole.judgments)


def test_claims_new_since_are_those_of_sources_published_after_it(two_dates):
    from briefing import sections

    evidence = load_evidence("data")
    later = evidence.sources.loc[evidence.sources["published"] > "2024-10-24", "source_id"]
    expected = set(evidence.claims.loc[evidence.claims["source_id"].isin(later), "claim_id"])
    assert expected and expected < set(evidence.claims["claim_id"])
    assert sections.new_since(sections.scope(evidence, "2024-11-15")) == expected
    first = sections.scope(evidence, "2024-10-24")  # nothing to compare with: all are new
    assert first.since is None
    assert sections.new_since(first) == set(first.evidence.claims["claim_id"])
