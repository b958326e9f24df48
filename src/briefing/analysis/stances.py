"""Stances: who asserts and who denies what, and which denials still stand.

A denial stands until the same actor, or an actor with the same root (the government or
body it speaks for, :mod:`briefing.actors`), asserts on the same topic later: from then on
it is **withdrawn**, by that claim and on that date. Assertions by other roots on the
topic contradict it.
"""

from __future__ import annotations

import bisect

import pandas as pd

from . import LIMITS, with_dates
from .wording import capped, day, join_names, who

DENIAL_COLUMNS = [
    "claim_id",
    "actor",
    "claimant_country",
    "topic",
    "topic_code",
    "statement",
    "said",
    "contradicted_count",
    "contradicted_by",
    "state",
    "withdrawn_by",
    "withdrawn_on",
]


def _root(frame: pd.DataFrame) -> pd.Series:
    """Each claim's root actor (the actor itself when it has none, the name if unresolved)."""
    return frame["actor_root"].fillna(frame["actor_id"]).fillna(frame["actor"])


def denials(claims: pd.DataFrame, sources: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """Every denial, whether it stands, and what contradicts it, in table order.

    Returns
    -------
    pandas.DataFrame
        :data:`DENIAL_COLUMNS`: ``topic`` is the label, ``state`` ``standing`` or
        ``withdrawn`` (then ``withdrawn_by`` is the claim id and ``withdrawn_on`` its date);
        ``contradicted_by`` lists the asserting claims of other roots, only when there are
        at most ``LIMITS["links"]`` of them (``contradicted_count`` counts them all).
    """
    dated = with_dates(claims, sources).assign(_root=lambda f: _root(f))
    asserting = dated[dated["stance"] == "asserts"]
    per_topic = asserting.groupby("topic", sort=False).size()
    per_root = asserting.groupby(["topic", "_root"], sort=False).size()
    later = _assertions_in_order(asserting)
    rows = []
    denied = dated[dated["stance"] == "denies"]
    fields = ["claim_id", "actor", "claimant_country", "topic", "statement", "_root"]
    records = (dict(zip(fields, values, strict=True)) for values in _columns(denied, fields))
    for denial, key, said in zip(records, _keys(denied), denied["said"], strict=True):
        topic, root = denial["topic"], denial["_root"]
        count = int(per_topic.get(topic, 0)) - int(per_root.get((topic, root), 0))
        ids = []
        if 0 < count <= LIMITS["links"]:  # short lists only: long ones are counted
            same = asserting[(asserting["topic"] == topic) & (asserting["_root"] != root)]
            ids = list(same["claim_id"])
        keys, claim_ids, dates = later.get((topic, root), ([], [], []))
        first = bisect.bisect_right(keys, key)
        withdrawn = first < len(keys)
        rows.append(
            {
                "claim_id": denial["claim_id"],
                "actor": denial["actor"],
                "claimant_country": denial["claimant_country"],
                "topic": topics["label"].get(topic, topic),
                "topic_code": topic,
                "statement": denial["statement"],
                "said": said,
                "contradicted_count": count,
                "contradicted_by": ids,
                "state": "withdrawn" if withdrawn else "standing",
                "withdrawn_by": claim_ids[first] if withdrawn else None,
                "withdrawn_on": pd.Timestamp(dates[first]) if withdrawn else pd.NaT,  # said
            }
        )
    return pd.DataFrame(rows, columns=DENIAL_COLUMNS)


def _assertions_in_order(asserting: pd.DataFrame) -> dict:
    """``(topic, root)``: the keys (date said, date published, as nanoseconds), claim ids
    and dates of its assertions, oldest first, to find the first one after a denial."""
    ordered = asserting.sort_values(["said", "source_published", "claim_id"], kind="stable")
    columns = zip(
        ordered["topic"].tolist(),
        ordered["_root"].tolist(),
        _keys(ordered),
        ordered["claim_id"].tolist(),
        ordered["said"].to_numpy("datetime64[ns]"),
        strict=True,
    )
    later: dict = {}
    for topic, root, key, claim_id, date in columns:
        keys, ids, dates = later.setdefault((topic, root), ([], [], []))
        keys.append(key)
        ids.append(claim_id)
        dates.append(date)
    return later


def _columns(frame: pd.DataFrame, names: list[str]):
    """The rows of ``frame``'s columns ``names`` as tuples of plain values (fast, unlike
    iterating a pandas array value by value)."""
    return zip(*(frame[name].tolist() for name in names), strict=True)


def _keys(claims: pd.DataFrame) -> list[tuple[int, int]]:
    """Each claim's (date said, date published) as nanoseconds, to compare in order."""
    said, published = (
        claims[c].to_numpy("datetime64[ns]").view("int64") for c in ("said", "source_published")
    )
    return list(zip(said.tolist(), published.tolist(), strict=True))


def standing(denied: pd.DataFrame) -> pd.DataFrame:
    """The denials that still stand."""
    return denied[denied["state"] == "standing"]


def withdrawn(denied: pd.DataFrame) -> pd.DataFrame:
    """The denials that were withdrawn."""
    return denied[denied["state"] == "withdrawn"]


def _by_topic(denied: pd.DataFrame) -> list[str]:
    """``Dmitry Peskov (RU) on troop presence`` per topic, at most four names each."""
    named = [who(a, c) for a, c in _columns(denied, ["actor", "claimant_country"])]
    groups = pd.Series(named, index=denied.index).groupby(denied["topic"], sort=False)
    return [f"{join_names(capped(list(dict.fromkeys(n)), 4))} on {t.lower()}" for t, n in groups]


def denial_sentence(denied: pd.DataFrame) -> str:
    """One sentence on the denials that stand, and those withdrawn since."""
    if denied.empty:
        return "No actor has denied any of the claims on record."
    stands, gone = standing(denied), withdrawn(denied)
    text = (
        "Denials on record: " + "; ".join(_by_topic(stands)) + "."
        if len(stands)
        else "No denial on record still stands."
    )
    if len(gone):
        withdrawals = [
            f"{who(r.actor, r.claimant_country)} on {r.topic.lower()} ({r.withdrawn_by}, "
            f"{day(r.withdrawn_on)})"
            for r in gone.itertuples()
        ]
        text += " Withdrawn since: " + "; ".join(capped(withdrawals, 4)) + "."
    return text


def cited_or_counted(ids, count) -> list | str:
    """Claim ids to link, or, past ``LIMITS["links"]``, how many there are."""
    if count > LIMITS["links"]:
        return f"{count} claims (listed in the attached claims.csv)"
    return list(ids)


def denials_table(denied: pd.DataFrame) -> pd.DataFrame:
    """Denials as a reader's table (``Withdrawn by`` and ``Contradicted by`` hold links)."""
    return pd.DataFrame(
        {
            "Claim": denied["claim_id"],
            "Who denies": [
                who(a, c) for a, c in zip(denied["actor"], denied["claimant_country"], strict=True)
            ],
            "Topic": denied["topic"],
            "Statement": denied["statement"],
            "Stands": [
                "yes" if s == "standing" else f"withdrawn {day(on)}"
                for s, on in zip(denied["state"], denied["withdrawn_on"], strict=True)
            ],
            "Withdrawn by": [[c] if isinstance(c, str) else [] for c in denied["withdrawn_by"]],
            "Contradicted by": [
                cited_or_counted(ids, count)
                for ids, count in zip(
                    denied["contradicted_by"], denied["contradicted_count"], strict=True
                )
            ],
        }
    )


def who_says_what(claims: pd.DataFrame) -> pd.DataFrame:
    """Actors against topics: how each actor stands on each topic.

    Returns
    -------
    pandas.DataFrame
        Index: actor (``Name (CC)``), in order of first appearance; columns: topic codes
        in order of first appearance; cells ``asserts``, ``denies``, ``both`` or blank.
    """
    if claims.empty:
        return pd.DataFrame()
    speaker = claims["actor"] + " (" + claims["claimant_country"] + ")"
    stances = claims.assign(who=speaker).groupby(["who", "topic"], sort=False)["stance"]
    cell = stances.agg(lambda s: s.iloc[0] if s.nunique() == 1 else "both")
    matrix = cell.unstack("topic").reindex(
        index=list(dict.fromkeys(speaker)), columns=list(dict.fromkeys(claims["topic"]))
    )
    return matrix.fillna("")


def top_actors(claims: pd.DataFrame, limit: int = LIMITS["claimants"]) -> pd.DataFrame:
    """Claims by the ``limit`` actors who made the most claims (all when fewer)."""
    counts = claims["actor"].value_counts(sort=True)
    if len(counts) <= limit:
        return claims
    return claims[claims["actor"].isin(counts.index[:limit])]
