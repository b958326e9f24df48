"""Key judgments: as readers see them, whether they are current, and the open gaps.

A judgment row's ``valid_from`` is the day it was last reviewed. On the briefing's date a
judgment is

- **lapsed** when its optional ``expires_on`` is past;
- **flagged** when it was last reviewed more than ``review_days`` before and newer claims
  bear on it (claims first published after the review, on the topics or indicators of the
  claims it cites): "not reviewed since D; K newer claims bear on it";
- **current** otherwise.

The bottom line never leads with a flagged or lapsed judgment as if it were current.
"""

from __future__ import annotations

import pandas as pd

from . import among, cited_rows, sort_order, with_dates
from .wording import day, plural


def likelihood_label(code: str, words: pd.DataFrame) -> str:
    """``likely (55–80%)`` from an ICD 203 code and the estimative-words codebook."""
    if code not in words.index:
        return code
    row = words.loc[code]
    return f"{code} ({row['probability_low']}\u2013{row['probability_high']}%)"


def review(
    judgments: pd.DataFrame, claims: pd.DataFrame, sources, as_of, review_days: int
) -> pd.DataFrame:
    """The judgments in force with their state on ``as_of`` (see the module's docstring).

    Returns
    -------
    pandas.DataFrame
        The judgments plus ``state`` (current, flagged, lapsed) and ``newer_claims`` (the
        ids of newer claims that bear on a flagged judgment, oldest first).
    """
    as_of = pd.Timestamp(as_of)
    used = claims[["claim_id", "source_id", "claim_date", "topic", "indicator"]]
    dated = with_dates(used, sources)
    indexed = cited_rows(dated, judgments["claim_ids"])
    published = dated["source_published"].to_numpy()
    topics_of, measures_of = _codes(dated["topic"]), _codes(dated["indicator"])
    states, newer = [], []
    for judgment in judgments.itertuples():
        cited = indexed.loc[[c for c in judgment.claim_ids if c in indexed.index]]
        topics = set(cited["topic"].tolist())
        measures = set(cited["indicator"].dropna().tolist()) - {""}
        bearing = (
            (published > judgment.valid_from.to_datetime64())
            & (topics_of(topics) | measures_of(measures))
            & ~among(dated["claim_id"], judgment.claim_ids).to_numpy()
        )  # a mask: no copy of a million rows per judgment
        stale = (as_of - judgment.valid_from).days > review_days
        expires = getattr(judgment, "expires_on", pd.NaT)
        if pd.notna(expires) and as_of > expires:
            states.append("lapsed")
        elif stale and bearing.any():
            states.append("flagged")
        else:
            states.append("current")
        if stale:  # listed oldest first
            found = dated.loc[bearing, ["source_published", "claim_id"]]
            newer.append(found["claim_id"].to_numpy()[sort_order(found, list(found))].tolist())
        else:
            newer.append([])
    return judgments.assign(state=states, newer_claims=newer).reset_index(drop=True)


def _codes(column: pd.Series):
    """A test of ``column``'s values against a set, made once: ``among(values)`` is whether
    each row's value is one of them (missing never), compared as numbers, not texts."""
    import numpy as np

    codes, names = pd.factorize(column)

    def among_(values: set) -> np.ndarray:
        return np.isin(codes, [n for n, name in enumerate(names) if name in values])

    return among_


def review_note(row) -> str:
    """``Not reviewed since 16 Dec 2024; 12 newer claims bear on it.`` for a flagged one."""
    if row["state"] == "lapsed":
        return f"Lapsed: its horizon was {day(row['expires_on'])}."
    if row["state"] != "flagged":
        return ""
    count = len(row["newer_claims"])
    bear = "bears" if count == 1 else "bear"
    return (
        f"Not reviewed since {day(row['valid_from'])}; {plural(count, 'newer claim')} {bear} on it."
    )


def key_judgments(reviewed: pd.DataFrame, words: pd.DataFrame) -> pd.DataFrame:
    """The key judgments as shown to readers, in the analysts' order.

    Returns
    -------
    pandas.DataFrame
        ``judgment_id``, ``text``, ``likelihood`` (with its probability range),
        ``confidence``, ``claim_ids`` (a list), ``state``, ``note`` (why it is flagged or
        lapsed) and ``newer_claims``.
    """
    return pd.DataFrame(
        {
            "judgment_id": reviewed["judgment_id"],
            "text": reviewed["text"],
            "likelihood": [likelihood_label(c, words) for c in reviewed["likelihood"]],
            "confidence": reviewed["confidence"],
            "claim_ids": reviewed["claim_ids"],
            "state": reviewed["state"],
            "note": [review_note(row) for row in reviewed.to_dict("records")],
            "newer_claims": reviewed["newer_claims"],
        }
    ).reset_index(drop=True)


def lead_judgments(reviewed: pd.DataFrame, words: pd.DataFrame) -> pd.DataFrame:
    """Current judgments in the order a bottom line takes them: the newest first (the latest
    assessment is the news), then the more likely, then by id."""
    current = reviewed[reviewed["state"] == "current"] if "state" in reviewed else reviewed
    if current.empty:
        return current
    high = current["likelihood"].map(lambda c: float(words["probability_high"].get(c, 0)))
    ordered = current.assign(_high=high).sort_values(
        ["valid_from", "_high", "judgment_id"], ascending=[False, False, True], kind="stable"
    )
    return ordered.drop(columns="_high")


def open_gaps(gaps: pd.DataFrame) -> pd.DataFrame:
    """Intelligence gaps still open (no ``closed_on``), in the analysts' order."""
    return gaps[gaps["closed_on"].isna()].reset_index(drop=True)


def gaps_table(gaps: pd.DataFrame) -> pd.DataFrame:
    """Intelligence gaps as a reader's table (``Raised by`` holds lists of claim ids)."""
    return pd.DataFrame(
        {
            "Gap": gaps["gap_id"],
            "Question": gaps["question"],
            "Open since": gaps["valid_from"].map(day),
            "Raised by": gaps["claim_ids"],
        }
    )
