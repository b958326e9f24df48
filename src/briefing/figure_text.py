"""Figures as stated: a claim's numbers in its claimant's own words.

A claim with a quantity keeps the figure as the claimant put it in ``figure_text``
("more than 3,000", "about 10,000", "up to 12,000", "several dozens"), a span of its
quote. Its bounds say what the words mean:

- ``quantity_low`` and ``quantity_high`` equal: exactly that figure ("about 10,000");
- ``quantity_low`` alone: at least that figure ("more than 3,000", "10,000-plus");
- ``quantity_high`` alone: at most that figure ("up to 12,000");
- both, low below high: a range ("between 1,000 and 2,000").

Every bound must be a number written in the words, unless the claim's ``notes`` say it
is the **analyst's coding** (a bracket such as 24–99 for "several dozens", which the
source does not state): such a figure is printed as its words, never as the claimant's
numbers.
"""

from __future__ import annotations

import re

import pandas as pd

from .text import whole_number

#: The words in ``notes`` that mark bounds as the analyst's coding, not the claimant's.
CODING = re.compile(r"\banalyst[’']?s?\s+coding\b", re.IGNORECASE)
_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a": 1,
    "an": 1,
    "a dozen": 12,
    "dozen": 12,
}
_SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "k": 1_000,
    "m": 1_000_000,
}
_NUMBER = re.compile(
    r"(?<![\w.])(?:(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?"
    r"|(?P<word>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b)"
    r"(?:[\s-]*(?P<scale>" + "|".join(_SCALES) + r")\b)?",
    re.IGNORECASE,
)


def stated_numbers(words: str) -> set[int]:
    """Every whole number written in ``words``: ``3,000``, ``10,000-plus``, ``1.5 million``,
    ``two``, ``12 thousand``. Number words count only up to ninety, or with a scale."""
    found = set()
    for match in _NUMBER.finditer(words):
        scale = _SCALES.get((match["scale"] or "").lower(), 1)
        if match["word"]:
            word = match["word"].lower()
            if word in ("a", "an") and scale == 1:
                continue  # "a" alone is no number; "a thousand" is
            found.add(_UNITS[word] * scale)
            continue
        whole = int(match["digits"].replace(",", ""))
        fraction = match["fraction"] or ""
        value = (whole * 10 ** len(fraction) + int(fraction or 0)) * scale
        if value % 10 ** len(fraction) == 0:
            found.add(value // 10 ** len(fraction))
    return found


def analysts_coding(notes: str) -> bool:
    """Whether ``notes`` say the bounds are the analyst's coding, not the claimant's."""
    return bool(CODING.search(notes or ""))


#: Where ``notes`` state the row's own coding: "coded 3000/3000", "coded quantity_low 3000
#: with quantity_high blank", "Status deployed". A mention followed by "in C0040" (or "of",
#: "for", "(C0040") is about another claim and is not read.
_OTHER_CLAIM = r"(?!\s*(?:(?:in|of|for|as)\s+|\()C\d{4,})"
NOTED_PAIR = re.compile(r"\bcoded\s+(?:as\s+)?(\d+)\s*/\s*(\d+)\b" + _OTHER_CLAIM)
NOTED_BOUND = re.compile(r"\b(quantity_low|quantity_high)\s+(\d+|blank)\b" + _OTHER_CLAIM)
NOTED_STATUS = re.compile(r"\bStatus\s+['‘’\"]?([a-z_]+)['‘’\"]?" + _OTHER_CLAIM)


def noted_coding(notes: str, statuses) -> list[tuple[str, str, str]]:
    """The coding ``notes`` say the row has: ``(column, value, as written)`` triples.

    ``value`` is a number, or ``""`` for a bound said to be blank; a status is read only
    when it is one of ``statuses`` (the ``figure_statuses`` codes), so that ordinary words
    after "Status" are never taken for one.
    """
    found = []
    if "coded" not in notes and "quantity_" not in notes and "Status" not in notes:
        return found  # none of the patterns can match: most notes, at C speed
    for match in NOTED_PAIR.finditer(notes):
        found += [("quantity_low", match[1], match[0]), ("quantity_high", match[2], match[0])]
    for match in NOTED_BOUND.finditer(notes):
        found.append((match[1], "" if match[2] == "blank" else match[2], match[0]))
    for match in NOTED_STATUS.finditer(notes):
        if match[1] in statuses:
            found.append(("figure_status", match[1], match[0]))
    return found


def unstated_bounds(words: str, low: str, high: str) -> list[str]:
    """The bounds (as cells) that are no number written in ``words``."""
    numbers = stated_numbers(words)
    return [cell for cell in (low, high) if whole_number(cell) and int(cell) not in numbers]


def bound_kinds(low: pd.Series, high: pd.Series) -> pd.Series:
    """What each row's bounds are: ``exact`` (both given and equal), ``range``,
    ``at_least`` (a lower bound only) or ``up_to`` (an upper bound only); ``<NA>`` where
    neither is given."""
    has_low, has_high = low.notna(), high.notna()
    kinds = pd.Series(pd.NA, index=low.index, dtype="string")
    kinds[has_low & has_high] = "range"
    kinds[has_low & has_high & (low == high).fillna(False)] = "exact"
    kinds[has_low & ~has_high] = "at_least"
    kinds[~has_low & has_high] = "up_to"
    return kinds
