"""Data sets written the way other analysts write them, for the tests.

:func:`second_analyst` is months of updates on the shipped subject by a second analyst:
reports from other outlets, other spellings of known speakers ("Peskov", "Dmitry Peskov
(Kremlin spokesman)"), "more than" and "at least" figures, figures of two indicators, a
denial later withdrawn by the same government, a judgment three months old with newer
claims, and more than 250 claims. :func:`second_subject` is another subject altogether
(artillery shells shipped between two fictional states), with its own actors,
indicators and ``briefing.yml``. The sources are fixtures: fictional text written for the
tests, never evidence.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from conftest import ROOT, write_claims, write_rows, write_source

from briefing.claims import CLAIM_COLUMNS
from briefing.judgments import JUDGMENT_COLUMNS
from briefing.reference import REGISTERS

ACTOR_HEADER = [*REGISTERS["actors"], "notes"]
INDICATOR_HEADER = REGISTERS["indicators"]
JUDGMENT_HEADER = JUDGMENT_COLUMNS

SECOND_ACTORS = [
    ["russian_government", "Russian government", "Moscow", "", "RU", "government", "", ""],
    [
        "dmitry_peskov",
        "Dmitry Peskov",
        "Peskov|Dmitry Peskov (Kremlin spokesman)",
        "Kremlin spokesman",
        "RU",
        "person",
        "russian_government",
        "",
    ],
    [
        "russian_general_staff",
        "Russian General Staff",
        "General Staff of Russia",
        "",
        "RU",
        "military",
        "russian_government",
        "",
    ],
    ["south_korean_government", "South Korean government", "", "", "KR", "government", "", ""],
    [
        "nis",
        "National Intelligence Service",
        "National Intelligence Service (South Korea)|NIS|South Korea's spy agency",
        "",
        "KR",
        "agency",
        "south_korean_government",
        "",
    ],
    ["us_government", "U.S. government", "", "", "US", "government", "", ""],
    ["pentagon", "U.S. Department of Defense", "Pentagon", "", "US", "agency", "us_government", ""],
    [
        "sabrina_singh",
        "Sabrina Singh",
        "Sabrina Singh (Deputy Pentagon Press Secretary)",
        "Deputy Pentagon Press Secretary",
        "US",
        "person",
        "pentagon",
        "",
    ],
    ["tass", "TASS", "", "", "RU", "media", "", ""],
    ["kyiv_independent", "Kyiv Independent", "The Kyiv Independent", "", "UA", "media", "", ""],
]
SECOND_INDICATORS = [
    ["troops_in_russia", "troops in Russia", "troops", "Troops said to be in Russia."],
    [
        "troops_in_kursk",
        "troops in the Kursk region",
        "troops",
        "Troops said to be in the Kursk region, a part of those in Russia.",
    ],
    ["killed_or_wounded", "troops killed or wounded", "casualties", "Killed and wounded."],
]

#: Spellings of the same speakers, as different curators type them.
SPEAKERS = [
    ("Peskov", "RU"),
    ("Dmitry Peskov (Kremlin spokesman)", "RU"),
    ("dmitry  peskov", "RU"),
    ("National Intelligence Service (South Korea)", "KR"),
    ("National Intelligence Service", "KR"),
    ("NIS", "KR"),
    ("Sabrina Singh", "US"),
    ("Sabrina Singh (Deputy Pentagon Press Secretary)", "US"),
    ("TASS", "RU"),
    ("The Kyiv Independent", "UA"),
]
FIRST_DAY = dt.date(2024, 10, 21)
WEEKS = 30
PER_SOURCE = 9


def _claim(
    claim_id: int, source_id: str, claimant: str, country: str, quote: str, **cells: str
) -> dict:
    """A claim row with the fixture's defaults."""
    row = dict.fromkeys(CLAIM_COLUMNS, "")
    row.update(
        claim_id=f"C{claim_id:04d}",
        source_id=source_id,
        claimant=claimant,
        claimant_country=country,
        topic="troop_presence",
        statement=f"Reported: {quote}",
        quote=quote,
        stance="asserts",
        source_reliability="B",
        info_credibility="3",
        notes="B3: test fixture, a second analyst's grading.",
    )
    row.update(cells)
    return row


def _reference(data: Path, actors, indicators) -> Path:
    """The shipped codebooks with this data set's own actors and indicators."""
    reference = data / "reference"
    shutil.copytree(
        ROOT / "data" / "reference",
        reference,
        ignore=shutil.ignore_patterns("actors.csv", "indicators.csv"),
    )
    write_rows(reference / "actors.csv", ACTOR_HEADER, actors)
    write_rows(reference / "indicators.csv", INDICATOR_HEADER, indicators)
    return reference


