"""The briefing's sections as HTML: each function takes the scope and returns one section.

The notebook keeps the headings and the words around them; these functions compute
everything that depends on the data (analysis), draw it (charts) and escape it (markup),
so no number is ever typed into the notebook. A :class:`Scope` is what one briefing
covers: the evidence known on its date, the date it compares with, the indicators it
headlines and how long a judgment stays current unreviewed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import charts, markup
from .analysis import LIMITS, among, appendix, changes, most_recent, stances, summary
from .analysis import corroboration as support_
from .analysis import figures as figures_
from .analysis import judgments as judgments_
from .analysis import timeline as timeline_
from .analysis.wording import capped, long_date, plural
from .errors import ParameterError
from .evidence import Evidence, known_on, previous_date, published_by
from .inputs import write_render_file
from .settings import split_indicators

#: Days a judgment stays current unreviewed when neither notebook nor data says.
DEFAULT_REVIEW_DAYS = 30


@dataclass
class Scope:
    """What one briefing covers (build it with :func:`scope`)."""

    everything: Evidence
    evidence: Evidence
    as_of: str
    since: str | None
    headline_indicators: list[str]
    review_days: int
    memo: dict = field(default_factory=dict, repr=False)

    def once(self, key: str, compute):
        """``compute()``, worked out once per scope: several sections need the same tables."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def scope(
    everything: Evidence,
    as_of: str,
    since: str | None = None,
    headline_indicators: str = "",
    review_days: int | None = None,
) -> Scope:
    """The scope of the briefing as of ``as_of``.

    Parameters
    ----------
    everything : Evidence
        All the evidence, unfiltered.
    as_of : str
        The briefing's date, ``YYYY-MM-DD``.
    since : str, optional
        The date to compare with; default: the previous date a source was published.
    headline_indicators : str
        Indicator ids (``indicators.csv``) to headline, separated by spaces or commas;
        blank: the data's ``briefing.yml`` says, else every indicator with figures.
    review_days : int, optional
        Days after its last review that a judgment with newer claims bearing on it is
        flagged; default: the data's ``briefing.yml`` says, else 30.
    """
    settings = everything.settings
    chosen = split_indicators(headline_indicators or settings.get("headline_indicators", ""))
    if review_days is None or review_days == "":
        review_days = settings.get("review_days", DEFAULT_REVIEW_DAYS)
    known = everything.codebooks["indicators"].index
    unknown = [indicator for indicator in chosen if indicator not in known]
    if unknown:
        listing = ", ".join(known)
        raise ParameterError(
            "headline_indicators",
            f"found {', '.join(unknown)}; expected ids from "
            f"data/reference/indicators.csv ({listing})",
        )
    if isinstance(review_days, bool) or not isinstance(review_days, int) or review_days < 0:
        raise ParameterError(
            "review_days", f"found {review_days!r}; expected whole days, 0 or more"
        )
    since = since or previous_date(everything, as_of)
    evidence = known_on(everything, as_of)
    return Scope(everything, evidence, as_of, since, chosen, review_days)


def _figures(scope: Scope):
    """Every figure known, and the indicators the briefing headlines."""
    evidence = scope.evidence
    figs = scope.once("figures", lambda: figures_.figures(evidence.claims, evidence.sources))
    shown = figures_.headline(figs, evidence.codebooks["indicators"], scope.headline_indicators)
    return figs, shown


def _denials(scope: Scope):
    """Every denial, standing or withdrawn, with what contradicts it."""
    e = scope.evidence
    return scope.once(
        "denials", lambda: stances.denials(e.claims, e.sources, e.codebooks["topics"])
    )


def _reviewed(scope: Scope):
    """The judgments in force with their state (current, flagged, lapsed)."""
    e = scope.evidence
    return scope.once(
        "reviewed",
        lambda: judgments_.review(e.judgments, e.claims, e.sources, scope.as_of, scope.review_days),
    )


def _support(scope: Scope):
    """Corroboration of every key judgment."""
    e = scope.evidence
    return scope.once(
        "support", lambda: support_.corroboration(e.judgments, e.claims, _denials(scope))
    )


def bottom_line_sentences(scope: Scope) -> list[str]:
    """The lead current judgment, a sentence per headline indicator, the standing denials."""
    figs, shown = _figures(scope)
    books = scope.evidence.codebooks
    return scope.once(
        "bottom_line",
        lambda: summary.bottom_line(_reviewed(scope), figs, _denials(scope), books, shown),
    )


