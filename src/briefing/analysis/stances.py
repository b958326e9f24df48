"""Stances: who asserts and who denies what, and which denials still stand.

A denial stands until the same actor, or an actor with the same root (the government or
body it speaks for, :mod:`briefing.actors`), asserts on the same topic later: from then on
it is **withdrawn**, by that claim and on that date. Assertions by other roots on the
topic contradict it.
"""

from __future__ import annotations

import pandas as pd

from . import LIMITS, among, sort_order, with_dates
from .wording import capped, capped_total, day, join_names, who

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
    asserting, denied = _stated(
        claims, sources, ["claim_id", "actor", "claimant_country", "topic", "statement"]
    )
    statements = denied["statement"]
    pairs = denied[["topic", "_root"]]
    per_topic = asserting.groupby("topic", sort=False).size()
    per_root = asserting.groupby(["topic", "_root"], sort=False).size().rename("_n")
    own = pairs.merge(per_root, how="left", left_on=["topic", "_root"], right_index=True)["_n"]
    count = denied["topic"].map(per_topic).fillna(0).astype(int) - own.fillna(0).astype(int)
    later = _first_later(denied, asserting)
    withdrawn = later["withdrawn_by"].notna().to_numpy()
    return pd.DataFrame(
        {
            "claim_id": denied["claim_id"].tolist(),
            "actor": denied["actor"].tolist(),
            "claimant_country": denied["claimant_country"].tolist(),
            "topic": denied["topic"].map(topics["label"]).fillna(denied["topic"]).tolist(),
            "topic_code": denied["topic"].tolist(),
            "statement": statements.tolist(),
            "said": denied["said"].to_numpy(),
            "contradicted_count": count.tolist(),
            "contradicted_by": _contradicting(pairs, count.tolist(), asserting),
            "state": ["withdrawn" if w else "standing" for w in withdrawn],
            "withdrawn_by": [
                c if w else None
                for c, w in zip(later["withdrawn_by"].tolist(), withdrawn, strict=True)
            ],
            "withdrawn_on": pd.to_datetime(later["withdrawn_on"].to_numpy()),
        },
        columns=DENIAL_COLUMNS,
    )


def withdrawn_ids(claims: pd.DataFrame, sources: pd.DataFrame) -> set[str]:
    """The ids of the denials among the ``claims`` of ``sources`` that claims of ``sources``
    withdrew (see :func:`denials`): given an earlier date's sources, which of a later
    briefing's denials had been withdrawn by then (without a copy of that date's claims)."""
    known = among(claims["source_id"], sources["source_id"]).to_numpy()
    asserting, denied = _stated(claims, sources, ["claim_id", "topic"], known)
    later = _first_later(denied, asserting)
    return set(denied["claim_id"][later["withdrawn_by"].notna().to_numpy()].tolist())


def _stated(claims: pd.DataFrame, sources: pd.DataFrame, read: list[str], known=None):
    """``(asserting, denied)``: the claims that assert (their topic and id) and those that
    deny (their columns ``read``), only those where ``known`` is true if given, each with
    its root (``_root``), its date published and its date said
    (:func:`briefing.analysis.with_dates`), and its index in ``claims``. Only these are
    copied: at a million claims, not every column of every row twice."""
    stance = claims["stance"]

    def rows(value: str, names: list[str]) -> pd.DataFrame:
        mask = (stance == value).to_numpy()
        if known is not None:
            mask = mask & known
        dated = with_dates(claims.loc[mask, ["source_id", "claim_date"]], sources)
        return claims.loc[mask, names].assign(
            source_published=dated["source_published"],
            said=dated["said"],
            _root=_root(claims.loc[mask, ROOT_INPUTS]),
        )

    return rows("asserts", ["topic", "claim_id"]), rows("denies", read)


#: The claims' columns :func:`_root` reads.
ROOT_INPUTS = ["actor_root", "actor_id", "actor"]


def _contradicting(pairs: pd.DataFrame, counts: list[int], asserting: pd.DataFrame) -> list:
    """Per denial, the ids of the assertions of other roots on its topic, when there are at
    most ``LIMITS["links"]`` (short lists only: long ones are counted)."""
    short = [0 < count <= LIMITS["links"] for count in counts]
    if not any(short):
        return [[] for _ in counts]
    ids = asserting[["topic", "_root", "claim_id"]]
    return [
        ids.loc[(ids["topic"] == topic) & (ids["_root"] != root), "claim_id"].tolist()
        if wanted
        else []
        for (topic, root), wanted in zip(pairs.itertuples(index=False), short, strict=True)
    ]


def _first_later(denied: pd.DataFrame, asserting: pd.DataFrame) -> pd.DataFrame:
    """Per denial (in its order): ``withdrawn_by``, the first assertion of its topic and root
    said after it (by date said, then published, then claim id), and ``withdrawn_on``, the
    date said; missing when there is none."""
    keys = _keys(asserting)
    order = sort_order(asserting[["claim_id"]].assign(_k=keys), ["_k", "claim_id"])  # in Arrow:
    later = asserting[["topic", "_root", "claim_id", "said"]].iloc[order]  # no text factorized
    later = later.assign(_k=keys[order]).rename(columns={"claim_id": "withdrawn_by"})
    later = later.drop_duplicates(["topic", "_root", "_k"])
    later = later[["topic", "_root", "_k", "withdrawn_by", "said"]]
    wanted = denied[["topic", "_root"]].assign(_k=_keys(denied), _at=range(len(denied)))
    if wanted.empty or later.empty:
        return pd.DataFrame({"withdrawn_by": [None] * len(denied), "withdrawn_on": pd.NaT})
    group = ["topic", "_root"]
    for frame in (wanted, later):
        frame[group] = frame[group].astype(object)
    found = pd.merge_asof(
        wanted.sort_values("_k"), later.rename(columns={"said": "withdrawn_on"}), on="_k",
        by=group, direction="forward", allow_exact_matches=False,
    ).sort_values("_at")  # fmt: skip
    return found[["withdrawn_by", "withdrawn_on"]].reset_index(drop=True)


def _columns(frame: pd.DataFrame, names: list[str]):
    """The rows of ``frame``'s columns ``names`` as tuples of plain values (fast, unlike
    iterating a pandas array value by value)."""
    return zip(*(frame[name].tolist() for name in names), strict=True)


def _keys(claims: pd.DataFrame):
    """Each claim's date said, then date published, as one number to compare in order
    (days since 1970, offset so that dates from year -900 to 4800 sort right)."""
    said, published = (
        claims[c].to_numpy("datetime64[D]").astype("int64") + 2**20
        for c in ("said", "source_published")
    )
    return said * 2**22 + published


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
            for r in gone.head(4).itertuples()
        ]
        text += " Withdrawn since: " + "; ".join(capped_total(withdrawals, len(gone), 4)) + "."
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
        index=speaker.unique().tolist(), columns=claims["topic"].unique().tolist()
    )
    return matrix.fillna("")


def top_actors(claims: pd.DataFrame, limit: int = LIMITS["claimants"]) -> pd.DataFrame:
    """Claims by the ``limit`` actors who made the most claims (all when fewer)."""
    counts = claims["actor"].value_counts(sort=True)
    if len(counts) <= limit:
        return claims
    return claims[claims["actor"].isin(counts.index[:limit])]
