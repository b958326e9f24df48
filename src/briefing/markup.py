"""Turn data into HTML for the notebook's outputs, escaping every value on the way.

Text from claims, sources and parameters is data, never markup: :func:`escape` is the one
place where it becomes HTML, and every builder here goes through it (:func:`escape_all` and
:func:`escape_column` give, for a whole column at once, the texts it gives each value).
"""

from __future__ import annotations

import functools
import html
import re

import pandas as pd

from .text import arrow_bytes, joined, obeyed_utf8, visible

#: The file a render's kernel writes the appendix's listing of every claim to, and the
#: comments around the listing in the notebook's output, which the render replaces by it.
LISTING_FILE = "listing.html"
LISTING_START, LISTING_END = "<!-- briefing:listing -->", "<!-- /briefing:listing -->"


def listing(blocks):
    """Yield the appendix's listing: :data:`LISTING_START`, the blocks of HTML, then
    :data:`LISTING_END` (``"".join`` it, or write it a block at a time)."""
    yield LISTING_START
    yield from blocks
    yield LISTING_END


def escape(value: object) -> str:
    """Turn any value into inert HTML text: the one place where data becomes HTML.

    ``&``, ``<``, ``>`` and quotes are escaped, so nothing in the value can open a tag,
    an attribute or an entity; control, format and separator characters are shown, not
    obeyed (:func:`briefing.text.visible`, the one text policy).
    Missing values give an empty string.
    """
    return html.escape(visible(_text(value)), quote=True)


def escape_all(values) -> list[str]:
    """:func:`escape` of each value, a whole column at once: the values are joined by line
    breaks (which neither step changes: both work a character at a time) and escaped as one
    text, then cut apart again, a value that holds line breaks itself taking as many pieces
    as it has lines. A table of a hundred thousand rows is escaped at C speed."""
    texts = [value if type(value) is str else _text(value) for value in values]
    if not texts:
        return []
    pieces = html.escape(visible("\n".join(texts)), quote=True).split("\n")
    if len(pieces) == len(texts):
        return pieces
    escaped, at = [], 0
    for text in texts:
        lines = text.count("\n") + 1
        escaped.append("\n".join(pieces[at : at + lines]))
        at += lines
    return escaped


