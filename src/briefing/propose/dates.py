"""When a claim was made, from the text's own words and the day it was published.

A news report says "announced Wednesday", "spoke to the media today", "on Oct. 23"; a
transcript is dated by its publication. :func:`claim_date` reads the first such cue in
a sentence against an **anchor** (the report's dateline, else its publication date):

- a weekday is the latest such day on or before the anchor ("Wednesday" in a report of
  Thursday 24 Oct 2024 is 23 Oct 2024; a weekday equal to the anchor's is the anchor);
- "today", "tonight", "this morning" (afternoon, evening) are the anchor; "yesterday"
  and "last night" the day before;
- a month and day ("Oct. 23", "October 23", "23 October") take the anchor's year, or
  the year before when that day would fall after the anchor;
- vague cues ("last week", "recently", "the other day", "earlier this month") leave the
  date blank with a note for the analyst.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
    r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
MONTH_DAY = re.compile(
    rf"\b(?:{_MONTH}\s+(?P<day>\d{{1,2}})(?!\d)|"
    rf"(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')})\b(?:,?\s*(?P<year>\d{{4}}))?"
)
#: A weekday that names the future or a deadline, not when something was said.
_NOT_SAID = r"(?<!next )(?<!by )(?<!until )(?<!as early as )(?<!before )(?<!after )"
WEEKDAY = re.compile(_NOT_SAID + r"\b(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
SAME_DAY = re.compile(
    r"\b(?:today|tonight|this (?:morning|afternoon|evening))\b(?!['’]s)", re.IGNORECASE
)
DAY_BEFORE = re.compile(r"\b(?:yesterday|last night)\b", re.IGNORECASE)
VAGUE = re.compile(
    r"\b(?:last|past|earlier this|this|previous) (?:week|month|year|weekend)\b|\brecently\b|"
    r"\bthe other day\b|\bearlier this (?:month|year)\b|\bdays? ago\b|\bweeks? ago\b",
    re.IGNORECASE,
)
#: A dateline at the head of a report: "WASHINGTON, Oct. 24 (Agency) -", "City, Oct 24, (X) -".
DATELINE = re.compile(
    r"\A[^\n]{0,40}?\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:,?\s*(?P<year>\d{4}))?,?\s*"
    r"(?:\([^)\n]{1,40}\)\s*)?(?:[-–—]+|\|)\s*"
)


@dataclass(frozen=True)
class DateCue:
    """A date read from a sentence: the day (or ``None``), the words, and a note."""

    day: dt.date | None
    words: str
    note: str = ""


def latest_weekday(name: str, anchor: dt.date) -> dt.date:
    """The latest day called ``name`` ("Wednesday") on or before ``anchor``."""
    back = (anchor.weekday() - WEEKDAYS.index(name.lower())) % 7
    return anchor - dt.timedelta(days=back)


def month_day(month: str, day: int, anchor: dt.date, year: int | None = None) -> dt.date | None:
    """The day ``month day`` in ``year``, else the latest one on or before ``anchor``."""
    number = MONTHS[month[:3].lower()]
    try:
        found = dt.date(year or anchor.year, number, day)
        if year is None and found > anchor:
            found = dt.date(anchor.year - 1, number, day)
    except ValueError:
        return None
    return found


def dateline(text: str, published: dt.date) -> tuple[dt.date, int]:
    """The dateline's day (else ``published``) and where the text after it starts."""
    match = DATELINE.match(text.lstrip())
    if not match:
        return published, 0
    offset = len(text) - len(text.lstrip())
    year = int(match["year"]) if match["year"] else None
    day = month_day(match["month"], int(match["day"]), published, year) or published
    return (day if day <= published else published), offset + match.end()


def claim_date(sentence: str, anchor: dt.date) -> DateCue | None:
    """The first date cue in ``sentence``, read against ``anchor``; ``None`` if none.

    Examples
    --------
    >>> claim_date("Austin announced Wednesday that", dt.date(2024, 10, 24)).day
    datetime.date(2024, 10, 23)
    >>> claim_date("as we said last week", dt.date(2024, 10, 24)).note
    "'last week': no day given; claim_date left blank."
    """
    found = []
    for match in MONTH_DAY.finditer(sentence):
        month, day = match["month"] or match["month2"], match["day"] or match["day2"]
        year = int(match["year"]) if match["year"] else None
        found.append((match.start(), month_day(month, int(day), anchor, year), match[0]))
    for match in WEEKDAY.finditer(sentence):
        found.append((match.start(), latest_weekday(match[1], anchor), match[0]))
    for match in SAME_DAY.finditer(sentence):
        found.append((match.start(), anchor, match[0]))
    for match in DAY_BEFORE.finditer(sentence):
        found.append((match.start(), anchor - dt.timedelta(days=1), match[0]))
    for match in VAGUE.finditer(sentence):
        found.append((match.start(), None, match[0]))
    if not found:
        return None
    _, day, words = min(found, key=lambda item: item[0])
    if day is None:
        return DateCue(None, words, f"'{words}': no day given; claim_date left blank.")
    if day > anchor:
        return DateCue(None, words, f"'{words}' is after publication; claim_date left blank.")
    return DateCue(day, words)
