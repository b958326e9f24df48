"""The briefing's sections as HTML: each function takes the evidence and returns one section's body.

The notebook keeps the headings and the words around them; these functions compute
everything that depends on the data (analysis), draw it (charts) and escape it (markup),
so no number is ever typed into the notebook.
"""

from __future__ import annotations

from . import analysis, charts, markup
from .evidence import Evidence, known_on


def _once(evidence: Evidence, key: str, compute):
    """``compute()``, worked out once per evidence: several sections need the same tables."""
    memo = evidence.__dict__.setdefault("_sections_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _figures(evidence: Evidence):
    """Troop figures and the figure-status codebook."""
    figures = _once(
        evidence, "figures", lambda: analysis.troop_figures(evidence.claims, evidence.sources)
    )
    return figures, evidence.codebooks["figure_statuses"]


def _denials(evidence: Evidence):
    """Every denial, with what contradicts it."""
    return _once(
        evidence, "denials", lambda: analysis.denials(evidence.claims, evidence.codebooks["topics"])
    )


def _support(evidence: Evidence):
    """Corroboration of every key judgment."""
    return _once(
        evidence, "support", lambda: analysis.corroboration(evidence.judgments, evidence.claims)
    )


def bottom_line_sentences(evidence: Evidence) -> list[str]:
    """Two to four sentences: the lead judgments, the figures' range, the denials."""
    figures, statuses = _figures(evidence)
    denied = _denials(evidence)
    words = evidence.codebooks["estimative_words"]
    return analysis.bottom_line(evidence.judgments, figures, denied, statuses, words)


def bottom_line(evidence: Evidence) -> str:
    """The bottom line up front as a paragraph."""
    return markup.sentences(bottom_line_sentences(evidence))


def key_judgments(evidence: Evidence) -> str:
    """The key judgments with likelihood, confidence and links to their claims."""
    table = analysis.key_judgments(evidence.judgments, evidence.codebooks["estimative_words"])
    if table.empty:
        return markup.paragraph("No key judgments have been recorded yet.")
    return markup.judgment_list(table)


def troop_numbers(evidence: Evidence) -> str:
    """The figures' range in a sentence, the range chart and the table of figures."""
    figures, statuses = _figures(evidence)
    summary = analysis.figure_range_sentence(figures, statuses)
    shown = analysis.shown_figures(figures)
    if len(shown) < len(figures):
        summary += (
            f" The chart and the table show the {len(shown)} most recent of "
            f"{len(figures)} figures; all are in the attached claims table."
        )
    figures = shown
    chart = markup.figure(
        charts.troop_figures_chart(figures, statuses),
        caption="Claimed troop figures: a bar from the low to the high figure, coloured by "
        "the claimant's country; the marker shows the status.",
        alt=charts.describe_troop_figures(figures, statuses),
    )
    table = markup.table(
        analysis.figures_table(figures, statuses),
        caption="Claimed troop figures",
        numeric=("Troops",),
    )
    return markup.paragraph(summary) + chart + table


def timeline(evidence: Evidence) -> str:
    """The timeline chart of dated events and statements."""
    limit = analysis.LIMITS["timeline"]
    items = analysis.timeline(evidence.events, evidence.claims, recent_days=limit)
    note = ""
    if len(items) > limit:
        note = markup.paragraph(
            f"The {limit} most recent of {len(items)} dated events and statements are shown."
        )
        items = analysis.most_recent(items, limit, by=("date",)).reset_index(drop=True)
    return note + markup.figure(
        charts.timeline_chart(items),
        caption="Timeline of dated events (squares) and statements (circles).",
        alt=charts.describe_timeline(items),
    )


def who_says_what(evidence: Evidence) -> str:
    """Claimants against topics, then the denials and what contradicts them."""
    topics = evidence.codebooks["topics"]
    busiest = analysis.top_claimants(evidence.claims)
    matrix = analysis.who_says_what(busiest)
    denied = _denials(evidence)
    notes = []
    if len(busiest) < len(evidence.claims):
        notes.append(
            f"The grid shows the {matrix.shape[0]} claimants with the most claims, of "
            f"{evidence.claims['claimant'].nunique()}."
        )
    chart = markup.figure(
        charts.who_says_what_chart(matrix, topics),
        caption="Claimants against topics: a circle where the claimant asserts, a cross where "
        "it denies.",
        alt=charts.describe_who_says_what(matrix, topics),
    )
    shown = shown_denials(denied)
    if len(shown) < len(denied):
        notes.append(f"The table lists the {len(shown)} most recent of {len(denied)} denials.")
    table = markup.linked_table(
        analysis.denials_table(shown),
        links=("Contradicted by",),
        caption="Denials and what contradicts them",
    )
    text = " ".join([analysis.denial_sentence(denied), *notes])
    return chart + markup.paragraph(text) + table


def shown_denials(denied):
    """The denials the table lists: all, or the most recent ones (last in the table)."""
    return denied.iloc[-analysis.LIMITS["denials"] :]


def cited_claims(evidence: Evidence) -> set[str]:
    """Claims the briefing links to or shows outside the appendix: those must be printed."""
    limit = analysis.LIMITS["links"]
    cited = set()
    for table in (evidence.judgments, evidence.gaps, evidence.events):
        for ids in table["claim_ids"]:
            cited.update(ids)
    figures, _ = _figures(evidence)
    cited.update(analysis.shown_figures(figures)["claim_id"])
    denied = shown_denials(_denials(evidence))
    cited.update(denied["claim_id"])
    cited.update(*denied["contradicted_by"])  # listed only when short (see analysis.denials)
    support = _support(evidence)
    for ids in support["contradicted_by"]:
        if len(ids) <= limit:  # longer lists are counted, not linked
            cited.update(ids)
    return cited


def corroboration(evidence: Evidence) -> str:
    """Independent support for each key judgment, as a chart and a table."""
    support = _support(evidence)
    chart = markup.figure(
        charts.corroboration_chart(support),
        caption="Independent claimants, countries and sources behind each key judgment.",
        alt=charts.describe_corroboration(support),
    )
    table = markup.linked_table(
        analysis.corroboration_table(support),
        links=("Contradicted by",),
        numeric=("Claims", "Claimants", "Countries", "Sources"),
        caption="Corroboration of key judgments",
    )
    return chart + table


def gaps(evidence: Evidence) -> str:
    """The open intelligence gaps and the claims that raise them."""
    open_gaps = analysis.open_gaps(evidence.gaps)
    if open_gaps.empty:
        return markup.paragraph("No open intelligence gaps have been recorded.")
    return markup.linked_table(
        analysis.gaps_table(open_gaps), links=("Raised by",), caption="Open intelligence gaps"
    )


def sources_and_claims(evidence: Evidence) -> str:
    """The grades heat map, then every claim grouped by source, each row an anchor."""
    books = evidence.codebooks
    counts = analysis.grade_counts(evidence.claims)
    parts = [
        markup.figure(
            charts.grades_chart(counts, books["source_reliability"], books["info_credibility"]),
            caption="Claims by Admiralty grade.",
            alt=charts.describe_grades(counts),
        )
    ]
    printed, left_out = analysis.appendix_claims(evidence.claims, cited_claims(evidence))
    if left_out:
        parts.append(
            markup.paragraph(
                f"{len(printed)} of {len(evidence.claims)} claims are printed here: every "
                f"claim the briefing cites, then the most recent. The other {left_out} are in "
                "the claims table attached to the PDF (claims.csv)."
            )
        )
    for source, table in analysis.claims_by_source(printed, evidence.sources):
        parts.append(
            markup.source_heading(source)
            + markup.linked_table(table, row_id="Claim", css_class="claims")
        )
    return "".join(parts)


def what_changed(everything: Evidence, as_of: str, since: str | None) -> str:
    """The "What changed since <date>" section: its heading and a list per kind of change.

    Parameters
    ----------
    everything : Evidence
        All the evidence, unfiltered.
    as_of : str
        The briefing's date.
    since : str or None
        The date to compare with; ``None`` for the first briefing.
    """
    if not since:
        return markup.heading("What changed", 2, "what-changed") + markup.paragraph(
            "This is the first briefing: there is no earlier source date to compare with."
        )
    changes = analysis.what_changed(known_on(everything, since), known_on(everything, as_of))
    parts = [markup.heading(f"What changed since {analysis.long_date(since)}", 2, "what-changed")]
    for kind, items in changes.items():
        if items:
            parts.append(markup.heading(kind, 3) + markup.bullet_list(analysis.capped(items)))
    if len(parts) == 1:
        parts.append(markup.paragraph("Nothing has changed."))
    return "".join(parts)
