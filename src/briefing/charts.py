"""Charts: functions that return matplotlib Figures; they never save or show.

:func:`use_briefing_style` makes output reproducible (SVG with a fixed hash salt and
no date) and sets the inline backend to SVG so charts stay vector in the PDF.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from .analysis import format_count

COUNTRY_COLOURS = ["#1f4e79", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#5d6d7e"]
STATUS_MARKERS = {"deployed": "o", "pledged": "s", "in_preparation": "^", "estimate": "D",
                  "projected": "v"}  # fmt: skip


def use_briefing_style() -> None:
    """Set matplotlib and the notebook's inline backend up for reproducible SVG charts."""
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "briefing",
            "svg.fonttype": "path",
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("svg", metadata={"Date": None}, bbox_inches="tight")


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
        Bars coloured by claimant country, markers by figure status, each row
        labelled with the claimant and the date of the claim or its source.
    """
    fig = Figure(figsize=(7.2, 0.45 * max(len(figures), 2) + 1.2))
    ax = fig.subplots()
    countries = list(dict.fromkeys(figures["claimant_country"]))
    colour = {c: COUNTRY_COLOURS[i % len(COUNTRY_COLOURS)] for i, c in enumerate(countries)}
    for row, fig_row in enumerate(figures.itertuples()):
        low = fig_row.quantity_high if pd.isna(fig_row.quantity_low) else fig_row.quantity_low
        c = colour[fig_row.claimant_country]
        ax.plot(
            [0 if pd.isna(fig_row.quantity_low) else low, fig_row.quantity_high],
            [row, row],
            color=c,
            linewidth=6,
            alpha=0.35,
            solid_capstyle="butt",
        )
        ax.plot(
            [fig_row.quantity_high],
            [row],
            linestyle="none",
            color=c,
            marker=STATUS_MARKERS.get(fig_row.figure_status, "o"),
            markersize=8,
        )
        ax.annotate(
            format_count(fig_row.quantity_low, fig_row.quantity_high),
            (fig_row.quantity_high, row),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(figures)), [_row_label(r) for r in figures.itertuples()])
    ax.set_xlabel("Troops claimed")
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_xlim(0, figures["quantity_high"].max() * 1.18 if len(figures) else 1)
    ax.set_ylim(-0.7, len(figures) - 0.3)
    _legends(ax, colour, figures, statuses)
    fig.tight_layout()
    return fig


def _row_label(row) -> str:
    """``Claimant (CC), 24 Oct 2024`` for a figure; the source date when the claim is undated."""
    date = row.claim_date if pd.notna(row.claim_date) else row.source_published
    return f"{row.claimant} ({row.claimant_country}), {date:%d %b %Y}"


def _legends(ax, colour: dict, figures: pd.DataFrame, statuses: pd.DataFrame) -> None:
    """Legends for claimant country (colour) and figure status (marker)."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, linewidth=6, alpha=0.5, label=k) for k, c in colour.items()]
    for status in dict.fromkeys(figures["figure_status"]):
        label = statuses["label"].get(status, status)
        handles.append(
            Line2D(
                [],
                [],
                color="#444",
                linestyle="none",
                marker=STATUS_MARKERS.get(status, "o"),
                label=label,
            )
        )
    ax.legend(handles=handles, loc="lower right", fontsize=7.5, frameon=False)