def second_analyst(data: Path) -> dict:
    """Write the second analyst's data set into ``data``; return what the tests check.

    Returns
    -------
    dict
        ``as_of`` (the last source date), ``claims`` (how many), ``denial`` and
        ``withdrawal`` (claim ids), ``stale`` (the judgment that must be flagged).
    """
    _reference(data, SECOND_ACTORS, SECOND_INDICATORS)
    (data / "sources").mkdir(parents=True)
    rows, number = [], 1
    for week in range(WEEKS):
        day = FIRST_DAY + dt.timedelta(weeks=week)
        source_id = f"{day.isoformat()}_wire_week-{week + 1:02d}-update"
        sentences = []
        for k in range(PER_SOURCE):
            claimant, country = SPEAKERS[(week + k) % len(SPEAKERS)]
            quote = f"Update {week + 1}.{k + 1}: troop movements continue near the border."
            cells = {"topic": "military_ties"}
            if k == 0:
                figure = ["more than 3,000", "at least 3,000", "about 11,000", "up to 12,000"][
                    week % 4
                ]
                quote = f"Update {week + 1}.{k + 1}: {figure} troops are now in Russia."
                low, high = {
                    "more than 3,000": ("3000", ""),
                    "at least 3,000": ("3000", ""),
                    "about 11,000": ("11000", "11000"),
                    "up to 12,000": ("", "12000"),
                }[figure]
                cells = dict(
                    figure_text=figure,
                    quantity_low=low,
                    quantity_high=high,
                    indicator="troops_in_russia",
                    figure_status="estimate",
                    topic="troop_numbers",
                )
            elif k == 1 and week % 3 == 0:
                count = 8000 + 500 * week
                figure = f"some {count:,}"
                quote = f"Update {week + 1}.{k + 1}: {figure} of them in the Kursk region."
                cells = dict(
                    figure_text=f"{count:,}",
                    quantity_low=str(count),
                    quantity_high=str(count),
                    indicator="troops_in_kursk",
                    figure_status="deployed",
                    topic="troop_location",
                )
            sentences.append(quote)
            rows.append(_claim(number, source_id, claimant, country, quote, **cells))
            number += 1
        if week == 0:  # the denial, by one spelling of the Kremlin's spokesman
            quote = "We know nothing of any North Korean soldiers here."
            sentences.append(quote)
            denial = f"C{number:04d}"
            rows.append(
                _claim(
                    number,
                    source_id,
                    "Peskov",
                    "RU",
                    quote,
                    stance="denies",
                    statement="Peskov denied that North Korean troops are in Russia.",
                )
            )
            number += 1
        if week == WEEKS - 2:  # the same government acknowledges them
            quote = "North Korean units took part in the fighting in the Kursk region."
            sentences.append(quote)
            withdrawal = f"C{number:04d}"
            rows.append(
                _claim(
                    number,
                    source_id,
                    "General Staff of Russia",
                    "RU",
                    quote,
                    statement="Russia's General Staff said North Korean units "
                    "fought in the Kursk region.",
                )
            )
            number += 1
        write_source(
            data / "sources",
            source_id,
            "\n".join(sentences) + "\n",
            title=f"Week {week + 1} update",
            outlet="Test Wire",
            published=day.isoformat(),
        )
    (data / "claims").mkdir()
    write_claims(data / "claims" / "claims.csv", rows)
    (data / "judgments").mkdir()
    review = FIRST_DAY + dt.timedelta(weeks=8)
    write_rows(
        data / "judgments" / "judgments.csv",
        JUDGMENT_HEADER,
        [
            [
                "J001",
                "North Korean troops are almost certainly in Russia.",
                "almost certain",
                "moderate",
                "C0001 C0002 C0019",
                review.isoformat(),
                "",
                "Reviewed once, early; never since.",
            ]
        ],
    )
    last = FIRST_DAY + dt.timedelta(weeks=WEEKS - 1)
    return {
        "as_of": last.isoformat(),
        "claims": len(rows),
        "denial": denial,
        "withdrawal": withdrawal,
        "stale": "J001",
    }


SUBJECT_ACTORS = [
    ["northland", "Northland government", "", "", "XX", "government", "", ""],
    [
        "northland_ministry",
        "Northland Ministry of Defence",
        "MoD Northland",
        "",
        "XX",
        "agency",
        "northland",
        "",
    ],
    ["harbour_watch", "Harbour Watch", "", "", "XX", "media", "", ""],
]
SUBJECT_INDICATORS = [
    ["shells_shipped", "artillery shells shipped", "units", "Shells shipped by sea."],
]


def second_subject(data: Path) -> dict:
    """Write a small data set on another subject into ``data``; return what tests check."""
    _reference(data, SUBJECT_ACTORS, SUBJECT_INDICATORS)
    (data / "sources").mkdir(parents=True)
    text = (
        "The ministry said more than 1,000,000 shells had been shipped by sea.\n"
        "Harbour Watch counted about 400,000 shells loaded in March.\n"
        "The ministry denied that any shells were shipped before March.\n"
    )
    source_id = "2025-04-01_harbour_shell-shipments"
    write_source(
        data / "sources",
        source_id,
        text,
        title="Shell shipments",
        outlet="Harbour",
        published="2025-04-01",
    )
    rows = [
        _claim(
            1,
            source_id,
            "MoD Northland",
            "XX",
            "more than 1,000,000 shells had been shipped by sea",
            topic="arms_transfers",
            figure_text="more than 1,000,000",
            quantity_low="1000000",
            indicator="shells_shipped",
            figure_status="deployed",
        ),
        _claim(
            2,
            source_id,
            "Harbour Watch",
            "XX",
            "about 400,000 shells loaded in March",
            topic="arms_transfers",
            figure_text="about 400,000",
            quantity_low="400000",
            quantity_high="400000",
            indicator="shells_shipped",
            figure_status="deployed",
        ),
        _claim(
            3,
            source_id,
            "Northland Ministry of Defence",
            "XX",
            "denied that any shells were shipped before March",
            topic="arms_transfers",
            stance="denies",
        ),
    ]
    (data / "claims").mkdir()
    write_claims(data / "claims" / "claims.csv", rows)
    (data / "briefing.yml").write_text(
        "title: Artillery shells shipped by sea\n"
        "marking: UNCLASSIFIED // FOR TESTS\n"
        "headline_indicators: shells_shipped\n"
        "review_days: 14\n",
        encoding="utf-8",
    )
    return {"as_of": "2025-04-01", "title": "Artillery shells shipped by sea"}
