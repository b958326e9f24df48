"""Corroboration: how many independent actors, countries and sources support a judgment.

Spellings never count: claims are counted by **actor** (``actors.csv``), and independence
by **root** (the government or body an actor speaks for): a spokesman and his government
are one root. The unknown country ``XX`` is no country. What contradicts a judgment are
the denials that still stand on the topics of its claims.
"""

from __future__ import annotations

import pandas as pd

from . import cited_rows
from .stances import cited_or_counted, standing

COLUMNS = ["judgment_id", "claims", "actors", "roots", "countries", "sources", "contradicted_by"]


def corroboration(judgments: pd.DataFrame, claims: pd.DataFrame, denied: pd.DataFrame):
    """For each key judgment: the claims, actors, roots, countries and sources behind it.

    Parameters
    ----------
    judgments, claims : pandas.DataFrame
        Judgments in force and the claims known.
    denied : pandas.DataFrame
        From :func:`briefing.analysis.stances.denials`.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`; ``contradicted_by`` lists standing denials on the judgment's topics.
    """
    indexed = cited_rows(claims, judgments["claim_ids"])
    stands = standing(denied)
    rows = []
    for judgment in judgments.itertuples():
        cited = indexed.loc[[c for c in judgment.claim_ids if c in indexed.index]]
        actor = cited["actor_id"].fillna(cited["actor"])
        root = cited["actor_root"].fillna(actor)
        denying = stands[
            stands["topic_code"].isin(cited["topic"]) & ~stands["claim_id"].isin(judgment.claim_ids)
        ]
        rows.append(
            {
                "judgment_id": judgment.judgment_id,
                "claims": len(cited),
                "actors": actor.nunique(),
                "roots": root.nunique(),
                "countries": len(set(cited["claimant_country"]) - {"XX"}),
                "sources": cited["source_id"].nunique(),
                "contradicted_by": list(denying["claim_id"]),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def corroboration_table(support: pd.DataFrame) -> pd.DataFrame:
    """Corroboration as a reader's table (``Contradicted by`` holds lists of claim ids)."""
    return pd.DataFrame(
        {
            "Judgment": support["judgment_id"],
            "Claims": support["claims"],
            "Actors": support["actors"],
            "Independent": support["roots"],
            "Countries": support["countries"],
            "Sources": support["sources"],
            "Contradicted by": [
                cited_or_counted(ids, len(ids)) for ids in support["contradicted_by"]
            ],
        }
    )
