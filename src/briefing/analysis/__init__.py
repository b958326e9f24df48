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
    published = _looked_up(claims["source_id"], sources["source_id"], sources["published"])
    return claims.assign(source_published=published, said=claims["claim_date"].fillna(published))


def _looked_up(keys: pd.Series, index: pd.Series, values: pd.Series) -> pd.Series:
    """``keys.map(values.set_axis(index))`` (missing where a key is not in ``index``, whose
    keys are unique): for text keys in Arrow, looked up by Arrow, which hashes a million
    source ids without making Python objects of them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    textual = [isinstance(c.dtype, pd.StringDtype) and c.dtype.storage == "pyarrow"
               for c in (keys, index)]  # fmt: skip
    if not all(textual):
        return keys.map(values.set_axis(index))
    found = pc.index_in(pa.array(keys.array), value_set=pa.array(index.array))
    at = pc.fill_null(found, len(index)).to_numpy()  # missing: the row appended below
    missing = values.iloc[:0].reindex([0])  # one missing value of the column's type
    padded = pd.concat([values, missing], ignore_index=True)
    return pd.Series(padded.to_numpy()[at], index=keys.index, dtype=values.dtype)


def sort_order(frame: pd.DataFrame, by, ascending=True):
    """The positions of ``frame``'s rows in the order of ``frame.sort_values(by, ascending=
    ascending, kind="stable")`` (missing values last), found by Arrow's stable sort: pandas
    makes categories of every text key first, seconds for a million claim ids."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    by = [by] if isinstance(by, str) else list(by)
    orders = ascending if isinstance(ascending, (list, tuple)) else [ascending] * len(by)
    try:
        keys = pa.table({str(n): pa.array(frame[k], from_pandas=True) for n, k in enumerate(by)})
    except (pa.ArrowException, TypeError, ValueError):  # mixed values: as pandas sorts them
        ordered = frame.reset_index(drop=True).sort_values(by, ascending=orders, kind="stable")
        return ordered.index.to_numpy()
    if len(frame) == 0:
        return np.arange(0)
    sort_keys = [(str(n), "ascending" if up else "descending") for n, up in enumerate(orders)]
    return pc.sort_indices(keys, sort_keys=sort_keys).to_numpy()  # missing last, as pandas


def grouped_lists(frame: pd.DataFrame, keys: list[str], column: str) -> pd.DataFrame:
    """``frame.groupby(keys, sort=True)[column].agg(list).reset_index()``: a row per
    group, in the keys' order, and the list of its ``column`` values in table order (rows
    with a missing key left out); grouped by the keys' codes and one stable sort, not a
    Python call per group (tens of thousands of groups at a million claims)."""
    import itertools

    import numpy as np

    codes = [pd.factorize(frame[key], sort=True)[0] for key in keys]
    present = np.flatnonzero(np.logical_and.reduce([code >= 0 for code in codes]))
    order = present[np.lexsort([code[present] for code in reversed(codes)])]
    ordered = np.stack([code[order] for code in codes])
    changes = (ordered[:, 1:] != ordered[:, :-1]).any(axis=0)
    starts = np.flatnonzero(np.concatenate([[len(order) > 0], changes]))
    values = frame[column].iloc[order].tolist()
    bounds = [*starts.tolist(), len(order)]  # each group's first row, then the end
    grouped = frame[keys].iloc[order[starts]].reset_index(drop=True)
    lists = [values[a:b] for a, b in itertools.pairwise(bounds)]
    grouped[column] = pd.Series(lists, dtype=object)
    return grouped


def sort_rows(frame: pd.DataFrame, by, ascending=True) -> pd.DataFrame:
    """``frame.sort_values(by, ascending=ascending, kind="stable")``, by :func:`sort_order`."""
    return frame.iloc[sort_order(frame, by, ascending)]


def most_recent(frame: pd.DataFrame, limit: int, by=("source_published",)) -> pd.DataFrame:
    """The ``limit`` most recent rows of ``frame`` (all of them when there are fewer),
    kept in their original order."""
    if len(frame) <= limit:
        return frame
    keep = frame.index[sort_order(frame, by)[-limit:]]
    return frame.loc[frame.index.isin(keep)]
