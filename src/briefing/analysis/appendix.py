"""The appendix: every claim, grouped by source, and those the PDF prints.

The HTML lists every claim known on the briefing's date, at any size. The PDF keeps a page
budget: it prints the claims the briefing cites and those new since the date compared with,
topped up with the most recent to at least ``LIMITS["printed_least"]`` and never more than
``LIMITS["printed"]`` (cited first, then new, then recent, when they do not all fit); the
rest are in the ``claims.csv`` attached to it. One more claim never removes more than one
claim from the printed appendix: it raises the budget by at most one, or takes one place.
"""

from __future__ import annotations

import pandas as pd

from . import LIMITS, with_dates
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
    first = claims["claim_id"].isin(cited).astype(int) * 2 + claims["claim_id"].isin(new)
    budget = min(budget, max(least, int((first > 0).sum())))
    if len(claims) <= budget:
        return set(claims["claim_id"].tolist())
    dated = with_dates(claims, sources)
    rank = first
    ordered = dated.assign(_rank=rank).sort_values(
        ["_rank", "source_published", "said", "claim_id"],
        ascending=[False, False, False, False],
        kind="stable",
    )
    return set(ordered["claim_id"].iloc[:budget].tolist())


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


def claims_by_source(claims: pd.DataFrame, sources: pd.DataFrame):
    """Yield ``(source row, positions of its claims)`` for every source that has claims.

    The positions index ``claims`` (and :func:`claims_table` of it): at a hundred thousand
    claims over thousands of sources, the appendix is built once for all claims and sliced
    per source, since a table per source would cost more than the rows themselves.
    """
    positions = claims.groupby("source_id", sort=False).indices
    for source in sources[sources["source_id"].isin(positions)].itertuples():
        yield source, positions[source.source_id]


def grade_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims by Admiralty grade: reliability A–F (rows) by credibility 1–6 (columns)."""
    counts = pd.crosstab(claims["source_reliability"], claims["info_credibility"])
    return counts.reindex(index=list("ABCDEF"), columns=range(1, 7), fill_value=0)
