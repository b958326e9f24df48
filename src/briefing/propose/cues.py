"""Guesses from words: stance, topic, indicator and figure status.

Every guess scores the codes of a codebook by the words they share with the sentence.
A code's words are its label and description (and its ``cues`` column where the
codebook has one, ``|``-separated), cut to crude stems (the first five letters of a
word, so "deployed" meets "deployment"); each stem weighs by how few codes use it, so
words every code shares count for nothing. Nothing here knows a subject: the words
come from ``data/reference``.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pandas as pd

DENIAL = re.compile(
    r"\b(?:den(?:y|ies|ied|ying|ial)|dismiss(?:ed|es|ing)?\b.{0,60}?\bas|reject(?:s|ed|ing)?|"
    r"refut(?:e|es|ed|ing)|rebut(?:s|ted)?|fake news|not true|untrue|"
    r"baseless|groundless)\b",
    re.IGNORECASE,
)
STOPWORDS = set(
    "a about above after again against all also am an and any are as at be because been "
    "before being below between both but by can could did do does doing down during each "
    "few for from further had has have having he her here hers him his how i if in into "
    "is it its itself just me more most my no nor not now of off on once only or other our "
    "ours out over own same she should so some such than that the their theirs them then "
    "there these they this those through to too under until up use used very was we were "
    "what when where which while who whom why will with would you your said says say "
    "claimant example including includes whether".split()
)
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def stems(text: str) -> list[str]:
    """The crude stems of the content words of ``text``: lower case, first five letters."""
    return [w.lower()[:5] for w in WORD.findall(text) if w.lower() not in STOPWORDS]


def stance(sentence: str) -> tuple[str, str]:
    """``("denies", cue)`` when ``sentence`` carries a denial cue, else ``("asserts", "")``."""
    match = DENIAL.search(sentence)
    return ("denies", match[0]) if match else ("asserts", "")


NEGATION = re.compile(r"\b(?:not|never|no|nor)\b", re.IGNORECASE)


def _affirmative(description: str) -> str:
    """A description without its sentences that say what a code is not."""
    parts = re.split(r"(?<=[.;:])\s+", description)
    return " ".join(part for part in parts if not NEGATION.search(part))


class Scorer:
    """Scores the codes of one codebook against a passage by shared, weighted stems.

    Label and cue words weigh 2, description words 0.5 (sentences of the description that
    say what the code is not are left out); each stem also weighs by how few codes use it.

    Parameters
    ----------
    book : pandas.DataFrame
        The codebook, indexed by code, with ``label`` and ``description`` columns and
        optionally ``cues`` (``|``-separated words) and ``unit``.
    units : pandas.DataFrame, optional
        The units codebook: a code's ``unit`` and its label are the words a counted
        noun is compared with (:meth:`count_scores`).
    """

    def __init__(self, book: pd.DataFrame, units: pd.DataFrame | None = None):
        self.words: dict[str, Counter] = {}
        self.units: dict[str, set[str]] = {}
        for code, row in book.iterrows():
            bag: Counter = Counter()
            for stem in set(stems(_affirmative(str(row.get("description", ""))))):
                bag[stem] += 0.5
            for stem in set(stems(str(row.get("label", ""))) + stems(str(code).replace("_", " "))):
                bag[stem] += 2
            for cue in str(row.get("cues", "") or "").split("|"):
                for stem in set(stems(cue)):
                    bag[stem] += 2
            self.words[code] = bag
            unit = str(row.get("unit", "") or "")
            label = units.at[unit, "label"] if units is not None and unit in units.index else ""
            self.units[code] = set(stems(f"{unit} {label}"))
        users = Counter(stem for bag in self.words.values() for stem in bag)
        self.weight = {s: math.log((1 + len(self.words)) / n) + 0.1 for s, n in users.items()}

    def scores(self, passage: str) -> dict[str, float]:
        """Every code's score for ``passage`` (0 when it shares no weighted stem)."""
        found = set(stems(passage))
        return {
            code: sum(count * self.weight[s] for s, count in bag.items() if s in found)
            for code, bag in self.words.items()
        }

    def count_scores(self, passage: str, noun: str) -> dict[str, float]:
        """Scores for a figure: the passage's words, plus 3 when the counted ``noun``
        (the words after the number) names the code's unit or its label's words."""
        scores = self.scores(passage)
        counted = set(stems(noun))
        for code in scores:
            label = {s for s, n in self.words[code].items() if n >= 2}
            if counted & (self.units[code] | label):
                scores[code] += 3
        return scores

    @staticmethod
    def pick(scores: dict[str, float], minimum: float = 0.0) -> tuple[str | None, float]:
        """The highest-scoring code and its score; ``None`` if no score passes ``minimum``."""
        if not scores:
            return None, 0.0
        code = max(scores, key=lambda c: scores[c])
        return (code, scores[code]) if scores[code] > minimum else (None, scores[code])

    def best(self, passage: str, minimum: float = 0.0) -> tuple[str | None, float]:
        """The highest-scoring code for ``passage``; ``None`` if none passes ``minimum``."""
        return self.pick(self.scores(passage), minimum)
