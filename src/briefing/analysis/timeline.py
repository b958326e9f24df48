"""The timeline: dated events (the analyst's) and dated statements (the claims')."""

from __future__ import annotations

import pandas as pd

from . import grouped_lists


def timeline(
    events: pd.DataFrame, claims: pd.DataFrame, recent_days: int | None = None
) -> pd.DataFrame:
    """Dated events and dated statements, oldest first.

    Statements are claims with a known ``claim_date``, one row per actor and day; with
    ``recent_days``, only those of the most recent days with statements (as many days as
    rows a capped timeline shows), so that large tables stay cheap.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``precision`` (day, month or year), ``kind`` (event or statement),
        ``label`` and ``claim_ids`` (list).
    """
    rows = [
        {
            "date": e.date,
            "precision": e.date_precision,
            "kind": "event",
            "label": e.event,
            "claim_ids": e.claim_ids,
        }
        for e in events.itertuples()
    ]
    keys = ["claim_date", "actor", "claimant_country"]
    dated = claims[[*keys, "claim_id"]]  # only what the rows show: cheap to filter
    dated = dated[dated["claim_date"].notna()]
    if recent_days is not None:  # only the statements a capped timeline can show
        days = dated["claim_date"].drop_duplicates().sort_values().iloc[-recent_days:]
        dated = dated[dated["claim_date"].isin(days)]
    said = grouped_lists(dated, keys, "claim_id")
    rows += [
        {
            "date": day,
            "precision": "day",
            "kind": "statement",
            "label": f"{who} ({country}): {len(ids)} claim(s)",
            "claim_ids": ids,
        }
        for day, who, country, ids in said[[*keys, "claim_id"]].itertuples(index=False)
    ]
    frame = pd.DataFrame(rows, columns=["date", "precision", "kind", "label", "claim_ids"])
    return frame.sort_values(["date", "kind"], kind="stable", ignore_index=True)
