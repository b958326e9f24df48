"""What changed between two dates: sources, figures, judgments, denials and gaps."""

from __future__ import annotations

import pandas as pd

from . import among
from . import figures as figures_
from .judgments import likelihood_label, open_gaps
from .stances import denials, withdrawn, withdrawn_ids
from .wording import day, who

#: The claims' columns :func:`what_changed` reads of the earlier evidence: none but those
#: :func:`briefing.evidence.known_on` needs (its figures are the later evidence's, filtered;
#: which of its denials were withdrawn is worked out on the later claims of its sources).
BEFORE_COLUMNS = ["claim_id", "source_id"]
#: The sources' columns it reads of the earlier evidence (not their texts).
BEFORE_SOURCES = ["source_id", "published"]


def earlier(figs: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The figures of ``figs`` (:func:`briefing.analysis.figures.figures` of the evidence
    known on some date) that were known with ``sources`` (those of an earlier date): a
    figure is one claim's, so those of the earlier date are these, as they were ordered."""
    if sources.empty:
        return figs.iloc[:0]
    return figs[figs["source_published"] <= sources["published"].max()].reset_index(drop=True)


def moved_figures(before: pd.DataFrame, after: pd.DataFrame, books: dict):
    """``(moved, new)`` sentences: the latest figure per indicator and status that changed
    or appeared (comparable figures only, see :func:`briefing.analysis.figures.latest`).

    Parameters
    ----------
    before, after : pandas.DataFrame
        From :func:`briefing.analysis.figures.figures` on the earlier and later evidence.
    books : dict
        Codebooks and registers (``indicators`` and ``figure_statuses`` give the labels).
    """
    old, new = figures_.latest(before), figures_.latest(after)
    moved, added = [], []
    for (indicator, status), row in new.iterrows():
        label = (
            f"{books['indicators']['label'].get(indicator, indicator)}, "
            f"{books['figure_statuses']['label'].get(status, status)}"
        )
        if (indicator, status) not in old.index:
            added.append(f"{label}: {figures_.with_who(row)}")
            continue
        previous = old.loc[(indicator, status)]
        if previous["claim_id"] != row["claim_id"] and (
            previous["figure_text"],
            previous["quantity_low"],
            previous["quantity_high"],
        ) != (row["figure_text"], row["quantity_low"], row["quantity_high"]):
            moved.append(f"{label}: {figures_.with_who(previous)} \u2192 {figures_.with_who(row)}")
    return moved, added


def _judgment_state(row, words) -> str:
    """``likely (55–80%), moderate confidence``."""
    return f"{likelihood_label(row['likelihood'], words)}, {row['confidence']} confidence"


def judgment_changes(before: pd.DataFrame, after: pd.DataFrame, words: pd.DataFrame):
    """``(added, revised)`` sentences between two sets of judgments in force."""
    old = before.set_index("judgment_id")
    added, revised = [], []
    for row in after.to_dict("records"):
        jid = row["judgment_id"]
        if jid not in old.index:
            added.append(f"{jid}: {row['text']} ({_judgment_state(row, words)})")
        elif (old.loc[jid, "text"], old.loc[jid, "likelihood"], old.loc[jid, "confidence"]) != (
            row["text"],
            row["likelihood"],
            row["confidence"],
        ):
            revised.append(
                f"{jid}: {_judgment_state(old.loc[jid], words)} \u2192 "
                f"{_judgment_state(row, words)}. {row['text']}"
            )
    return added, revised


#: The columns of a withdrawn denial that "Denials withdrawn" shows, in its order.
WITHDRAWN_SHOWN = ["claim_id", "actor", "claimant_country", "topic", "withdrawn_by", "withdrawn_on"]


def what_changed(before, after, figures=None, denied=None) -> dict[str, list[str]]:
    """Everything that changed between two briefings' evidence, as sentences by heading.

    Parameters
    ----------
    before, after : briefing.evidence.Evidence
        What was known of the same evidence (:func:`briefing.evidence.known_on`) on the
        earlier date and on the briefing's date: ``before``'s claims are ``after``'s of
        the sources published by then (only :data:`BEFORE_COLUMNS` of them are read, and
        :data:`BEFORE_SOURCES` of its sources).
    figures, denied : pandas.DataFrame, optional
        ``after``'s figures (:func:`.figures.figures`) and denials (:func:`.stances.denials`)
        when the caller has them already; computed when not given.

    Returns
    -------
    dict of str to list of str
        Keys, in order: New sources, Figures that moved, New figures, Judgments added,
        Judgments revised, New denials, Denials withdrawn, Gaps opened, Gaps closed. Empty
        lists are kept.
    """
    books = after.codebooks
    words, topics = books["estimative_words"], books["topics"]
    new_sources = after.sources[~after.sources["source_id"].isin(before.sources["source_id"])]
    new_claims = after.claims[among(after.claims["source_id"], new_sources["source_id"])]
    if figures is None:
        figures = figures_.figures(after.claims, after.sources)
    moved, added_figures = moved_figures(earlier(figures, before.sources), figures, books)
    added, revised = judgment_changes(before.judgments, after.judgments, words)
    new_denials = new_claims[new_claims["stance"] == "denies"]
    was_withdrawn = withdrawn_ids(after.claims, before.sources)
    if denied is None:
        denied = denials(after.claims, after.sources, topics)
    now_withdrawn = withdrawn(denied)
    open_before = set(open_gaps(before.gaps)["gap_id"])
    open_after = open_gaps(after.gaps)
    closed = after.gaps[after.gaps["closed_on"].notna() & after.gaps["gap_id"].isin(open_before)]
    counts = new_claims.groupby("source_id").size()
    return {
        "New sources": [
            f"{s.outlet}, {day(s.published)}: {s.title} ({counts.get(s.source_id, 0)} claims)"
            for s in new_sources.itertuples()
        ],
        "Figures that moved": moved,
        "New figures": added_figures,
        "Judgments added": added,
        "Judgments revised": revised,
        "New denials": [
            f"{d.claim_id}: {who(d.actor, d.claimant_country)}: {d.statement}"
            for d in new_denials.itertuples()
        ],
        "Denials withdrawn": [
            f"{claim}: {who(actor, country)} on {topic.lower()}, withdrawn by {by} ({day(on)})"
            for claim, actor, country, topic, by, on in zip(
                *(now_withdrawn[c].tolist() for c in WITHDRAWN_SHOWN), strict=True
            )
            if claim not in was_withdrawn
        ],
        "Gaps opened": [
            f"{g.gap_id}: {g.question}"
            for g in open_after.itertuples()
            if g.gap_id not in open_before
        ],
        "Gaps closed": [f"{g.gap_id}: {g.question}" for g in closed.itertuples()],
    }
