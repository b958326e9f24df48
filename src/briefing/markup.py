"""Turn data into HTML for the notebook's outputs, escaping every value on the way.

Text from claims, sources and parameters is data, never markup: :func:`escape` is the one
place where it becomes HTML, and every builder here goes through it.
"""

from __future__ import annotations

import html

import pandas as pd


def escape(value: object) -> str:
    """Escape any value as HTML text (``&``, ``<``, ``>``, quotes); blank for missing values."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if value is pd.NaT:
        return ""
    return html.escape(str(value), quote=True)


def paragraph(text: str, css_class: str = "") -> str:
    """A ``<p>`` holding ``text`` as plain text."""
    attribute = f' class="{escape(css_class)}"' if css_class else ""
    return f"<p{attribute}>{escape(text)}</p>"


def heading(text: str, level: int = 2, anchor: str = "") -> str:
    """A section heading holding ``text`` as plain text, with an optional id."""
    attribute = f' id="{escape(anchor)}"' if anchor else ""
    return f"<h{level}{attribute}>{escape(text)}</h{level}>"


def table(frame: pd.DataFrame, caption: str = "", numeric: tuple[str, ...] = ()) -> str:
    """An HTML table of ``frame``: header row, one row per record, every cell escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
        What to show; column names become the header.
    caption : str
        Text of the ``<caption>``.
    numeric : tuple of str
        Columns aligned right with tabular figures.

    Returns
    -------
    str
    """

    def cell(tag: str, column: str, value: object) -> str:
        css = ' class="num"' if column in numeric else ""
        scope = ' scope="col"' if tag == "th" else ""
        return f"<{tag}{css}{scope}>{escape(value)}</{tag}>"

    head = "".join(cell("th", c, c) for c in frame.columns)
    rows = "".join(
        "<tr>"
        + "".join(cell("td", c, v) for c, v in zip(frame.columns, row, strict=True))
        + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def source_heading(source) -> str:
    """A heading naming a source: its title, then outlet and publication date."""
    line = f"{source.outlet}, {source.published:%-d %B %Y}"
    return f'<h3 id="{escape(source.source_id)}">{escape(source.title)}</h3>' + paragraph(
        line, "source-line"
    )