def _text(value: object) -> str:
    """A value as text; missing values (None, NA, NaT, NaN) give an empty string."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    return str(value)


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
    return linked_table(frame, caption=caption, numeric=numeric)


def source_heading(source) -> str:
    """A heading naming a source: its title, then outlet and publication date."""
    line = f"{source.outlet}, {source.published:%-d %B %Y}"
    return f'<h3 id="{escape(source.source_id)}">{escape(source.title)}</h3>' + paragraph(
        line, "source-line"
    )


def claim_links(claim_ids) -> str:
    """Links to claims in the appendix: ``<a href="#C0001">C0001</a>, …``; a string
    (such as ``95 claims (listed in the attached claims.csv)``) is shown as text."""
    if isinstance(claim_ids, str):
        return escape(claim_ids)
    return ", ".join(f'<a href="#{escape(c)}">{escape(c)}</a>' for c in claim_ids)


CHART_FONTS = b"'Briefing Sans', 'DejaVu Sans', 'Briefing Hangul', Verdana, sans-serif"


def figure(fig, caption: str, alt: str) -> str:
    """A chart as a ``<figure>``: vector SVG embedded as data, alt text and a caption."""
    return _figure_html(svg_of(fig), caption, alt)


def chart(draw, *args, caption: str, alt: str) -> str:
    """:func:`figure` of ``draw(*args)``, a chart function of :mod:`briefing.charts`.

    Where a chart cache is set up (:mod:`briefing.chart_cache`, ``briefing preview``), a
    chart drawn before from the same inputs by the same code is taken from it, not drawn.
    """
    from . import chart_cache

    where = chart_cache.folder()
    if where is None:
        return figure(draw(*args), caption, alt)
    name = chart_cache.key(draw, args)
    svg = chart_cache.get(where, name)
    if svg is None:
        svg = svg_of(draw(*args))
        chart_cache.put(where, name, svg)
    return _figure_html(svg, caption, alt)


def svg_of(fig) -> bytes:
    """A chart's SVG bytes.

    The SVG is written with the house style's fixed hash salt and no date, so the same
    chart gives the same bytes every time. Text stays text (selectable, searchable, and
    ten times cheaper for WeasyPrint to lay out than glyph outlines), set in the briefing's
    pinned fonts, with common fallbacks for browsers.

    The figure's layout (constrained layout) is run once here, with the SVG renderer, and
    then frozen: ``savefig`` would otherwise draw the whole figure a second time only to
    run it. The bytes are the same; the chart is written about a quarter faster.
    """
    import io

    import matplotlib

    buffer = io.BytesIO()
    settings = {"svg.hashsalt": "briefing", "svg.fonttype": "none", "savefig.format": "svg"}
    with matplotlib.rc_context(settings):
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.execute(fig)  # measures text with the SVG renderer (savefig.format)
            fig.set_layout_engine(None)
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = re.sub(rb"<!--.*?-->", b"", buffer.getvalue(), flags=re.DOTALL)  # text copies
    return svg.replace(b"'DejaVu Sans'", CHART_FONTS)


def _figure_html(svg: bytes, caption: str, alt: str) -> str:
    """The ``<figure>`` of an SVG chart, with its alt text and caption."""
    import base64

    data = base64.b64encode(svg).decode("ascii")
    return (
        f'<figure class="chart"><img src="data:image/svg+xml;base64,{data}" '
        f'alt="{escape(alt)}"><figcaption>{escape(caption)}</figcaption></figure>'
    )


def judgment_list(table: pd.DataFrame) -> str:
    """Key judgments as an ordered list: text, likelihood, confidence, cited claims, and
    (column ``note``, when present) why a judgment is flagged, with the newer claims."""
    items = []
    for row in table.to_dict("records"):
        meta = (
            f"Likelihood: {escape(row['likelihood'])} · Confidence: {escape(row['confidence'])}"
            f" · Based on: {claim_links(row['claim_ids'])}"
        )
        note = ""
        if row.get("note"):
            newer = row.get("newer_claims") or []
            shown = f" Newer claims: {claim_links(newer[:8])}" if newer else ""
            shown += f" and {len(newer) - 8} more." if len(newer) > 8 else ""
            note = f'<p class="judgment-review">{escape(row["note"])}{shown}</p>'
        items.append(
            f'<li id="{escape(row["judgment_id"])}"><p class="judgment">'
            f"<strong>{escape(row['judgment_id'])}.</strong> {escape(row['text'])}</p>"
            f'<p class="judgment-meta">{meta}</p>{note}</li>'
        )
    return '<ol class="judgments">' + "".join(items) + "</ol>"


def linked_table(
    frame: pd.DataFrame,
    links: tuple[str, ...] = (),
    row_id: str = "",
    caption: str = "",
    numeric: tuple[str, ...] = (),
    css_class: str = "",
    row_classes: list[str] | None = None,
) -> str:
    """Like :func:`table`, but list columns in ``links`` become claim links and each row
    may carry an anchor (the value of column ``row_id``) that links elsewhere point to;
    ``css_class`` names the table's class, ``row_classes`` each row's (blank for none),
    for stylesheets."""
    body = html_of(row_array(frame, links, row_id, numeric, row_classes))
    return table_around(frame.columns, body, caption, numeric, css_class)


def row_array(
    frame: pd.DataFrame,
    links: tuple[str, ...] = (),
    row_id: str = "",
    numeric: tuple[str, ...] = (),
    row_classes: list[str] | None = None,
):
    """The ``<tr>`` of every record of ``frame``, in order (see :func:`linked_table`), as an
    Arrow text array: built a column at a time, each column escaped whole
    (:func:`escape_column`), so that the appendix of a million claims is made in Arrow,
    without a Python string per cell (:func:`html_of` gives a run of rows as text)."""
    import pyarrow as pa

    text = pa.large_string()
    if len(frame) == 0:
        return pa.array([], text)
    pieces: list = ["<tr"]
    if row_id:
        pieces += [' id="', escape_column(frame[row_id]), '"']
    if row_classes:
        shown = {css: f' class="{escape(css)}"' if css else "" for css in set(row_classes)}
        pieces.append(pa.array([shown[css] for css in row_classes], text))
    pieces.append(">")
    for column in frame.columns:
        css = ' class="num"' if column in numeric else ""
        if column in links:
            cells = pa.array([claim_links(v) for v in frame[column].tolist()], text)
        else:
            cells = escape_column(frame[column])
        pieces += [f"<td{css}>", cells, "</td>"]
    pieces.append("</tr>")
    return joined(pieces)


def html_of(rows, start: int = 0, end: int | None = None) -> str:
    """The rows ``start:end`` of a :func:`row_array` one after the other, as one text."""
    return arrow_bytes(rows, start, end).decode("utf-8")


#: What :func:`html.escape` (``quote=True``) replaces, in its order: ``&`` first.
HTML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))


def escape_column(values):
    """:func:`escape_all` of a column (a pandas Series), as an Arrow text array.

    A column of text with nothing :func:`briefing.text.visible` would show (the test, made
    on all its texts at once, is the one :func:`escape` makes) needs only the replacements
    of :data:`HTML_ESCAPES`, which Arrow makes; any other column goes through
    :func:`escape_all`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.large_string()
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return pa.array(escape_all(values.tolist()), text)
    cells = pc.fill_null(pa.array(values.array).cast(text), "")
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    data = arrow_bytes(cells)
    if not obeyed_utf8(data):
        return pa.array(escape_all(cells.to_pylist()), text)
    for character, entity in HTML_ESCAPES:
        if character.encode() in data:  # ids, grades and dates hold none: no pass over them
            cells = pc.replace_substring(cells, character, entity)
    return cells


def table_around(
    columns, body: str, caption: str = "", numeric: tuple[str, ...] = (), css_class: str = ""
) -> str:
    """A table with a header row of ``columns`` around ``body`` (rows of :func:`row_array`)."""
    head = _header_row(tuple(columns), tuple(numeric))
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    attribute = f' class="{escape(css_class)}"' if css_class else ""
    return f"<table{attribute}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@functools.lru_cache(maxsize=64)
def _header_row(columns: tuple, numeric: tuple) -> str:
    """The header cells of a table (made once for the many tables of the appendix)."""

    def header(column: str) -> str:
        css = ' class="num"' if column in numeric else ""
        return f'<th scope="col"{css}>{escape(column)}</th>'

    return "".join(header(c) for c in columns)


def sentences(items) -> str:
    """A paragraph of sentences, each escaped."""
    return "<p>" + " ".join(escape(s) for s in items) + "</p>"


def bullet_list(items) -> str:
    """An unordered list of plain-text items."""
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
