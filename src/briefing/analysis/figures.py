"""Figures: what was counted, by whom and when, in the claimant's own words.

A figure is a claim with a quantity. It counts one **indicator** (``indicators.csv``:
troops in a region, people killed, shells shipped, ...): ranges, extremes and what moved
compare figures of one indicator only. Readers always see ``figure_text``, the figure as
the claimant stated it; the bounds place it on a chart and order it. An open bound ("more
than 3,000") is never the highest figure, an upper bound alone ("up to 12,000") never the
lowest, and a bracket that is the analyst's coding ("several dozens") is compared with
nothing (:mod:`briefing.figure_text`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import IMPROBABLE, LIMITS, most_recent, sort_order, sort_rows, with_dates
from .wording import capped, day, have_been, join_names, plural

COLUMNS = [
    "claim_id",
    "actor",
    "actor_id",
    "actor_root",
    "claimant_country",
    "claim_date",
    "source_published",
    "said",
    "indicator",
    "indicator_label",
    "unit",
    "figure_status",
    "figure_text",
    "quantity_low",
    "quantity_high",
    "bound",
    "coded",
    "info_credibility",
    "grade",
]


#: The claims' columns :func:`figures` reads (``said`` and ``source_published`` it adds).
FIGURE_INPUTS = [c for c in COLUMNS if c not in ("said", "source_published")] + ["source_id"]


def figures(claims: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Every claim with a quantity, oldest first (by the date said, then claim id).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`; ``said`` is the claim's date, or its source's when undated.
    """
    wanted = claims["quantity_low"].notna() | claims["quantity_high"].notna()
    counted = claims.loc[wanted, FIGURE_INPUTS]  # only what is read: no long text copied
    dated = with_dates(counted, sources)
    return sort_rows(dated, ["said", "claim_id"])[COLUMNS].reset_index(drop=True)


def headline(figs: pd.DataFrame, indicators: pd.DataFrame, chosen: list[str]) -> list[str]:
    """The indicators a briefing headlines: ``chosen`` (in its order) when given, else
    every indicator with figures, in the register's order."""
    if chosen:
        return [indicator for indicator in chosen if indicator in indicators.index]
    present = set(figs["indicator"].tolist())
    return [indicator for indicator in indicators.index if indicator in present]