def bottom_line(scope: Scope) -> str:
    """The bottom line up front as a paragraph."""
    return markup.sentences(bottom_line_sentences(scope))


def key_judgments(scope: Scope) -> str:
    """The key judgments with likelihood, confidence, links, and a review note when flagged;
    then the judgments past their horizon, apart."""
    words = scope.evidence.codebooks["estimative_words"]
    table = judgments_.key_judgments(_reviewed(scope), words)
    if table.empty:
        return markup.paragraph("No key judgments have been recorded yet.")
    lapsed = table[table["state"] == "lapsed"]
    parts = [markup.judgment_list(table[table["state"] != "lapsed"])]
    if len(lapsed):
        parts.append(
            markup.heading("Lapsed judgments", 3)
            + markup.paragraph("Past the horizon their analysts set; kept for the record.")
            + markup.judgment_list(lapsed)
        )
    return "".join(parts)


def figures(scope: Scope) -> str:
    """One block per headline indicator: a sentence, the estimates over time, a table."""
    figs, shown = _figures(scope)
    books = scope.evidence.codebooks
    statuses, indicators = books["figure_statuses"], books["indicators"]
    if figs.empty:
        return markup.paragraph("No figures have been given.")
    parts = []
    for indicator in shown:
        label = indicators["label"].get(indicator, indicator)
        mine = figures_.of_indicator(figs, indicator)
        summary_ = figures_.range_sentence(mine, label, statuses)
        listed = figures_.shown(mine)
        if len(listed) < len(mine):
            summary_ += (
                f" The chart and the table show the {len(listed)} most recent of "
                f"{len(mine)} figures; all are in the attached claims table."
            )
        chart = markup.chart(
            charts.estimates_chart,
            listed,
            statuses,
            label,
            caption=f"Estimates of {label} over time: the figure as stated, a bar for a range, "
            "an arrow where it is open; colour by the actor's country, marker by status.",
            alt=charts.describe_estimates(listed, statuses, label),
        )
        table = markup.table(figures_.figures_table(listed, statuses), caption=f"Figures: {label}")
        parts.append(markup.heading(str(label), 3) + markup.paragraph(summary_) + chart + table)
    others = [i for i in figs["indicator"].unique().tolist() if i not in shown]
    if others:
        counts = figs["indicator"].value_counts()
        listing = "; ".join(
            f"{indicators['label'].get(i, i)} ({plural(int(counts[i]), 'figure')})" for i in others
        )
        parts.append(markup.paragraph(f"Other figures on record, in the appendix: {listing}."))
    return "".join(parts)


def timeline(scope: Scope) -> str:
    """The timeline chart of dated events and statements."""
    limit = LIMITS["timeline"]
    e = scope.evidence
    items = timeline_.timeline(e.events, e.claims, recent_days=limit)
    note = ""
    if len(items) > limit:
        note = markup.paragraph(
            f"The {limit} most recent of {len(items)} dated events and statements are shown."
        )
        items = most_recent(items, limit, by=("date",)).reset_index(drop=True)
    return note + markup.chart(
        charts.timeline_chart,
        items,
        caption="Timeline of dated events (squares) and statements (circles).",
        alt=charts.describe_timeline(items),
    )


def who_says_what(scope: Scope) -> str:
    """Actors against topics, then the denials, whether they stand, what contradicts them."""
    e = scope.evidence
    topics = e.codebooks["topics"]
    busiest = stances.top_actors(e.claims)
    matrix = stances.who_says_what(busiest)
    denied = _denials(scope)
    notes = []
    if len(busiest) < len(e.claims):
        notes.append(
            f"The grid shows the {matrix.shape[0]} actors with the most claims, of "
            f"{e.claims['actor'].nunique()}."
        )
    chart = markup.chart(
        charts.who_says_what_chart,
        matrix,
        topics,
        caption="Actors against topics: a circle where the actor asserts, a cross where it denies.",
        alt=charts.describe_who_says_what(matrix, topics),
    )
    shown = shown_denials(denied)
    if len(shown) < len(denied):
        notes.append(f"The table lists the {len(shown)} most recent of {len(denied)} denials.")
    table = markup.linked_table(
        stances.denials_table(shown),
        links=("Withdrawn by", "Contradicted by"),
        caption="Denials, whether they stand, and what contradicts them",
    )
    text = " ".join([stances.denial_sentence(denied), *notes])
    return chart + markup.paragraph(text) + table


