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

from .analysis import format_count, format_date, join_names

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


def troop_figures_chart(figures: pd.DataFrame, statuses: pd.DataFrame) -> Figure:
    """A range chart of claimed troop figures: one row per figure, a bar from low to high.

    Parameters
    ----------
    figures : pandas.DataFrame
        From :func:`briefing.analysis.troop_figures`.
    statuses : pandas.DataFrame
        The ``figure_statuses`` codebook, for the legend's labels.

    Returns
    -------
    matplotlib.figure.Figure
        Bars coloured by claimant country, markers by figure status, each row labelled
        with the claimant and the date of the claim (or of its source when undated).
    """
    with house_style():
        fig = _figure(7.0, len(figures))
        ax = fig.subplots()
        colour = country_colours(figures["claimant_country"])
        for row, item in enumerate(figures.itertuples()):
            c = colour[item.claimant_country]
            start = 0 if pd.isna(item.quantity_low) else item.quantity_low
            ax.plot(
                [start, item.quantity_high],
                [row, row],
                color=c,
                linewidth=7,
                alpha=0.45,
                solid_capstyle="butt",
            )
            ax.plot(
                [item.quantity_high],
                [row],
                linestyle="none",
                color=c,
                markersize=8,
                marker=STATUS_MARKERS.get(item.figure_status, "o"),
                markeredgecolor="black",
            )
            ax.annotate(
                format_count(item.quantity_low, item.quantity_high),
                (item.quantity_high, row),
                xytext=(7, 0),
                textcoords="offset points",
                va="center",
                fontsize=7.5,
            )
        ax.set_yticks(range(len(figures)), texts(_figure_label(r) for r in figures.itertuples()))
        ax.set_xlabel("Troops claimed")
        ax.set_ylabel("Claimant and date")
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.xaxis.set_major_locator(MaxNLocator(5))
        top = figures["quantity_high"].max() if len(figures) else 1
        ax.set_xlim(0, top * 1.22)
        ax.set_ylim(-0.7, max(len(figures), 1) - 0.3)
        handles = [
            Line2D([], [], color=c, linewidth=6, alpha=0.6, label=text(k))
            for k, c in colour.items()
        ]
        for status in dict.fromkeys(figures["figure_status"]):
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
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5))
    return fig


def _figure_label(row) -> str:
    """``Claimant (CC), 23 Oct 2024``; the source's date, marked "reported", when undated."""
    if pd.notna(row.claim_date):
        return f"{row.claimant} ({row.claimant_country}), {format_date(row.claim_date)}"
    reported = format_date(row.source_published)
    return f"{row.claimant} ({row.claimant_country}), reported {reported}"


def describe_troop_figures(figures: pd.DataFrame, statuses: pd.DataFrame) -> str:
    """Alternative text for :func:`troop_figures_chart`."""
    if figures.empty:
        return "Range chart of claimed troop figures: no figures are on record."
    parts = [
        f"{format_count(r.quantity_low, r.quantity_high)} "
        f"({statuses['label'].get(r.figure_status, r.figure_status)}, {r.claimant})"
        for r in figures.itertuples()
    ]
    return f"Range chart of {len(figures)} claimed troop figures, lowest first: " + "; ".join(parts)


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
    """A grid of claimants (rows) against topics (columns): asserts, denies or both.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`briefing.analysis.who_says_what`.
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
        ax.set_ylabel("Claimant (country)")
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
        return "Grid of claimants against topics: no claims are on record."
    denying = [
        who
        for who in matrix.index
        if (matrix.loc[who] != "asserts").any()
        and (matrix.loc[who] != "").any()
        and (matrix.loc[who] == "denies").any()
    ]
    text = (
        f"Grid of {len(matrix)} claimants against {len(matrix.columns)} topics, "
        "marking which topics each claimant asserts or denies."
    )
    if denying:
        text += " Claimants who deny: " + join_names(denying) + "."
    return text


def corroboration_chart(table: pd.DataFrame) -> Figure:
    """Grouped bars: claimants, countries and sources behind each key judgment."""
    with house_style():
        fig = _figure(7.0, len(table), per_row=0.55)
        ax = fig.subplots()
        measures = [
            ("claimants", PALETTE[0], None),
            ("countries", PALETTE[1], None),
            ("sources", PALETTE[4], None),
        ]
        height = 0.26
        for k, (name, colour, hatch) in enumerate(measures):
            positions = [i + (k - 1) * height for i in range(len(table))]
            ax.barh(
                positions,
                table[name],
                height=height,
                color=colour,
                hatch=hatch,
                edgecolor="black",
                linewidth=0.5,
                label=f"independent {name}",
            )
        ax.set_yticks(range(len(table)), texts(table["judgment_id"]))
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Number supporting the judgment")
        ax.set_ylabel("Key judgment")
        fig.legend(loc="outside lower center", ncols=3)
    return fig


def describe_corroboration(table: pd.DataFrame) -> str:
    """Alternative text for :func:`corroboration_chart`."""
    if table.empty:
        return "Bar chart of corroboration: no key judgments are on record."
    parts = [
        f"{r.judgment_id}: {r.claimants} claimants, {r.countries} countries, {r.sources} sources"
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