def of_indicator(figs: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The figures of one indicator."""
    return figs[figs["indicator"] == indicator].reset_index(drop=True)


def credible(figs: pd.DataFrame) -> pd.DataFrame:
    """Figures whose information credibility is better than improbable (1 to 4)."""
    return figs[_credible(figs)]


def comparable(figs: pd.DataFrame) -> pd.DataFrame:
    """Figures that may be compared: credible, and bounds stated by the claimant."""
    return figs[_comparable(figs)]


def _credible(figs: pd.DataFrame) -> np.ndarray:
    """Which of ``figs`` are credible (:func:`credible`)."""
    return (figs["info_credibility"].fillna(0) < IMPROBABLE).to_numpy()


def _comparable(figs: pd.DataFrame) -> np.ndarray:
    """Which of ``figs`` may be compared (:func:`comparable`)."""
    return _credible(figs) & ~figs["coded"].astype(bool).to_numpy()


def _bounded(figs: pd.DataFrame, bound: str) -> np.ndarray:
    """The positions in ``figs`` of the comparable figures that state ``bound``
    (``quantity_low`` or ``quantity_high``), ordered by it, then by the date said: found
    on those two columns, no row of the rest copied (a million figures, for one)."""
    at = np.flatnonzero(_comparable(figs) & figs[bound].notna().to_numpy())
    return at[sort_order(figs[[bound, "said"]].iloc[at], [bound, "said"])]


def highest(figs: pd.DataFrame):
    """The comparable figure with the highest upper bound (the latest of equals), or None.

    A lower bound alone ("more than 3,000") has no upper bound, so it is never the highest.
    """
    closed = _bounded(figs, "quantity_high")
    return None if len(closed) == 0 else figs.iloc[closed[-1]]


def lowest(figs: pd.DataFrame):
    """The comparable figure with the lowest lower bound (the earliest of equals), or None.

    An upper bound alone ("up to 12,000") has no lower bound, so it is never the lowest.
    """
    floored = _bounded(figs, "quantity_low")
    return None if len(floored) == 0 else figs.iloc[floored[0]]


def phrase(row, statuses: pd.DataFrame) -> str:
    """``more than 3,000 (sent; John Kirby, US, 25 Oct 2024)``: the words, status, who, when."""
    status = statuses["label"].get(row["figure_status"], row["figure_status"])
    return (
        f"{row['figure_text']} ({status}; {row['actor']}, {row['claimant_country']}, "
        f"{day(row['said'])})"
    )


def improbable_note(figs: pd.DataFrame) -> str:
    """`` 1 figure graded improbable is not compared (C0141).`` or nothing."""
    doubtful = figs[figs["info_credibility"].fillna(0) >= IMPROBABLE]
    if doubtful.empty:
        return ""
    ids = ", ".join(capped(list(doubtful["claim_id"]), LIMITS["links"]))
    verb = "is" if len(doubtful) == 1 else "are"
    return f" {plural(len(doubtful), 'figure')} graded improbable {verb} not compared ({ids})."


def coded_note(figs: pd.DataFrame) -> str:
    """`` "several dozens" (C0152) is given in words only and is not compared.`` or nothing."""
    coded = credible(figs)
    coded = coded[coded["coded"].astype(bool)]
    if coded.empty:
        return ""
    named = join_names(f"\u201c{r.figure_text}\u201d ({r.claim_id})" for r in coded.itertuples())
    verb = "is" if len(coded) == 1 else "are"
    return f" {named} {verb} given in words only and not compared."


def range_sentence(figs: pd.DataFrame, label: str, statuses: pd.DataFrame) -> str:
    """A sentence on one indicator's figures: how many, the lowest and the highest.

    Parameters
    ----------
    figs : pandas.DataFrame
        The figures of one indicator (:func:`of_indicator`).
    label : str
        The indicator's label, as the register gives it.
    statuses : pandas.DataFrame
        The ``figure_statuses`` codebook.
    """
    if figs.empty:
        return f"No figures have been given for {label}."
    notes = improbable_note(figs) + coded_note(figs)
    low, high = lowest(figs), highest(figs)
    counted = len(comparable(figs))
    if not counted:
        return f"No figure for {label} can be compared.{notes}"
    parts = []
    if low is not None and high is not None and low["claim_id"] == high["claim_id"]:
        parts.append(phrase(low, statuses))  # one figure: no lowest and highest
    else:
        if low is not None:
            parts.append(f"the lowest is {phrase(low, statuses)}")
        if high is not None:
            parts.append(f"the highest is {phrase(high, statuses)}")
    open_ended = comparable(figs)["bound"].eq("at_least").sum()
    if open_ended:
        parts.append(
            f"{plural(int(open_ended), 'figure')} only {'sets' if open_ended == 1 else 'set'} "
            "a lower bound"
        )
    return f"For {label}, {have_been(counted, 'figure')} given: " + "; ".join(parts) + f".{notes}"


def extremes_sentence(figs: pd.DataFrame, label: str, statuses: pd.DataFrame) -> str | None:
    """The bottom line's sentence on one indicator: from the lowest to the highest figure.

    ``None`` when no figure can be compared.
    """
    low, high = lowest(figs), highest(figs)
    if low is None and high is None:
        return None
    if low is None or high is None or low["claim_id"] == high["claim_id"]:
        only = high if high is not None else low
        return f"{_initial(label)}: {phrase(only, statuses)}."
    return f"{_initial(label)}: from {phrase(low, statuses)} to {phrase(high, statuses)}."


def _initial(label: str) -> str:
    """A label to open a sentence: its first letter upper case, the rest as written."""
    return label[:1].upper() + label[1:]


def figures_table(figs: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """The figures as a reader's table: who, when, status, the figure as stated, grade."""
    return pd.DataFrame(
        {
            "Claim": figs["claim_id"],
            "Who": figs["actor"],
            "Country": figs["claimant_country"],
            "Said": figs["claim_date"].map(day),
            "Reported": figs["source_published"].map(day),
            "Status": figs["figure_status"].map(lambda s: statuses["label"].get(s, s)),
            "Figure as stated": figs["figure_text"],
            "Grade": figs["grade"],
        }
    )


def shown(figs: pd.DataFrame, limit: int = LIMITS["figures"]) -> pd.DataFrame:
    """The figures a chart and table can show: all, or the ``limit`` most recent."""
    return most_recent(figs, limit, by=("said", "claim_id")).reset_index(drop=True)


def latest_by_actor(figs: pd.DataFrame) -> pd.DataFrame:
    """Each actor's most recent figure of each indicator."""
    ordered = sort_rows(figs, ["said", "source_published", "claim_id"])
    return ordered.drop_duplicates(["indicator", "actor_id", "actor"], keep="last")


def latest(figs: pd.DataFrame) -> pd.DataFrame:
    """The most recent comparable figure per (indicator, status), by report date then claim."""
    ordered = sort_rows(comparable(figs), ["source_published", "said", "claim_id"])
    keys = ["indicator", "figure_status"]
    return ordered.drop_duplicates(keys, keep="last").set_index(keys)


def with_who(row) -> str:
    """``more than 3,000 (John Kirby, US, 25 Oct 2024)``: a figure with who gave it, when."""
    return f"{row['figure_text']} ({row['actor']}, {row['claimant_country']}, {day(row['said'])})"
