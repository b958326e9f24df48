"""Pure analysis functions: DataFrame in, DataFrame or value out."""

from __future__ import annotations

import pandas as pd

#: How much a briefing shows before it summarises: beyond these, the most recent or most
#: cited items are shown and the rest counted (the full claims table is attached).
LIMITS = {
    "figures": 20,
    "timeline": 40,
    "claimants": 30,
    "appendix": 200,
    "printed": 70,
    "list": 12,
    "links": 8,
    "denials": 15,
}

#: Figures graded improbable (5) or worse are shown, but never counted in ranges or as the
#: current figure.
IMPROBABLE = 5

FIGURE_COLUMNS = [
    "claim_id", "claimant", "claimant_country", "claim_date", "source_published",
    "figure_status", "quantity_low", "quantity_high", "info_credibility", "grade",
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
    counted = counted_figures(claims, sources)
    return counted[counted["unit"] == "troops"][FIGURE_COLUMNS].reset_index(drop=True)


def counted_figures(claims: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Every claim with a quantity (troops, casualties, ...), lowest upper bound first.

    Returns
    -------
    pandas.DataFrame
        The claims' columns plus ``source_published``.
    """
    published = sources.set_index("source_id")["published"]
    counted = claims[claims["quantity_high"].notna()].copy()
    counted["source_published"] = counted["source_id"].map(published)
    order = ["quantity_high", "quantity_low", "claim_id"]
    return counted.sort_values(order, na_position="first").reset_index(drop=True)


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
    counted, left_out = credible(figures), improbable_note(figures)
    if figures.empty:
        return "No troop figures have been claimed."
    if counted.empty:
        return "No credible troop figures have been claimed." + left_out
    lowest = counted["quantity_low"].fillna(counted["quantity_high"]).min()
    top = counted.iloc[-1]
    status = statuses["label"].get(top["figure_status"], top["figure_status"])
    highest = format_count(top["quantity_low"], top["quantity_high"])
    return (
        f"{plural(len(counted), 'troop figure')} claimed, ranging from {int(lowest):,} to "
        f"{int(top['quantity_high']):,}; the highest, {highest} troops ({status}), comes from "
        f"{top['claimant']} ({top['claimant_country']}).{left_out}"
    )


def plural(count: int, noun: str) -> str:
    """``1 troop figure has been`` / ``4 troop figures have been``."""
    return f"{count} {noun} has been" if count == 1 else f"{count} {noun}s have been"


def credible(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures whose information credibility is better than improbable (1 to 4)."""
    return figures[figures["info_credibility"].fillna(0) < IMPROBABLE]


def improbable_note(figures: pd.DataFrame) -> str:
    """`` N figure(s) graded improbable are not counted (C0141).`` or nothing.

    At most ``LIMITS["links"]`` claim ids are named, then ``… and N more``.
    """
    doubtful = figures[figures["info_credibility"].fillna(0) >= IMPROBABLE]
    if doubtful.empty:
        return ""
    ids = ", ".join(capped(list(doubtful["claim_id"]), LIMITS["links"]))
    return f" {len(doubtful)} figure(s) graded improbable are not counted ({ids})."


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
    with_claims = sources[sources["source_id"].isin(claims["source_id"])]
    for source in with_claims.itertuples():  # only those: there may be thousands of others
        rows = claims[claims["source_id"] == source.source_id]
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


def join_names(names) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    names = list(dict.fromkeys(names))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def likelihood_label(code: str, words: pd.DataFrame) -> str:
    """``likely (55–80%)`` from an ICD 203 code and the estimative-words codebook."""
    if code not in words.index:
        return code
    row = words.loc[code]
    return f"{code} ({row['probability_low']}\u2013{row['probability_high']}%)"


def key_judgments(judgments: pd.DataFrame, words: pd.DataFrame) -> pd.DataFrame:
    """The key judgments as shown to readers, in the analysts' order.

    Returns
    -------
    pandas.DataFrame
        ``judgment_id``, ``text``, ``likelihood`` (with its probability range),
        ``confidence`` and ``claim_ids`` (a list).
    """
    return pd.DataFrame(
        {
            "judgment_id": judgments["judgment_id"],
            "text": judgments["text"],
            "likelihood": [likelihood_label(c, words) for c in judgments["likelihood"]],
            "confidence": judgments["confidence"],
            "claim_ids": judgments["claim_ids"],
        }
    ).reset_index(drop=True)


def figure_extremes_sentence(figures: pd.DataFrame, statuses: pd.DataFrame) -> str:
    """One sentence naming the lowest and the highest troop figure and who gave them."""
    if figures.empty:
        return "No troop figures have been claimed."
    figures = credible(figures)
    if figures.empty:
        return "No credible troop figures have been claimed."
    if len(figures) == 1:
        only = figures.iloc[0]
        return f"One troop figure has been claimed: {_figure_phrase(only, statuses)}."
    low = figures.iloc[figures["quantity_low"].fillna(figures["quantity_high"]).argmin()]
    high = figures.iloc[-1]
    return (
        f"Claimed troop figures range from {_figure_phrase(low, statuses)} to "
        f"{_figure_phrase(high, statuses)}."
    )


def _figure_phrase(row, statuses: pd.DataFrame) -> str:
    """``1,500 (sent; National Intelligence Service, KR)``."""
    status = statuses["label"].get(row["figure_status"], row["figure_status"])
    count = format_count(row["quantity_low"], row["quantity_high"])
    return f"{count} ({status}; {row['claimant']}, {row['claimant_country']})"


def denials(claims: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """Every denial with the assertions on the same topic by other claimants.

    Returns
    -------
    pandas.DataFrame
        ``claim_id``, ``claimant``, ``claimant_country``, ``topic`` (label), ``statement``,
        ``contradicted_count`` and ``contradicted_by`` (the asserting claim ids, listed
        only when there are at most ``LIMITS["links"]`` of them).
    """
    asserting = claims[claims["stance"] == "asserts"]
    per_topic = asserting.groupby("topic", sort=False).size()
    per_claimant = asserting.groupby(["topic", "claimant"], sort=False).size()
    by_topic = {topic: group for topic, group in asserting.groupby("topic", sort=False)}
    rows = []
    for claim in claims[claims["stance"] == "denies"].itertuples():
        count = int(per_topic.get(claim.topic, 0)) - int(
            per_claimant.get((claim.topic, claim.claimant), 0)
        )
        ids = []
        if 0 < count <= LIMITS["links"]:
            same = by_topic[claim.topic]
            ids = list(same.loc[same["claimant"] != claim.claimant, "claim_id"])
        rows.append(
            {
                "claim_id": claim.claim_id,
                "claimant": claim.claimant,
                "claimant_country": claim.claimant_country,
                "topic": topics["label"].get(claim.topic, claim.topic),
                "statement": claim.statement,
                "contradicted_count": count,
                "contradicted_by": ids,
            }
        )
    columns = ["claim_id", "claimant", "claimant_country", "topic", "statement",
               "contradicted_count", "contradicted_by"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def cited_or_counted(ids, count) -> list | str:
    """Claim ids to link, or, past ``LIMITS["links"]``, how many there are."""
    if count > LIMITS["links"]:
        return f"{count} claims (listed in the attached claims.csv)"
    return list(ids)


def denial_sentence(denied: pd.DataFrame) -> str:
    """One sentence on who denies what; says so when nobody denies anything."""
    if denied.empty:
        return "No claimant has denied any of the claims on record."
    named = denied["claimant"] + " (" + denied["claimant_country"] + ")"
    by_topic = named.groupby(denied["topic"], sort=False).apply(
        lambda names: join_names(capped(list(dict.fromkeys(names)), 4))
    )
    parts = [f"{who} on {topic.lower()}" for topic, who in by_topic.items()]
    return "Denials on record: " + "; ".join(parts) + "."


def lead_judgments(judgments: pd.DataFrame, words: pd.DataFrame) -> pd.DataFrame:
    """Judgments in the order a bottom line takes them: the newest first (the latest
    assessment is the news), then the more likely, then by id."""
    if judgments.empty:
        return judgments
    high = judgments["likelihood"].map(lambda c: float(words["probability_high"].get(c, 0)))
    ordered = judgments.assign(_high=high).sort_values(
        ["valid_from", "_high", "judgment_id"], ascending=[False, False, True], kind="stable"
    )
    return ordered.drop(columns="_high")


def bottom_line(
    judgments: pd.DataFrame,
    figures: pd.DataFrame,
    denied: pd.DataFrame,
    statuses: pd.DataFrame,
    words: pd.DataFrame,
) -> list[str]:
    """Two to four sentences for the top of the briefing, all from the data.

    The leading key judgment (see :func:`lead_judgments`) comes first; then the range of
    troop figures; then the second judgment, if any; then the denials.
    """
    texts = list(lead_judgments(judgments, words)["text"])
    sentences = texts[:1] + [figure_extremes_sentence(figures, statuses)] + texts[1:2]
    return sentences + [denial_sentence(denied)]


def who_says_what(claims: pd.DataFrame) -> pd.DataFrame:
    """Claimants against topics: how each claimant stands on each topic.

    Returns
    -------
    pandas.DataFrame
        Index: claimant (``Name (CC)``), in order of first appearance; columns: topic codes
        in order of first appearance; cells ``asserts``, ``denies``, ``both`` or blank.
    """
    if claims.empty:
        return pd.DataFrame()
    who = claims["claimant"] + " (" + claims["claimant_country"] + ")"
    stances = claims.assign(who=who).groupby(["who", "topic"], sort=False)["stance"]
    cell = stances.agg(lambda s: s.iloc[0] if s.nunique() == 1 else "both")
    matrix = cell.unstack("topic").reindex(
        index=list(dict.fromkeys(who)), columns=list(dict.fromkeys(claims["topic"]))
    )
    return matrix.fillna("")


def corroboration(judgments: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """For each key judgment: independent claimants, countries and sources behind it.

    Claimants and countries are counted once each; the unknown country ``XX`` is not a
    country. What contradicts a judgment are denials on the topics of its claims.

    Returns
    -------
    pandas.DataFrame
        ``judgment_id``, ``claims``, ``claimants``, ``countries``, ``sources``,
        ``contradicted_by`` (list of denying claim ids).
    """
    indexed = claims.set_index("claim_id")
    rows = []
    for judgment in judgments.itertuples():
        cited = indexed.loc[[c for c in judgment.claim_ids if c in indexed.index]]
        denying = claims[
            (claims["stance"] == "denies")
            & claims["topic"].isin(cited["topic"])
            & ~claims["claim_id"].isin(judgment.claim_ids)
        ]
        countries = set(cited["claimant_country"]) - {"XX"}
        rows.append(
            {
                "judgment_id": judgment.judgment_id,
                "claims": len(cited),
                "claimants": cited["claimant"].nunique(),
                "countries": len(countries),
                "sources": cited["source_id"].nunique(),
                "contradicted_by": list(denying["claim_id"]),
            }
        )
    columns = ["judgment_id", "claims", "claimants", "countries", "sources", "contradicted_by"]
    return pd.DataFrame(rows, columns=columns)


def timeline(
    events: pd.DataFrame, claims: pd.DataFrame, recent_days: int | None = None
) -> pd.DataFrame:
    """Dated events and dated statements, oldest first.

    Statements are claims with a known ``claim_date``, one row per claimant and day; with
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
    dated = claims[claims["claim_date"].notna()]
    if recent_days is not None:  # only the statements a capped timeline can show
        days = sorted(set(dated["claim_date"]))[-recent_days:]
        dated = dated[dated["claim_date"].isin(days)]
    keys = ["claim_date", "claimant", "claimant_country"]
    said = dated.groupby(keys, sort=True)["claim_id"].agg(list).reset_index()
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


def format_date(value, precision: str = "day") -> str:
    """``23 Oct 2024``, ``June 2024`` or ``2024`` by precision; blank when unknown."""
    if pd.isna(value):
        return ""
    if precision == "year":
        return f"{value:%Y}"
    if precision == "month":
        return f"{value:%B}\u00a0{value:%Y}"
    return _day(value)


def open_gaps(gaps: pd.DataFrame) -> pd.DataFrame:
    """Intelligence gaps still open (no ``closed_on``), in the analysts' order."""
    return gaps[gaps["closed_on"].isna()].reset_index(drop=True)


def grade_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims by Admiralty grade: reliability A–F (rows) by credibility 1–6 (columns)."""
    counts = pd.crosstab(claims["source_reliability"], claims["info_credibility"])
    return counts.reindex(index=list("ABCDEF"), columns=range(1, 7), fill_value=0)


def denials_table(denied: pd.DataFrame) -> pd.DataFrame:
    """Denials as a reader's table (``Contradicted by`` holds lists of claim ids)."""
    return pd.DataFrame(
        {
            "Claim": denied["claim_id"],
            "Who denies": denied["claimant"] + " (" + denied["claimant_country"] + ")",
            "Topic": denied["topic"],
            "Statement": denied["statement"],
            "Contradicted by": [
                cited_or_counted(ids, count)
                for ids, count in zip(
                    denied["contradicted_by"], denied["contradicted_count"], strict=True
                )
            ],
        }
    )


def corroboration_table(support: pd.DataFrame) -> pd.DataFrame:
    """Corroboration as a reader's table (``Contradicted by`` holds lists of claim ids)."""
    return pd.DataFrame(
        {
            "Judgment": support["judgment_id"],
            "Claims": support["claims"],
            "Claimants": support["claimants"],
            "Countries": support["countries"],
            "Sources": support["sources"],
            "Contradicted by": [
                cited_or_counted(ids, len(ids)) for ids in support["contradicted_by"]
            ],
        }
    )


def gaps_table(gaps: pd.DataFrame) -> pd.DataFrame:
    """Intelligence gaps as a reader's table (``Raised by`` holds lists of claim ids)."""
    return pd.DataFrame(
        {
            "Gap": gaps["gap_id"],
            "Question": gaps["question"],
            "Open since": gaps["valid_from"].map(_day),
            "Raised by": gaps["claim_ids"],
        }
    )


def _figure_text(row) -> str:
    """``3,000 (John Kirby, US, 23 Oct 2024)``: a figure with who gave it and when."""
    when = row["claim_date"] if pd.notna(row["claim_date"]) else row["source_published"]
    count = format_count(row["quantity_low"], row["quantity_high"])
    return f"{count} ({row['claimant']}, {row['claimant_country']}, {_day(when)})"


def latest_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """The most recent credible figure per (unit, figure status), by report date then claim.

    Figures whose information credibility is 5 (improbable) or worse are left out.
    """
    credible = figures[figures["info_credibility"].fillna(0) < IMPROBABLE]
    ordered = credible.assign(_said=credible["claim_date"].fillna(credible["source_published"]))
    ordered = ordered.sort_values(["source_published", "_said", "claim_id"], kind="stable")
    return ordered.drop_duplicates(["unit", "figure_status"], keep="last").set_index(
        ["unit", "figure_status"]
    )


def moved_figures(before: pd.DataFrame, after: pd.DataFrame, books: dict):
    """``(moved, new)`` sentences: current figures per unit and status that changed or appeared.

    Parameters
    ----------
    before, after : pandas.DataFrame
        From :func:`counted_figures` on the earlier and the later evidence.
    books : dict
        Codebooks (``units`` and ``figure_statuses`` give the labels).
    """
    old, new = latest_figures(before), latest_figures(after)
    moved, added = [], []
    for (unit, status), row in new.iterrows():
        label = (
            f"{books['units']['label'].get(unit, unit)}, "
            f"{books['figure_statuses']['label'].get(status, status)}"
        )
        if (unit, status) not in old.index:
            added.append(f"{label}: {_figure_text(row)}")
            continue
        previous = old.loc[(unit, status)]
        before = format_count(previous["quantity_low"], previous["quantity_high"])
        if before != format_count(row["quantity_low"], row["quantity_high"]):  # NA-safe
            moved.append(f"{label}: {_figure_text(previous)} \u2192 {_figure_text(row)}")
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


def what_changed(before, after) -> dict[str, list[str]]:
    """Everything that changed between two briefings' evidence, as sentences by heading.

    Parameters
    ----------
    before, after : briefing.evidence.Evidence
        What was known on the earlier date and on the briefing's date.

    Returns
    -------
    dict of str to list of str
        Keys, in order: New sources, Figures that moved, New figures, Judgments added,
        Judgments revised, New denials, Gaps opened, Gaps closed. Empty lists are kept.
    """
    books = after.codebooks
    words = books["estimative_words"]
    new_sources = after.sources[~after.sources["source_id"].isin(before.sources["source_id"])]
    new_claims = after.claims[~after.claims["claim_id"].isin(before.claims["claim_id"])]
    moved, added_figures = moved_figures(
        counted_figures(before.claims, before.sources),
        counted_figures(after.claims, after.sources),
        books,
    )
    added, revised = judgment_changes(before.judgments, after.judgments, words)
    denied = new_claims[new_claims["stance"] == "denies"]
    open_before = set(open_gaps(before.gaps)["gap_id"])
    open_after = open_gaps(after.gaps)
    closed = after.gaps[after.gaps["closed_on"].notna() & after.gaps["gap_id"].isin(open_before)]
    counts = new_claims.groupby("source_id").size()
    return {
        "New sources": [
            f"{s.outlet}, {_day(s.published)}: {s.title} ({counts.get(s.source_id, 0)} claims)"
            for s in new_sources.itertuples()
        ],
        "Figures that moved": moved,
        "New figures": added_figures,
        "Judgments added": added,
        "Judgments revised": revised,
        "New denials": [
            f"{d.claim_id}: {d.claimant} ({d.claimant_country}): {d.statement}"
            for d in denied.itertuples()
        ],
        "Gaps opened": [
            f"{g.gap_id}: {g.question}"
            for g in open_after.itertuples()
            if g.gap_id not in open_before
        ],
        "Gaps closed": [f"{g.gap_id}: {g.question}" for g in closed.itertuples()],
    }


def long_date(day) -> str:
    """``23 October 2024`` from a date or ``YYYY-MM-DD`` string."""
    return f"{pd.Timestamp(day):%-d %B %Y}"


def most_recent(frame: pd.DataFrame, limit: int, by=("source_published",)) -> pd.DataFrame:
    """The ``limit`` most recent rows of ``frame`` (all of them when there are fewer),
    kept in their original order."""
    if len(frame) <= limit:
        return frame
    keep = frame.sort_values(list(by), kind="stable").index[-limit:]
    return frame.loc[frame.index.isin(keep)]


def shown_figures(figures: pd.DataFrame, limit: int = LIMITS["figures"]) -> pd.DataFrame:
    """The troop figures a chart and table can show: all, or the ``limit`` most recent."""
    return most_recent(figures, limit).reset_index(drop=True)


def capped(items: list, limit: int = LIMITS["list"]) -> list:
    """At most ``limit`` items, then ``… and N more`` when some are left out."""
    if len(items) <= limit:
        return list(items)
    return list(items[:limit]) + [f"\u2026 and {len(items) - limit} more"]


def top_claimants(claims: pd.DataFrame, limit: int = LIMITS["claimants"]) -> pd.DataFrame:
    """Claims by the ``limit`` claimants who made the most claims (all when fewer)."""
    counts = claims["claimant"].value_counts(sort=True)
    if len(counts) <= limit:
        return claims
    return claims[claims["claimant"].isin(counts.index[:limit])]


def appendix_claims(
    claims: pd.DataFrame,
    cited: set,
    limit: int = LIMITS["appendix"],
    printed: int = LIMITS["printed"],
):
    """The claims the appendix prints: all of them up to ``limit``; beyond, ``printed``
    claims: the cited ones (by judgments, gaps, events, figures, denials) first, then the
    most recent.

    Returns
    -------
    (pandas.DataFrame, int)
        The claims to print, in table order, and how many are left out.
    """
    if len(claims) <= limit:
        return claims, 0
    cited_rows = claims[claims["claim_id"].isin(cited)]
    rest = claims[~claims["claim_id"].isin(cited)]
    room = max(printed - len(cited_rows), 0)
    recent = rest.iloc[-room:] if room else rest.iloc[0:0]
    keep = set(cited_rows["claim_id"]) | set(recent["claim_id"])
    shown = claims[claims["claim_id"].isin(keep)]
    return shown, len(claims) - len(shown)
