"""The briefing's analysis: DataFrame in, DataFrame or value out, one module per question.

- :mod:`.figures`: what was counted, by whom and when, as the claimant stated it;
- :mod:`.stances`: who asserts and who denies what, and which denials still stand;
- :mod:`.corroboration`: how many independent actors support each judgment;
- :mod:`.judgments`: the key judgments, whether they are current, and the open gaps;
- :mod:`.timeline`: dated events and statements;
- :mod:`.changes`: what changed between two dates;
- :mod:`.appendix`: every claim by source, and those the PDF prints;
- :mod:`.summary`: the bottom line;
- :mod:`.wording`: dates, counts and plurals as the briefing writes them.

Nothing here names a subject: what is counted comes from ``indicators.csv``, who speaks
from ``actors.csv``, and which indicators lead from the notebook.
"""

from __future__ import annotations

import pandas as pd

#: How much a briefing shows before it summarises: beyond these, the most recent or most
#: cited items are shown and the rest counted (the full claims table is attached).
LIMITS = {
    "figures": 20,
    "timeline": 40,
    "claimants": 30,
    "printed": 120,  # claims the PDF prints at most
    "printed_least": 70,  # ... and at least, topping the cited and new up with recent ones
    "list": 12,
    "links": 8,
    "denials": 15,
}

#: Figures graded improbable (5) or worse are shown, but never counted in ranges or as the
#: current figure.
IMPROBABLE = 5


def among(column: pd.Series, values) -> pd.Series:
    """``column.isin(values)``, fast for text columns and many values (a million claim ids):
    pandas makes a Python object of every value first; Arrow compares them as they are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = column.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return column.isin(values)
    if isinstance(values, (set, frozenset, dict)):
        values = list(values)
    known = pa.array(pd.Series(values, dtype=dtype).array).cast(pa.large_string())
    found = pc.is_in(pa.array(column.array).cast(pa.large_string()), value_set=known)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=column.index)


def cited_mask(ids: pd.Series, id_lists) -> pd.Series:
    """Whether each of ``ids`` is one that any of ``id_lists`` (lists of claim ids, as
    judgments, gaps and events cite them) holds: the few cited, found among a million ids
    without a set or an index of them all."""
    return among(ids, {claim for listed in id_lists for claim in listed})


def cited_rows(claims: pd.DataFrame, id_lists) -> pd.DataFrame:
    """The rows of ``claims`` that ``id_lists`` cite (:func:`cited_mask`), indexed by
    ``claim_id`` (a lookup in an index of a million ids costs milliseconds each)."""
    return claims[cited_mask(claims["claim_id"], id_lists).to_numpy()].set_index("claim_id")


def with_dates(claims: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """``claims`` with ``source_published`` (its source's date) and ``said`` (the claim's
    date, or its source's when the claim is undated)."""
    published = claims["source_id"].map(sources.set_index("source_id")["published"])
    return claims.assign(source_published=published, said=claims["claim_date"].fillna(published))


def most_recent(frame: pd.DataFrame, limit: int, by=("source_published",)) -> pd.DataFrame:
    """The ``limit`` most recent rows of ``frame`` (all of them when there are fewer),
    kept in their original order."""
    if len(frame) <= limit:
        return frame
    keep = frame.sort_values(list(by), kind="stable").index[-limit:]
    return frame.loc[frame.index.isin(keep)]
