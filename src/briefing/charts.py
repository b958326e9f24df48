"""Charts: functions that return matplotlib Figures; they never save or show.

Every chart uses the house style (``briefing.mplstyle``): colours that differ in
lightness as well as hue, and markers that carry meaning on their own, so a chart reads
when printed in greyscale. Each chart function has a ``describe_*`` companion that
states, as text, what the chart shows: the alternative text readers get in the HTML.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from pathlib import Path

import matplotlib
import matplotlib.dates
import matplotlib.style
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from .analysis.wording import format_date, join_names

STYLE = Path(__file__).with_name("briefing.mplstyle")
#: Dark, mid and light tones: distinguishable in greyscale as well as in colour.
PALETTE = ["#1b365d", "#d1603d", "#9bc1bc", "#5d2e46", "#e8c547", "#6b7f82", "#000000"]
STATUS_MARKERS = {"deployed": "o", "pledged": "s", "in_preparation": "^", "estimate": "D",
                  "projected": "v"}  # fmt: skip
STANCE_MARKERS = {"asserts": ("o", "#1b365d"), "denies": ("X", "#d1603d"),
                  "both": ("D", "#6b7f82")}  # fmt: skip


def text(value) -> str:
    """Data as chart text: control and bidi characters shown, ``$`` never starts mathtext."""
    from .text import visible

    return visible(str(value)).replace("$", r"\$")


def texts(values) -> list[str]:
    """:func:`text` for each value."""
    return [text(v) for v in values]


@contextmanager
def house_style():
    """Apply the house style while a chart is built (Hangul falls back to NanumGothic)."""
    families = ["DejaVu Sans", *_hangul_family()]
    with matplotlib.style.context(STYLE), matplotlib.rc_context({"font.family": families}):
        yield


@cache
def _hangul_family() -> tuple[str, ...]:
    """Register the pinned Hangul font with matplotlib once; its family name, if present."""
    from matplotlib import font_manager

    from .fonts import HANGUL_FONTS

    path = HANGUL_FONTS / "NanumGothic.ttf"
    if not path.is_file():
        return ()
    font_manager.fontManager.addfont(str(path))
    return (font_manager.FontProperties(fname=str(path)).get_name(),)


def _figure(width: float, rows: int, per_row: float = 0.32, base: float = 1.3) -> Figure:
    """A figure sized so that ``rows`` labelled rows never crowd each other."""
    return Figure(figsize=(width, base + per_row * max(rows, 1)), layout="constrained")


def country_colours(countries) -> dict[str, str]:
    """A stable colour per country, in order of first appearance."""
    unique = list(dict.fromkeys(countries))
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(unique)}


#: Up to this many figures, each is labelled with its words on the chart.
LABELLED = 10
#: How an open bound is drawn: an arrow from the stated bound the way the figure is open.
OPEN_ENDS = {"at_least": "^", "up_to": "v"}


def estimates_chart(figs: pd.DataFrame, statuses: pd.DataFrame, label: str) -> Figure:
    """Estimates of one indicator over time: x the date said, y the figure.

    Parameters
    ----------
    figs : pandas.DataFrame
        The figures of one indicator (:func:`briefing.analysis.figures.of_indicator`).
    statuses : pandas.DataFrame
        The ``figure_statuses`` codebook, for the legend's labels.
    label : str
        The indicator's label (the y axis).

    Returns
    -------
    matplotlib.figure.Figure
        A range is a bar from its low to its high figure; an exact figure a marker; "more
        than" and "up to" a marker at the stated bound with an arrow the way it is open;
        a bracket that is the analyst's coding a dashed bar with a hollow marker. Colour by
        the actor's country, marker by status.
    """
    with house_style():
        fig = Figure(figsize=(7.0, 3.4), layout="constrained")
        ax = fig.subplots()
        colour = country_colours(figs["claimant_country"])
        top, placed = 1, []
        top_all = max([1, *figs["quantity_high"].dropna(), *figs["quantity_low"].dropna()])
        for item in figs.itertuples():
            c = colour[item.claimant_country]
            marker = STATUS_MARKERS.get(item.figure_status, "o")
            low, high = item.quantity_low, item.quantity_high
            at = high if pd.notna(high) else low
            top = max(top, int(at))
            if pd.notna(low) and pd.notna(high) and low != high:
                ax.vlines(
                    item.said,
                    low,
                    high,
                    color=c,
                    linewidth=5,
                    alpha=0.45,
                    linestyles="dashed" if item.coded else "solid",
                )
            ax.plot(
                [item.said],
                [at],
                linestyle="none",
                color=c,
                marker=marker,
                markersize=8,
                markeredgecolor="black",
                markerfacecolor="white" if item.coded else c,
            )
            if item.bound in OPEN_ENDS:
                ax.annotate(
                    "",
                    (item.said, at),
                    xytext=(0, 16 if item.bound == "at_least" else -16),
                    textcoords="offset points",
                    ha="center",
                    arrowprops={"arrowstyle": "<|-", "color": c, "linewidth": 1.2},
                )
            if len(figs) <= LABELLED and _room(placed, item.said, at, figs, top_all):
                placed.append((item.said, at))  # beyond, the table beside it gives the words
                ax.annotate(
                    text(item.figure_text),
                    (item.said, at),
                    xytext=(7, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                )
        ax.set_ylabel(text(label))
        ax.set_xlabel("Date the figure was given")
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.set_ylim(0, top * 1.3)
        locator = matplotlib.dates.AutoDateLocator(maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))
        if len(figs):
            span = figs["said"].max() - figs["said"].min()
            pad = max(span * 0.08, pd.Timedelta(days=3))
            ax.set_xlim(figs["said"].min() - pad, figs["said"].max() + pad * 2.5)
        handles = [
            Line2D([], [], color=c, linewidth=6, alpha=0.6, label=text(k))
            for k, c in colour.items()
        ]
        for status in dict.fromkeys(figs["figure_status"]):
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#444",
                    linestyle="none",
                    marker=STATUS_MARKERS.get(status, "o"),
                    label=text(statuses["label"].get(status, status)),
                )
            )
        if len(handles):
            fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5))
    return fig


def _room(placed: list, said, at, figs: pd.DataFrame, top) -> bool:
    """Whether a label at ``(said, at)`` stays clear of those already placed (a tenth of
    the time span and of the scale apart)."""
    span = max((figs["said"].max() - figs["said"].min()).days, 30)
    return all(
        abs((said - x).days) > span / 10 or abs(int(at) - int(y)) > int(top) / 10 for x, y in placed
    )


def describe_estimates(figs: pd.DataFrame, statuses: pd.DataFrame, label: str) -> str:
    """Alternative text for :func:`estimates_chart`."""
    if figs.empty:
        return f"Chart of estimates of {label} over time: no figures are on record."
    parts = [
        f"{format_date(r.said)}: {r.figure_text} "
        f"({statuses['label'].get(r.figure_status, r.figure_status)}, {r.actor})"
        for r in figs.itertuples()
    ]
    return f"Chart of {len(figs)} estimates of {label} over time, oldest first: " + "; ".join(parts)


def timeline_chart(items: pd.DataFrame) -> Figure:
    """A timeline: one row per dated event or statement, oldest at the top.

    Parameters
    ----------
    items : pandas.DataFrame
        From :func:`briefing.analysis.timeline`.

    Returns
    -------
    matplotlib.figure.Figure
        Events as squares, statements as circles; a month-precision event is a bar
        across its month.
    """
    with house_style():
        fig = _figure(7.0, len(items))
        ax = fig.subplots()
        for row, item in enumerate(items.itertuples()):
            event = item.kind == "event"
            if item.precision == "month":
                end = item.date + pd.offsets.MonthEnd(0)
                ax.plot([item.date, end], [row, row], color=PALETTE[0], linewidth=6, alpha=0.4)
            ax.plot(
                [item.date],
                [row],
                linestyle="none",
                marker="s" if event else "o",
                color=PALETTE[0] if event else PALETTE[1],
                markersize=7,
                markeredgecolor="black",
            )
        labels = [f"{format_date(i.date, i.precision)}: {i.label}" for i in items.itertuples()]
        ax.set_yticks(range(len(items)), texts(labels))
        ax.invert_yaxis()
        ax.set_xlabel("Date")
        ax.set_ylabel("Event or statement")
        ax.xaxis.set_major_locator(matplotlib.dates.MonthLocator())
        ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%b\n%Y"))
        ax.set_ylim(len(items) - 0.4, -0.6)
        fig.legend(
            handles=[
                Line2D([], [], marker="s", linestyle="none", color=PALETTE[0], label="event"),
                Line2D([], [], marker="o", linestyle="none", color=PALETTE[1], label="statement"),
            ],
            loc="outside lower center",
            ncols=2,
        )
    return fig


def describe_timeline(items: pd.DataFrame) -> str:
    """Alternative text for :func:`timeline_chart`."""
    if items.empty:
        return "Timeline: no dated events or statements are on record."
    steps = [f"{format_date(i.date, i.precision)}, {i.label}" for i in items.itertuples()]
    return f"Timeline of {len(items)} dated events and statements: " + "; ".join(steps)


def who_says_what_chart(matrix: pd.DataFrame, topics: pd.DataFrame) -> Figure:
    """A grid of actors (rows) against topics (columns): asserts, denies or both.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`briefing.analysis.stances.who_says_what`.
    topics : pandas.DataFrame
        The topics codebook, for column labels.
    """
    with house_style():
        fig = Figure(figsize=(7.0, 1.9 + 0.28 * max(len(matrix), 1)), layout="constrained")
        ax = fig.subplots()
        rows, cols = range(len(matrix.index)), range(len(matrix.columns))
        for stance, (marker, colour) in STANCE_MARKERS.items():
            cells = [(c, r) for r in rows for c in cols if matrix.iat[r, c] == stance]
            if cells:  # one artist per stance: a few SVG nodes, not one per cell
                x, y = zip(*cells, strict=True)
                ax.plot(x, y, marker=marker, color=colour, linestyle="none", markersize=7)
        ax.set_xticks(
            range(len(matrix.columns)),
            texts(topics["label"].get(t, t) for t in matrix.columns),
            rotation=90,
        )
        ax.set_yticks(range(len(matrix.index)), texts(matrix.index))
        ax.set_xlim(-0.6, len(matrix.columns) - 0.4)
        ax.set_ylim(len(matrix.index) - 0.4, -0.6)
        ax.grid(True, axis="both")
        ax.set_xlabel("Topic")
        ax.set_ylabel("Actor (country)")
        present = [s for s in STANCE_MARKERS if (matrix == s).any().any()]
        fig.legend(
            handles=[
                Line2D(
                    [],
                    [],
                    marker=STANCE_MARKERS[s][0],
                    linestyle="none",
                    color=STANCE_MARKERS[s][1],
                    label=s,
                )
                for s in present
            ],
            loc="outside upper right",
            ncols=len(present) or 1,
        )
    return fig


def describe_who_says_what(matrix: pd.DataFrame, topics: pd.DataFrame) -> str:
    """Alternative text for :func:`who_says_what_chart`."""
    if matrix.empty:
        return "Grid of actors against topics: no claims are on record."
    denying = [
        who
        for who in matrix.index
        if (matrix.loc[who] != "asserts").any()
        and (matrix.loc[who] != "").any()
        and (matrix.loc[who] == "denies").any()
    ]
    text = (
        f"Grid of {len(matrix)} actors against {len(matrix.columns)} topics, "
        "marking which topics each actor asserts or denies."
    )
    if denying:
        text += " Actors who deny: " + join_names(denying) + "."
    return text


MEASURE_LABELS = {
    "actors": "actors",
    "roots": "independent actors (roots)",
    "countries": "countries",
    "sources": "sources",
}


def corroboration_chart(table: pd.DataFrame) -> Figure:
    """Grouped bars: actors, independent roots, countries and sources behind each judgment."""
    with house_style():
        fig = _figure(7.0, len(table), per_row=0.55)
        ax = fig.subplots()
        measures = [
            ("actors", PALETTE[0], None),
            ("roots", PALETTE[2], None),
            ("countries", PALETTE[1], None),
            ("sources", PALETTE[4], None),
        ]
        height = 0.2
        for k, (name, colour, hatch) in enumerate(measures):
            positions = [i + (k - 1.5) * height for i in range(len(table))]
            ax.barh(
                positions,
                table[name],
                height=height,
                color=colour,
                hatch=hatch,
                edgecolor="black",
                linewidth=0.5,
                label=MEASURE_LABELS[name],
            )
        ax.set_yticks(range(len(table)), texts(table["judgment_id"]))
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Number supporting the judgment")
        ax.set_ylabel("Key judgment")
        fig.legend(loc="outside lower center", ncols=4)
    return fig


def describe_corroboration(table: pd.DataFrame) -> str:
    """Alternative text for :func:`corroboration_chart`."""
    if table.empty:
        return "Bar chart of corroboration: no key judgments are on record."
    parts = [
        f"{r.judgment_id}: {r.actors} actors ({r.roots} independent), {r.countries} "
        f"countries, {r.sources} sources"
        for r in table.itertuples()
    ]
    return "Bar chart of independent support for each key judgment. " + "; ".join(parts) + "."


def grades_chart(
    counts: pd.DataFrame, reliability: pd.DataFrame, credibility: pd.DataFrame
) -> Figure:
    """A heat map of claims by Admiralty grade, each cell labelled with its count."""
    with house_style():
        fig = Figure(figsize=(6.2, 3.4), layout="constrained")
        ax = fig.subplots()
        ax.imshow(counts.to_numpy(), cmap="Greys", vmin=0, vmax=max(counts.max().max(), 1) * 1.4)
        peak = counts.max().max()
        for (r, c), value in pd.DataFrame(counts.to_numpy()).stack().items():
            if value:
                colour = "white" if value > peak * 0.6 else "black"
                ax.text(c, r, str(value), ha="center", va="center", color=colour, fontsize=8)
        ax.set_xticks(range(6), [f"{c}" for c in counts.columns])
        ax.set_yticks(
            range(6), texts(f"{r} {reliability['label'].get(r, '')}" for r in counts.index)
        )
        ax.set_xlabel("Information credibility (1 confirmed … 6 cannot be judged)")
        ax.set_ylabel("Source reliability")
        ax.grid(False)
    return fig


def describe_grades(counts: pd.DataFrame) -> str:
    """Alternative text for :func:`grades_chart`."""
    cells = counts.stack()
    cells = cells[cells > 0]
    if cells.empty:
        return "Heat map of claims by Admiralty grade: no claims are on record."
    parts = [f"{r}{c}: {n}" for (r, c), n in cells.items()]
    return f"Heat map of {int(cells.sum())} claims by Admiralty grade: " + ", ".join(parts) + "."
