"""Pure analysis functions: DataFrame in, DataFrame or value out."""

from __future__ import annotations

import pandas as pd

FIGURE_COLUMNS = [
    "claim_id", "claimant", "claimant_country", "claim_date", "source_published",
    "figure_status", "quantity_low", "quantity_high", "grade",
]  # fmt: skip


def newest_date(sources: pd.DataFrame) -> str:
    """The newest publication date among the sources, as ``YYYY-MM-DD``."""
    return sources["published"].max().date().isoformat()


def troop_figures(claims: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Every claimed troop figure, lowest upper bound first.

    Parameters
    ----------
    claims : pandas.DataFrame
        Typed claims from :func:`briefing.claims.load_claims`.
    sources : pandas.DataFrame
        Sources from :func:`briefing.sources.load_sources`.

    Returns
    -------
    pandas.DataFrame
        One row per claim counting troops, with :data:`FIGURE_COLUMNS`;
        ``source_published`` is the date of the source that reports it.
    """
    published = sources.set_index("source_id")["published"]
    counted = claims[(claims["unit"] == "troops") & claims["quantity_high"].notna()].copy()
    counted["source_published"] = counted["source_id"].map(published)
    order = ["quantity_high", "quantity_low", "claim_id"]
    return counted.sort_values(order, na_position="first")[FIGURE_COLUMNS].reset_index(drop=True)


def format_count(low, high) -> str:
    """``1,500``, ``up to 12,000`` or ``10,000–12,000`` from a low and high bound."""
    if pd.isna(low):
        return f"up to {int(high):,}"
    if low == high:
        return f"{int(low):,}"
    return f"{int(low):,}\u2013{int(high):,}"


def figure_range_sentence(figures: pd.DataFrame, statuses: pd.DataFrame) -> str:
    """A sentence stating the range of troop figures and who gave the highest.

    Parameters
    ----------
    figures : pandas.DataFrame
        From :func:`troop_figures`.
    statuses : pandas.DataFrame
        The ``figure_statuses`` codebook (its ``label`` is shown).

    Returns
    -------
    str
    """
    if figures.empty:
        return "No troop figures have been claimed."
    lowest = figures["quantity_low"].fillna(figures["quantity_high"]).min()
    top = figures.iloc[-1]
    status = statuses["label"].get(top["figure_status"], top["figure_status"])
    highest = format_count(top["quantity_low"], top["quantity_high"])
    return (
        f"{len(figures)} troop figures have been claimed, ranging from {int(lowest):,} to "
        f"{int(top['quantity_high']):,}; the highest, {highest} troops ({status}), comes from "
        f"{top['claimant']} ({top['claimant_country']})."
    )


def _day(value) -> str:
    """``23 Oct 2024`` for a timestamp; blank when unknown."""
    return "" if pd.isna(value) else f"{value:%-d}\u00a0{value:%b}\u00a0{value:%Y}"


def figures_table(figures: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """The troop figures as a reader's table: who, when, what status, how many, graded.

    Parameters
    ----------
    figures : pandas.DataFrame
        From :func:`troop_figures`.
    statuses : pandas.DataFrame
        The ``figure_statuses`` codebook.

    Returns
    -------
    pandas.DataFrame
        Columns Claim, Claimant, Country, Said, Reported, Status, Troops, Grade.
    """
    return pd.DataFrame(
        {
            "Claim": figures["claim_id"],
            "Claimant": figures["claimant"],
            "Country": figures["claimant_country"],
            "Said": figures["claim_date"].map(_day),
            "Reported": figures["source_published"].map(_day),
            "Status": figures["figure_status"].map(lambda s: statuses["label"].get(s, s)),
            "Troops": [
                format_count(lo, hi)
                for lo, hi in zip(figures["quantity_low"], figures["quantity_high"], strict=True)
            ],
            "Grade": figures["grade"],
        }
    )


def claims_by_source(claims: pd.DataFrame, sources: pd.DataFrame):
    """Yield ``(source row, claims table)`` for every source that has claims.

    The claims table has the columns Claim, Grade, Claimant, Said, Statement, Quote.
    """
    for source in sources.itertuples():
        rows = claims[claims["source_id"] == source.source_id]
        if rows.empty:
            continue
        yield (
            source,
            pd.DataFrame(
                {
                    "Claim": rows["claim_id"],
                    "Grade": rows["grade"],
                    "Claimant": rows["claimant"],
                    "Said": rows["claim_date"].map(_day),
                    "Statement": rows["statement"],
                    "Quote": rows["quote"],
                }
            ),
        )
