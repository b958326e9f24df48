"""Fresh claim chunks read and screened in Arrow: the quick way past Python's reader and rules.

A first render of a large claims table spent most of its time reading the table with
Python's CSV reader and putting every cell to the claims rules one at a time. Nearly all
rows of a real table are ordinary: ASCII ids and codes, a known source, a valid date. This
module decides those at C speed and leaves the rest to the rules themselves:

- :func:`read_chunk` reads a chunk of a claims table with pyarrow's CSV reader and keeps
  the read only when writing its cells back as Python's CSV writer does gives the chunk's
  bytes exactly. Python's reader then reads the same cells (and the same lines), so the
  two readers can never disagree unnoticed: any other spelling of CSV is left to Python's.
- :func:`passes_rules` answers whether every row of the cells certainly passes every rule
  of :mod:`briefing.claims`. Each rule's plain case (a code of the codebook, an id like
  ``C0001``, a published source) is decided for a whole column at once; the unusual cells
  and rows (non-ASCII text, figures, notes that mention a coding, claimant spellings) are
  put to the rules' own Python functions.

Whatever is in doubt answers ``None`` or ``False``, and the claims loader then reads and
checks those chunks as before, reporting every problem with its line: the rules and their
messages live in one place, :mod:`briefing.claims`; this module only skips work they would
find nothing in.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .tables import PROSE_COLUMNS
from .text import arrow_bytes, field_problem

#: A one-line cell that the text policy or the no-padding rule must look at: anything but
#: printable ASCII, or a space at either end.
ODD_ONE_LINE = r"[^ -~]|^ | $"
#: A prose cell that they must look at: anything but printable ASCII, tabs and line breaks,
#: or white space at either end.
ODD_PROSE = r"[^\t\n\r -~]|^[\t\n\r ]|[\t\n\r ]$"


@dataclass
class Read:
    """A chunk's records: their text cells (``cells``), the line each starts on, and the
    line ending the chunk's records end with."""

    cells: pa.Table
    lines: np.ndarray
    ending: str


def csv_cells(cells):
    """A column of text as Python's CSV writer writes its cells (``QUOTE_MINIMAL``): a cell
    with a comma, a quote or a line break quoted, its quotes doubled; others as they are."""
    whole = cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells
    data = arrow_bytes(whole)  # the column's text at once: most columns hold none of them
    if not any(character in data for character in (b",", b'"', b"\r", b"\n")):
        return cells
    special = pc.match_substring_regex(cells, '[,"\r\n]')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(cells, '"', '""'), '"', "")
    return pc.if_else(special, quoted, cells)


def written_as(columns: list, ending: str, data) -> bool:
    """Whether the rows of Arrow text ``columns``, written as Python's CSV writer writes them
    (:func:`csv_cells`, each row ended by ``ending``), are exactly the bytes ``data``.

    Written :data:`BATCH_ROWS` rows at a time: the copy of a million rows never exists."""
    at, data = 0, memoryview(data)
    for begin in range(0, len(columns[0]), BATCH_ROWS):
        batch = [column.slice(begin, BATCH_ROWS) for column in columns]
        rows = pc.binary_join_element_wise(*[csv_cells(cells) for cells in batch], ",")
        written = arrow_bytes(pc.binary_join_element_wise(rows, "", ending))
        if data[at : at + len(written)] != written:
            return False
        at += len(written)
    return at == len(data)


#: Rows written at a time by :func:`written_as`.
BATCH_ROWS = 65536


