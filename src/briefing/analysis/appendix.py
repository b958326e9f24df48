"""The appendix: every claim, grouped by source, and those the PDF prints.

The HTML lists every claim known on the briefing's date, at any size. The PDF keeps a page
budget: it prints the claims the briefing cites and those new since the date compared with,
topped up with the most recent to at least ``LIMITS["printed_least"]`` and never more than
``LIMITS["printed"]`` (cited first, then new, then recent, when they do not all fit); the
rest are in the ``claims.csv`` attached to it. One more claim never removes more than one
claim from the printed appendix: it raises the budget by at most one, or takes one place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import LIMITS, among, sort_order, with_dates
from .wording import day


def printed_claims(
    claims: pd.DataFrame,
    sources: pd.DataFrame,
    cited: set,
    new: set,
    budget: int = LIMITS["printed"],
    least: int = LIMITS["printed_least"],
) -> set[str]:
    """The ids of the claims the PDF prints (see the module's docstring): at most
    ``budget``, at least ``least`` (or all, when fewer are known)."""
    ids = claims["claim_id"]
    first = among(ids, cited).astype(int) * 2 + among(ids, new)
    budget = min(budget, max(least, int((first > 0).sum())))
    if len(claims) <= budget:
        return set(claims["claim_id"].tolist())
    dated = with_dates(claims[["claim_id", "source_id", "claim_date"]], sources)
    order = sort_order(
        dated.assign(_rank=first), ["_rank", "source_published", "said", "claim_id"], False
    )
    return set(dated["claim_id"].iloc[order[:budget]].tolist())


def claims_table(claims: pd.DataFrame) -> pd.DataFrame:
    """The appendix's table of claims: Claim, Grade, Who, Said, Statement, Quote."""
    said = claims["claim_date"]
    return pd.DataFrame(
        {
            "Claim": claims["claim_id"],
            "Grade": claims["grade"],
            "Who": claims["actor"],
            "Said": said.map({d: day(d) for d in said.dropna().unique()}),
            "Statement": claims["statement"],
            "Quote": claims["quote"],
        }
    )


#: The columns of the claims that :func:`claims_table` and :func:`claims_by_source` read.
LISTED_COLUMNS = ["claim_id", "source_id", "grade", "actor", "claim_date", "statement", "quote"]
#: Claims made into appendix rows at a time: a batch of sources holds about this many.
BATCH_CLAIMS = 20_000


def claims_by_source(claims: pd.DataFrame, sources: pd.DataFrame, batch: int = BATCH_CLAIMS):
    """Yield ``(claims of a batch of sources, [(source row, positions of its claims)])``, for
    every source that has claims, in the order of ``sources``.

    The positions index the batch (and :func:`claims_table` of it): at a million claims
    over thousands of sources, the rows are built a batch at a time and sliced per source,
    since a table per source would cost more than the rows themselves, and one table of all
    claims would hold every row in memory at once.
    """
    positions = claims.groupby("source_id", sort=False).indices
    group: list = []
    size = 0
    for source in sources[sources["source_id"].isin(positions)].itertuples():
        group.append((source, positions[source.source_id]))
        size += len(group[-1][1])
        if size >= batch:
            yield _batch(claims, group)
            group, size = [], 0
    if group:
        yield _batch(claims, group)


def _batch(claims: pd.DataFrame, group: list):
    """The claims of a group of ``(source, positions)`` and each source's positions in them."""
    starts = np.cumsum([0] + [len(at) for _, at in group])
    rows = claims.iloc[np.concatenate([at for _, at in group])]
    return rows, [(source, range(start, start + len(at)))
                  for (source, at), start in zip(group, starts, strict=False)]  # fmt: skip


def grade_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims by Admiralty grade: reliability A–F (rows) by credibility 1–6 (columns)."""
    counts = pd.crosstab(claims["source_reliability"], claims["info_credibility"])
    return counts.reindex(index=list("ABCDEF"), columns=range(1, 7), fill_value=0)