def shown_denials(denied):
    """The denials the table lists: all, or the most recent ones (last in the table)."""
    return denied.iloc[-LIMITS["denials"] :]


def cited_claims(scope: Scope) -> set[str]:
    """Claims the briefing links to or shows outside the appendix: those must be printed."""
    limit = LIMITS["links"]
    e, cited = scope.evidence, set()
    for table in (e.judgments, e.gaps, e.events):
        for ids in table["claim_ids"]:
            cited.update(ids)
    figs, shown = _figures(scope)
    for indicator in shown:
        cited.update(figures_.shown(figures_.of_indicator(figs, indicator))["claim_id"])
    denied = shown_denials(_denials(scope))
    cited.update(denied["claim_id"])
    cited.update(c for c in denied["withdrawn_by"] if isinstance(c, str))
    cited.update(*denied["contradicted_by"])  # listed only when short (see stances.denials)
    for ids in _support(scope)["contradicted_by"]:
        if len(ids) <= limit:  # longer lists are counted, not linked
            cited.update(ids)
    for ids in _reviewed(scope)["newer_claims"]:
        cited.update(ids[:limit])
    return cited


def corroboration(scope: Scope) -> str:
    """Independent support for each key judgment, as a chart and a table."""
    support = _support(scope)
    chart = markup.chart(
        charts.corroboration_chart,
        support,
        caption="Actors, independent actors (their governments or bodies), countries and "
        "sources behind each key judgment.",
        alt=charts.describe_corroboration(support),
    )
    table = markup.linked_table(
        support_.corroboration_table(support),
        links=("Contradicted by",),
        numeric=("Claims", "Actors", "Independent", "Countries", "Sources"),
        caption="Corroboration of key judgments",
    )
    return chart + table


def gaps(scope: Scope) -> str:
    """The open intelligence gaps and the claims that raise them."""
    open_gaps = judgments_.open_gaps(scope.evidence.gaps)
    if open_gaps.empty:
        return markup.paragraph("No open intelligence gaps have been recorded.")
    return markup.linked_table(
        judgments_.gaps_table(open_gaps), links=("Raised by",), caption="Open intelligence gaps"
    )


def new_since(scope: Scope) -> set[str]:
    """The ids of the claims first known after the date compared with."""
    claims, sources = scope.evidence.claims, scope.evidence.sources
    if not scope.since:
        return set(claims["claim_id"].tolist())
    later = sources.loc[~published_by(sources, scope.since), "source_id"]  # no set of all ids
    return set(claims["claim_id"][among(claims["source_id"], later).to_numpy()].tolist())


def printed(scope: Scope) -> set[str]:
    """The ids of the claims the PDF's appendix prints (see :mod:`.analysis.appendix`)."""
    e = scope.evidence
    return scope.once(
        "printed",
        lambda: appendix.printed_claims(e.claims, e.sources, cited_claims(scope), new_since(scope)),
    )


def sources_and_claims(scope: Scope) -> str:
    """The grades heat map, then every claim grouped by source, each row an anchor.

    The HTML shows every claim; the PDF prints those of :func:`printed` and says how many
    more the attached ``claims.csv`` holds. In a render's kernel the listing of every claim
    is written, source by source, to the render's file, in a thread of the kernel while the
    notebook goes on (:func:`briefing.inputs.write_render_file`), and the notebook shows
    only what the PDF prints: the render puts the whole listing in the HTML in its place
    (:func:`briefing.export.write_html`), so that a table of a million claims never passes
    through the notebook. Elsewhere (JupyterLab) every claim is shown.
    """
    e = scope.evidence
    books = e.codebooks
    counts = appendix.grade_counts(e.claims)
    parts = [
        markup.chart(
            charts.grades_chart,
            counts,
            books["source_reliability"],
            books["info_credibility"],
            caption="Claims by Admiralty grade.",
            alt=charts.describe_grades(counts),
        )
    ]
    keep = printed(scope)
    left_out = len(e.claims) - len(keep)
    if left_out:
        parts.append(
            markup.paragraph(
                f"This printed briefing lists {len(keep)} of {len(e.claims)} claims: every claim "
                f"it cites, every claim new since the last briefing, then the most recent. The "
                f"other {left_out} are in the HTML briefing and in the claims table attached to "
                "this PDF (claims.csv).",
                css_class="print-only",
            )
        )
    claims = e.claims[appendix.LISTED_COLUMNS]  # only what the rows show: cheap to slice
    mine = _apart(scope).evidence  # written meanwhile: later cells' changes not seen
    every = lambda: markup.listing(_listing(claims, mine.sources, set(keep)))  # noqa: E731
    if not write_render_file(markup.LISTING_FILE, every):
        return "".join([*parts, *every()])
    shown = claims[claims["claim_id"].isin(keep)]
    return "".join([*parts, *markup.listing(_listing(shown, e.sources, keep))])