def read_chunk(data: bytes, begin: int, end: int, first_line: int, header: list) -> Read | None:
    """The records of ``data[begin:end]`` (whole records, the first on line ``first_line``)
    under ``header``, read by pyarrow; ``None`` unless Python's reader would read the very
    same cells on the very same lines.

    The proof is a round trip: the cells written back with Python's quoting and the
    chunk's line ending must be the chunk's bytes. A carriage return that ends no line, a
    cell longer than Python's field limit, bytes that are not UTF-8, a blank line, a cell
    quoted that need not be: each fails it, and Python's reader decides.
    """
    returns = data.find(b"\r", begin, end) != -1
    if returns and data.count(b"\r", begin, end) != data.count(b"\r\n", begin, end):
        return None  # a lone carriage return: a line to Python's reader
    ending = "\r\n" if returns and data[end - 2 : end] == b"\r\n" else "\n"
    raw = memoryview(data)[begin:end]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(raw),
            read_options=pacsv.ReadOptions(column_names=header, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows == 0 or table.column_names != list(header):
        return None
    columns = [table[name].combine_chunks() for name in header]
    limit = csv.field_size_limit()
    if any((pc.max(pc.binary_length(column)).as_py() or 0) > limit for column in columns):
        return None  # Python's reader refuses such a cell
    if not written_as(columns, ending, raw):
        return None
    breaks = sum(pc.count_substring(column, "\n").to_numpy() for column in columns)
    starts = np.concatenate([[0], np.cumsum(1 + breaks)[:-1]]) + first_line
    return Read(pa.table(columns, names=list(header)), starts.astype("int64"), ending)


def _any(mask) -> bool:
    """Whether any value of a boolean Arrow array is true (a missing one is not)."""
    return bool(pc.any(mask).as_py())


def plain_text(cells: pa.Table) -> bool:
    """Whether every cell passes the text policy (:func:`briefing.text.field_problem`) and
    has no white space around it: printable ASCII passes at once; only other cells are put
    to the policy itself."""
    for name in cells.column_names:
        one_line = name not in PROSE_COLUMNS
        column = cells[name]
        odd = pc.match_substring_regex(column, ODD_ONE_LINE if one_line else ODD_PROSE)
        if not _any(odd):
            continue
        for value in pc.filter(column, odd).to_pylist():
            if value != value.strip() or field_problem(value, one_line):
                return False
    return True


def passes_rules(cells: pa.Table, sources, books) -> bool:
    """Whether every row of ``cells`` (text cells of the claims columns, as
    :func:`read_chunk` reads them) certainly passes every rule that
    :func:`briefing.claims.check_claims_table` checks row by row. ``False`` also when a
    plain test cannot tell: the rules then run in full and say what, if anything, is wrong.
    Ids repeated across chunks are for the caller to find, on the whole table."""
    from .claims import CLAIM_ID, CODED_COLUMNS, REQUIRED_CELLS, claimant_problems
    from .reference import codes
    from .sources import parse_date

    if not plain_text(cells):
        return False
    if any(_any(pc.equal(cells[name], "")) for name in REQUIRED_CELLS):
        return False
    ids = cells["claim_id"]
    if not pc.all(pc.match_substring_regex(ids, f"^{CLAIM_ID.pattern}$")).as_py():
        return False  # RE2's \d is ASCII, Python's is not: some ids go to the rule itself
    if pc.count_distinct(ids).as_py() != len(ids):
        return False
    for name in ("quantity_low", "quantity_high"):
        if not pc.all(pc.match_substring_regex(cells[name], "^[0-9]*$")).as_py():
            return False
    for name, book in CODED_COLUMNS.items():
        column = cells[name]
        known = pc.is_in(column, value_set=pa.array(codes(books, book), pa.string()))
        if not pc.all(pc.or_(known, pc.equal(column, ""))).as_py():
            return False
    if any(u and parse_date(u) is None for u in pc.unique(cells["claim_date"]).to_pylist()):
        return False
    problem = claimant_problems(books)
    if any(problem(claimant) for claimant in pc.unique(cells["claimant"]).to_pylist()):
        return False
    return _cite_published(cells, sources) and _figures_and_notes_pass(cells, books)


def _cite_published(cells: pa.Table, sources) -> bool:
    """Whether every row cites a known source and was said on or before its publication."""
    source_ids = pa.array(sources["source_id"].tolist(), pa.string())
    at = pc.index_in(cells["source_id"], value_set=source_ids)
    if at.null_count:
        return False
    published = pa.array(sources["published"].dt.date.tolist(), pa.date32())
    dates = cells["claim_date"]
    said = pc.strptime(pc.if_else(pc.equal(dates, ""), None, dates), "%Y-%m-%d", "s")
    return not _any(pc.greater(said.cast(pa.date32()), pc.take(published, at)))


def _figures_and_notes_pass(cells: pa.Table, books) -> bool:
    """Whether the rows with a figure, or notes that may state a coding, pass the figure and
    notes rules (their own functions, row by row); the other rows have nothing for them."""
    from .claims import FIGURE_COLUMNS, figure_problems, notes_problems

    names = ["quantity_low", "quantity_high", *FIGURE_COLUMNS]
    look = pc.or_(
        pc.invert(_all_blank(cells, names)),
        pc.match_substring_regex(cells["notes"], "coded|quantity_|Status"),
    )
    if not _any(look):
        return True
    statuses = set(books["figure_statuses"].index)
    columns = [*names, "quote", "notes"]
    rows = cells.select(columns).filter(look).to_pylist()
    return not any(figure_problems(row) or notes_problems(row, statuses) for row in rows)


def _all_blank(cells: pa.Table, names: list[str]):
    """Whether each row's cells in ``names`` are all blank."""
    blank = pc.equal(cells[names[0]], "")
    for name in names[1:]:
        blank = pc.and_(blank, pc.equal(cells[name], ""))
    return blank
