"""Figures in a sentence, with their bounds as the words state them.

=========================================  =====================================
words                                       bounds
=========================================  =====================================
"more than", "over", "at least", "X-plus"   ``low`` only
"up to", "nearly", "as many as", "fewer"    ``high`` only
"about", "around", "some", a bare number    ``low`` = ``high``
"between X and Y", "X to Y", "X-Y"          both
"a few thousand", "several dozen"           none: words kept, nothing coded
=========================================  =====================================

A number that counts money, distance, time or a share ("$800 million", "190 miles",
"three years", "40 percent"), a rate ("1,200 per day"), a year or an ordinal is no
figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..figure_text import stated_numbers

_NUM = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*(?:thousand|million|billion))?"
    r"|(?:a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:\s+(?:hundred|thousand|million))?"
)
LOW_ONLY = r"more than|over|at least|upwards of|in excess of|north of|no fewer than|no less than"
HIGH_ONLY = (
    r"up to|nearly|almost|as many as|fewer than|less than|under|no more than|at most|"
    r"close to|just under"
)
EXACT = r"about|around|some|approximately|roughly|an estimated|estimated|exactly|nearly all"
FIGURE = re.compile(
    rf"(?<![\w$£€.,-])(?:(?P<between>between)\s+)?(?:(?P<bound>{LOW_ONLY}|{HIGH_ONLY}|{EXACT})\s+)?"
    rf"(?:potentially\s+)?(?P<low>{_NUM})(?P<plus>-?plus\b|\+)?"
    rf"(?:\s*(?:and|to|-|–|—)\s*(?P<high>{_NUM})(?!\d))?(?![\d,]*%)\b"
    rf"(?:\s+or more\b(?P<ormore>))?",
    re.IGNORECASE,
)
WORDS_ONLY = re.compile(
    r"\b(?:(?:a few|several|many|some|tens of|hundreds of)\s+(?:dozens?|hundreds?|thousands?)"
    r"(?:\s+of)?|dozens|hundreds|thousands|scores)\b",
    re.IGNORECASE,
)
#: What a number counts when it is no figure of people or things.
NOT_COUNTS = re.compile(
    r"\s*(?:[-\s](?:percent|per\s*cent|%|miles?|kilometers?|kilometres?|km|meters?|feet|"
    r"years?|months?|weeks?|days?|hours?|minutes?|seconds?|dollars?|euros?|pounds?|"
    r"a\.m\.|p\.m\.|o['’]clock|times|st|nd|rd|th)\b|%)",
    re.IGNORECASE,
)
RATE = re.compile(r"\s*(?:\w+\s+){0,3}?(?:per|a|each|every)\s+(?:day|week|month|year)\b")
CURRENCY = re.compile(r"[$£€¥]\s*$|\b(?:USD|EUR)\s*$")
YEAR = re.compile(r"(?:1[89]|20)\d\d")
MONTH_BEFORE = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s*$|:$"
)


@dataclass(frozen=True)
class Figure:
    """A figure as written in a sentence and its bounds (``""`` where open)."""

    words: str
    low: str
    high: str
    start: int
    end: int


def _value(words: str) -> int | None:
    """The one whole number ``words`` state ("3,000", "a thousand", "1.5 million")."""
    numbers = stated_numbers(words)
    return max(numbers) if numbers else None


def _bounds(match: re.Match) -> tuple[str, str] | None:
    """``(low, high)`` of a figure match, each ``""`` when the words leave it open."""
    low = _value(match["low"])
    high = _value(match["high"]) if match["high"] else None
    if low is None or (match["high"] and high is None):
        return None
    if high is not None:
        return (str(low), str(high)) if low < high else None
    bound = (match["bound"] or "").lower()
    if match["plus"] or match["ormore"] is not None or re.fullmatch(LOW_ONLY, bound):
        return str(low), ""
    if re.fullmatch(HIGH_ONLY, bound):
        return "", str(low)
    return str(low), str(low)


def _is_count(sentence: str, match: re.Match) -> bool:
    """Whether a number match counts people or things (not money, time, a year...)."""
    number = match["high"] or match["low"]
    after = sentence[match.end() :]
    before = sentence[: match.start("low")]
    if CURRENCY.search(before) or MONTH_BEFORE.search(before) or NOT_COUNTS.match(after):
        return False
    if after.startswith(":"):
        return False
    if RATE.match(after):
        return False
    if YEAR.fullmatch(number) and not match["bound"]:
        return False
    return not re.fullmatch(r"a|one", match["low"], re.IGNORECASE) or bool(
        re.match(r"\s+(?:hundred|thousand|million)", match["low"][1:] + after)
    )


def find_figures(sentence: str) -> list[Figure]:
    """Every figure in ``sentence`` that counts people or things, with its bounds.

    Examples
    --------
    >>> [(f.words, f.low, f.high) for f in find_figures("more than 3,000 soldiers")]
    [('more than 3,000', '3000', '')]
    """
    found = []
    for match in FIGURE.finditer(sentence):
        if not _is_count(sentence, match):
            continue
        bounds = _bounds(match)
        if bounds is None:
            continue
        words = match[0].strip()
        if match["between"] and not match["high"]:
            words = words[len("between") :].strip()
        found.append(Figure(words, *bounds, match.start(), match.start() + len(words)))
    return found


def word_figures(sentence: str) -> list[str]:
    """Amounts given only in words ("a few thousand", "several dozens"), as written."""
    return [match[0] for match in WORDS_ONLY.finditer(sentence)]