def _listing(claims, sources, keep: set):
    """The appendix's blocks, a source at a time: a heading and the table of its claims, a
    claim the PDF does not print (not in ``keep``) marked ``not-printed`` (as is a source
    none of whose claims it prints). Rows are made for many sources at once (in Arrow, a
    column at a time, see :func:`briefing.markup.row_array`), never for the whole table at
    once."""
    for batch, groups in appendix.claims_by_source(claims, sources):
        table = appendix.claims_table(batch)
        classes = ["" if claim in keep else "not-printed" for claim in table["Claim"].tolist()]
        rows = markup.row_array(table, row_id="Claim", row_classes=classes)
        for source, at in groups:
            body = markup.html_of(rows, at.start, at.stop)
            listed = markup.source_heading(source) + markup.table_around(
                table.columns, body, css_class="claims"
            )
            printed_any = any(classes[i] == "" for i in at)
            yield listed if printed_any else f'<div class="not-printed">{listed}</div>'


def changed(scope: Scope) -> dict[str, list[str]]:
    """What changed since the date compared with (``{}`` for a first briefing), once."""
    if not scope.since:
        return {}
    return scope.once(
        "changed",
        lambda: changes.what_changed(
            known_on(scope.everything, scope.since, changes.BEFORE_COLUMNS, changes.BEFORE_SOURCES),
            scope.evidence,
            _figures(scope)[0],
            _denials(scope),
        ),
    )


def what_changed(scope: Scope) -> str:
    """The "What changed since <date>" section: its heading and a list per kind of change."""
    if not scope.since:
        return markup.heading("What changed", 2, "what-changed") + markup.paragraph(
            "This is the first briefing: there is no earlier source date to compare with."
        )
    found = changed(scope)
    parts = [markup.heading(f"What changed since {long_date(scope.since)}", 2, "what-changed")]
    for kind, items in found.items():
        if items:
            parts.append(markup.heading(kind, 3) + markup.bullet_list(capped(items)))
    if len(parts) == 1:
        parts.append(markup.paragraph("Nothing has changed."))
    return "".join(parts)


def _apart(scope: Scope) -> Scope:
    """``scope`` with copies of its tables and of what it worked out, which share their
    data (pandas copies on write): what a later cell changes in place, these keep as it
    was, at no cost (the render writes the facts in a thread while later cells run)."""
    from dataclasses import fields, replace

    import pandas as pd

    def apart(value):
        if isinstance(value, (pd.DataFrame, pd.Series)):
            return value.copy(deep=False)
        return type(value)(value) if isinstance(value, (list, set)) else value

    def evidence_apart(evidence: Evidence) -> Evidence:
        return replace(evidence, **{f.name: apart(getattr(evidence, f.name))
                                    for f in fields(evidence)})  # fmt: skip

    return replace(
        scope,
        everything=evidence_apart(scope.everything),
        evidence=evidence_apart(scope.evidence),
        memo={key: apart(value) for key, value in scope.memo.items()},
    )


def facts(scope: Scope) -> None:
    """The briefing's facts (:mod:`briefing.facts`), which the render writes as
    ``briefing-<as_of>.json``; the cell that calls this is removed from the briefing.

    In a render's kernel they are written to the render's file, while the render lays out
    the PDF (:func:`briefing.inputs.write_render_file`: megabytes at a million claims never
    pass through the notebook); elsewhere (JupyterLab) they are displayed.
    """
    from .facts import FACTS_FILE, MIME_TYPE, briefing_facts, facts_pieces

    mine = _apart(scope)  # what later cells change in place, the facts do not see
    if write_render_file(FACTS_FILE, lambda: facts_pieces(briefing_facts(mine))):
        return
    from IPython.display import display

    display({MIME_TYPE: "".join(facts_pieces(briefing_facts(scope)))}, raw=True)
