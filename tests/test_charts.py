"""Chart functions return Figures with labelled axes and no overlapping labels."""

from __future__ import annotations

import io
import itertools

import matplotlib
import pytest
from conftest import ROOT
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from briefing import charts, markup
from briefing.analysis import appendix, corroboration, figures, stances, timeline
from briefing.evidence import load_evidence


@pytest.fixture(scope="module")
def evidence():
    return load_evidence(ROOT / "data")


def all_charts(evidence):
    """Every chart of the briefing with its alt text, built from ``evidence``."""
    books, claims = evidence.codebooks, evidence.claims
    figs = figures.figures(claims, evidence.sources)
    shown = figures.headline(figs, books["indicators"], [])
    one = figures.of_indicator(figs, shown[0]) if shown else figs
    label = books["indicators"]["label"].get(shown[0], "") if shown else ""
    items = timeline.timeline(evidence.events, claims)
    matrix = stances.who_says_what(claims)
    denied = stances.denials(claims, evidence.sources, books["topics"])
    support = corroboration.corroboration(evidence.judgments, claims, denied)
    counts = appendix.grade_counts(claims)
    statuses, topics = books["figure_statuses"], books["topics"]
    return {
        "figures": (
            charts.estimates_chart(one, statuses, label),
            charts.describe_estimates(one, statuses, label),
        ),
        "timeline": (charts.timeline_chart(items), charts.describe_timeline(items)),
        "who": (
            charts.who_says_what_chart(matrix, topics),
            charts.describe_who_says_what(matrix, topics),
        ),
        "corroboration": (
            charts.corroboration_chart(support),
            charts.describe_corroboration(support),
        ),
        "grades": (
            charts.grades_chart(counts, books["source_reliability"], books["info_credibility"]),
            charts.describe_grades(counts),
        ),
    }


def texts(fig: Figure) -> list:
    """Window extents of every visible, non-empty text in a drawn figure."""
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    found = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return [(t.get_text(), t.get_window_extent(renderer)) for t in found]


def overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap (by more than a pixel)."""
    boxes = texts(fig)
    pairs = []
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        shrunk = box_a.shrunk(0.98, 0.9)
        if shrunk.overlaps(box_b.shrunk(0.98, 0.9)):
            pairs.append((a, b))
    return pairs


@pytest.mark.parametrize("name", ["figures", "timeline", "who", "corroboration", "grades"])
def test_chart_is_a_labelled_figure_without_overlapping_labels(evidence, name):
    fig, alt = all_charts(evidence)[name]
    assert isinstance(fig, Figure)
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel(), name
    assert overlaps(fig) == [], name
    assert len(alt) > 40


def test_charts_survive_empty_data(evidence):
    empty = load_evidence(ROOT / "data")
    empty.claims = evidence.claims.iloc[0:0]
    empty.events = evidence.events.iloc[0:0]
    empty.judgments = evidence.judgments.iloc[0:0]
    for fig, alt in all_charts(empty).values():
        assert isinstance(fig, Figure) and alt
        FigureCanvasAgg(fig).draw()


def test_svg_is_deterministic_and_carries_alt_text(evidence):
    fig, alt = all_charts(evidence)["figures"]
    first = markup.figure(fig, "Caption <b>", alt)
    second = markup.figure(all_charts(evidence)["figures"][0], "Caption <b>", alt)
    assert first == second
    assert 'alt="Chart of' in first and "Caption &lt;b&gt;" in first


@pytest.mark.parametrize("name", ["figures", "timeline", "who", "corroboration", "grades"])
def test_svg_is_laid_out_as_savefig_would_lay_it_out(evidence, name):
    # markup.figure runs the constrained layout once itself (savefig would draw the whole
    # figure twice to do it): the axes end up exactly where savefig would put them.
    ours, plain = all_charts(evidence)[name][0], all_charts(evidence)[name][0]
    markup.figure(ours, "Caption", "Alt text")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        plain.savefig(io.BytesIO(), format="svg")
    assert [ax.get_position().bounds for ax in ours.axes] == [
        ax.get_position().bounds for ax in plain.axes
    ]
