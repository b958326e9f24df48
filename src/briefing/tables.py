"""Read the CSV tables analysts keep (claims, codebooks, judgments) with their line numbers.

Spreadsheets and editors number physical lines, header first; a quoted cell may span
several lines. :func:`read_table` keeps, for every record, the line on which it starts,
so that every later error can say ``path:line:column``. A table may also come as Parquet
(``.parquet``: the same columns; what a feed or a database export writes): its records are
numbered by row, the first row 1, and every cell is read as text, as a CSV cell is.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import Problem, display_path
from .inputs import UnreadableInputError, read_input
from .text import BOM, field_problem, shown


@dataclass
class Table:
    """A CSV file read as text, every cell a ``str``.

    Attributes
    ----------
    path : str
        The file as shown in messages.
    header : list of str
        The column names, in file order.
    frame : pandas.DataFrame
        One row per record, indexed by the line on which the record starts.
    problems : list of Problem
        What made records or the file unreadable.
    """

    path: str
    header: list[str]
    frame: pd.DataFrame
    problems: list[Problem]


def _decode(data: bytes, where: str) -> tuple[str, list[Problem]]:
    """Decode UTF-8 (a leading byte-order mark is dropped); locate bytes that are not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 4]
        problem = Problem(where, line, "", f"bytes {bad!r} are not UTF-8; save the file as UTF-8")
        return "", [problem]
    return text.removeprefix(BOM), []


CSV_ERRORS = {
    "unexpected end of data": "a quoted cell that starts in this record is never closed",
    "field larger than field limit": "a cell in this record is longer than {limit:,} characters",
}


class _RecordError(Exception):
    """A CSV record that cannot be read, at the line where the record starts."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Split CSV text into (first line, cells) records, skipping blank lines.

    Raises :class:`_RecordError` with the line on which an unreadable record starts.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, next_line = [], 1
    try:
        for cells in reader:
            if cells:
                records.append((next_line, cells))
            next_line = reader.line_num + 1
    except csv.Error as exc:
        reason = str(exc)
        for start, message in CSV_ERRORS.items():
            if reason.startswith(start):
                reason = message.format(limit=csv.field_size_limit())
        raise _RecordError(next_line, f"is not valid CSV: {reason}") from exc
    return records


def read_table(path: Path | str) -> Table:
    """Read a CSV file into a :class:`Table` of strings with line numbers.

    Parameters
    ----------
    path : Path or str
        The CSV file: UTF-8 (with or without a byte-order mark), LF or CRLF line
        endings, cells quoted as spreadsheets write them.

    Returns
    -------
    Table
        Records that have as many cells as the header, and a problem for every
        record or file that could not be read.
    """
    where = display_path(path)
    try:
        data = read_input(path)
    except UnreadableInputError as exc:
        return _empty(where, [Problem(where, 0, "", exc.problems[0].message)])
    if is_parquet(path):
        return _parquet_table(data, where)
    text, problems = _decode(data, where)
    if problems:
        return _empty(where, problems)
    try:
        records = _records(text)
    except _RecordError as exc:
        return _empty(where, [Problem(where, exc.line, "", str(exc))])
    if not records:
        return _empty(where, [Problem(where, 1, "", "the file is empty; expected a header row")])
    (_, header), rows = records[0], records[1:]
    good, lines = [], []
    for line, cells in rows:
        if len(cells) != len(header):
            message = f"this row has {len(cells)} cells; the header has {len(header)}"
            problems.append(Problem(where, line, "", message))
            continue
        good.append(cells)
        lines.append(line)
    frame = pd.DataFrame(good, columns=header, index=pd.Index(lines, name="line"), dtype=object)
    return Table(where, header, frame, problems)


def records_frame(data: bytes, first_line: int, header: list[str]) -> pd.DataFrame | None:
    """The records in ``data`` (CSV bytes that start at a record on line ``first_line``) as a
    frame of text cells under ``header``, indexed by line, as :func:`read_table` makes them.

    ``None`` when the bytes are not UTF-8, not valid CSV on their own (a quoted cell left
    open at the end) or a record has another number of cells: :func:`read_table` of the
    whole file then names the problem.
    """
    try:
        records = _records(data.decode("utf-8"))
    except (UnicodeDecodeError, _RecordError):
        return None
    if any(len(cells) != len(header) for _, cells in records):
        return None
    lines = pd.Index([first_line + line - 1 for line, _ in records], name="line")
    return pd.DataFrame([cells for _, cells in records], columns=header, index=lines, dtype=object)


def is_parquet(path: Path | str) -> bool:
    """Whether a table is a Parquet file (by its name: ``.parquet``)."""
    return Path(path).suffix.lower() == ".parquet"


def _parquet_table(data: bytes, where: str) -> Table:
    """A Parquet file's rows as a :class:`Table` of text cells, numbered from 1.

    Every column is cast to text as pyarrow writes values (``10000``, ``2024-10-24``); a
    missing value is an empty cell, as in a CSV file. The rules then apply unchanged. See
    :func:`parquet_cells`.
    """
    cells = parquet_cells(data, where)
    if isinstance(cells, Table):
        return cells
    return cells_table(cells, where, pd.RangeIndex(1, cells.num_rows + 1, name="line"))


def cells_table(cells, where: str, lines: pd.Index) -> Table:
    """A :class:`Table` of Arrow text ``cells`` (a Python string per cell, as the rules
    read a CSV table's), its records on ``lines``."""
    import numpy as np

    columns = {name: column.to_numpy(zero_copy_only=False) if len(column) else
               np.array([], dtype=object) for name, column in zip(
                   cells.column_names, cells.columns, strict=True)}  # fmt: skip
    frame = pd.DataFrame(columns, index=lines, dtype=object)
    return Table(where, cells.column_names, frame, [])


def parquet_cells(data: bytes, where: str):
    """A Parquet file's cells as an Arrow table of text (each column cast to text as
    pyarrow writes values, a missing value empty), or a :class:`Table` of the problems that
    refuse the file (see :func:`parquet_batches`)."""
    import pyarrow as pa

    try:
        batches = parquet_batches(data, where)
        header = next(batches)
        parts = [pa.table({name: pa.array([], pa.string()) for name in header}), *batches]
    except ParquetRefused as refused:
        return refused.table
    return pa.concat_tables(parts).combine_chunks()


class ParquetRefused(Exception):
    """A Parquet file cannot be read as a table; ``table`` carries the problems."""

    def __init__(self, table: Table):
        super().__init__(table.problems[0].message)
        self.table = table


def parquet_batches(data: bytes, where: str, rows: int = 65536):
    """A Parquet file's header (its column names), then its cells ``rows`` records at a
    time, each batch an Arrow table of text columns (each cast to text as pyarrow writes
    values, a missing value empty).

    Each batch is checked as it is decoded: text that is not UTF-8 is located by column
    and rows, and a file whose text decodes to more than a CSV table may hold (a few
    compressed bytes can stand for gigabytes) is refused before it fills the memory.

    Raises
    ------
    ParquetRefused
        The file is not readable, names a column twice, or breaks either limit.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .inputs import SIZE_LIMITS

    def refuse(column: str, message: str) -> ParquetRefused:
        return ParquetRefused(_empty(where, [Problem(where, 0, column, message)]))

    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        header = [str(name) for name in parquet.schema_arrow.names]
        twice = sorted({name for name in header if header.count(name) > 1})
        if twice:
            raise refuse(twice[0], "appears as two columns; expected each column once")
        yield header
        first, decoded, limit = 1, 0, SIZE_LIMITS[".parquet"]
        for batch in parquet.iter_batches(batch_size=rows):
            last, texts = first + batch.num_rows - 1, []
            for name, column in zip(header, batch.columns, strict=True):
                try:
                    text = (
                        column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
                    )
                    text.validate(full=True)
                except pa.ArrowException:
                    found = f"in rows {first}\u2013{last}: found {column.type} that cannot be"
                    raise refuse(name, f"{found} read as UTF-8 text; expected text") from None
                decoded += text.nbytes
                if decoded > limit:
                    raise refuse("", f"holds more than {limit:,} bytes of text once "
                                     f"decoded; expected at most {limit:,}")  # fmt: skip
                texts.append(pc.fill_null(text, ""))
            yield pa.table(texts, names=header)
            first = last + 1
    except (pa.ArrowException, OSError) as exc:
        raise refuse("", f"is not a readable Parquet file: {exc}") from exc


def arrow_frame(table, **options) -> pd.DataFrame:
    """An Arrow table as a pandas frame whose text columns stay Arrow strings (pandas'
    ``string[pyarrow]``), not a Python object per cell; ``options`` go to ``to_pandas``."""
    import pyarrow as pa

    text = pd.StringDtype("pyarrow")
    return table.to_pandas(types_mapper={pa.string(): text, pa.large_string(): text}.get, **options)


def _empty(where: str, problems: list[Problem]) -> Table:
    """A table with no header and no rows, carrying the problems that prevented reading."""
    return Table(where, [], pd.DataFrame(dtype=object), problems)


def rule(test, expected: str, *, allow_blank: bool = True, vectorized: bool = False):
    """Build a pandera check for one cell rule.

    Parameters
    ----------
    test : callable
        ``test(cell) -> bool`` for a non-blank cell (a ``str``); with ``vectorized``,
        ``test(column) -> bool Series`` for a whole column of strings (fast on large tables).
    expected : str
        What a valid cell looks like; becomes the end of the error message.
    allow_blank : bool
        Whether a blank cell passes without calling ``test``.
    vectorized : bool
        Whether ``test`` takes the whole column.

    Returns
    -------
    pandera.Check
    """
    import pandera.pandas as pa

    if vectorized:
        return pa.Check(
            lambda column: (column == "") & allow_blank | test(column),
            error=expected,
            ignore_na=False,  # cells are text, never missing: no column-long search for NA
        )

    def check(cell: str) -> bool:
        if cell == "":
            return allow_blank
        return bool(test(cell))

    return pa.Check(check, element_wise=True, error=expected, ignore_na=False)


def validate_cells(table: Table, columns: dict[str, list]) -> list[Problem]:
    """Check a table's columns and cells against per-column rules with pandera.

    Parameters
    ----------
    table : Table
        The table as read by :func:`read_table`.
    columns : dict
        Column name to the list of checks (from :func:`rule`) its cells must pass.
        Every listed column is required and no other column is allowed.

    Returns
    -------
    list of Problem
        One problem per missing or unknown column and per failing cell.
    """
    import pandera.pandas as pa

    problems = _header_problems(table, list(columns))
    present = {name: checks for name, checks in columns.items() if name in table.header}
    schema = pa.DataFrameSchema(
        # cells are read as text and never missing: pandera need not look for NA
        {name: pa.Column(object, checks, nullable=True) for name, checks in present.items()}
    )
    frame = table.frame.loc[:, ~table.frame.columns.duplicated()]
    try:
        schema.validate(frame[list(present)], lazy=True)
    except pa.errors.SchemaErrors as exc:
        for case in exc.failure_cases.itertuples():
            message = f"found {shown(case.failure_case)}; expected {case.check}"
            problems.append(Problem(table.path, int(case.index), case.column, message))
    return problems


def _header_problems(table: Table, expected: list[str]) -> list[Problem]:
    """Missing, unknown and repeated columns, all reported on the header line."""
    if not table.header:
        return []
    listing = ", ".join(expected)
    problems = [
        Problem(table.path, 1, name, f"required column is missing; expected columns: {listing}")
        for name in expected
        if name not in table.header
    ]
    seen = set()
    for name in table.header:
        if name in seen:
            problems.append(Problem(table.path, 1, name, "column appears twice in the header"))
        elif name not in expected:
            hint = f" (remove the spaces: {name.strip()!r})" if name.strip() in expected else ""
            message = f"unknown column{hint}; expected only: {listing}"
            problems.append(Problem(table.path, 1, name, message))
        seen.add(name)
    return problems


def check_table(table: Table, columns: dict[str, list], rows_name: str = "") -> list[Problem]:
    """Reading problems, then column and cell problems, of a table.

    Parameters
    ----------
    table : Table
        As read by :func:`read_table`.
    columns : dict
        Column name to its cell checks, as for :func:`validate_cells`.
    rows_name : str
        When given (e.g. ``"claims"``), a table with a header but no rows is a problem.

    Returns
    -------
    list of Problem
    """
    problems = list(table.problems)
    if rows_name and table.header and table.frame.empty and not problems:
        message = f"the table has a header but no {rows_name}; expected at least one row"
        problems.append(Problem(table.path, 1, "", message))
    if not table.header or (problems and table.frame.empty):
        return problems
    return problems + validate_cells(table, columns) + text_problems(table)


#: Columns that hold prose: several lines, and format characters shown rather than refused
#: (:mod:`briefing.text`). Every other column is one line.
PROSE_COLUMNS = frozenset({"statement", "quote", "notes", "text", "question", "description"})
_BREAKS = str.maketrans("", "", "\t\n\r")


def text_problems(table: Table) -> list[Problem]:
    """Cells that break the text policy (:func:`briefing.text.field_problem`), located.

    A whole column is checked at once first (ordinary text passes at C speed); only a
    column holding something unusual is looked at cell by cell.
    """
    problems = []
    for column in dict.fromkeys(table.header):
        cells = table.frame[column]
        if isinstance(cells, pd.DataFrame):  # a repeated column, reported by the header check
            continue
        one_line = column not in PROSE_COLUMNS
        joined = "".join(cells)
        if (joined if one_line else joined.translate(_BREAKS)).isprintable() and (
            not one_line or joined.isascii()
        ):
            continue
        for line, value in cells.items():
            if policy := field_problem(value, one_line):
                message = f"found {shown(value)}, which {policy}"
                problems.append(Problem(table.path, int(line), column, message))
    return problems


def common_rules(names: list[str], required: tuple[str, ...]) -> dict[str, list]:
    """The rules every table shares: no padded cells, and no blank required cells."""
    rules = {name: [rule(unpadded, "no spaces around the value", vectorized=True)]
             for name in names}  # fmt: skip
    for name in required:
        rules[name].append(
            rule(
                lambda column: column != "",
                "a value (this column may not be blank)",
                allow_blank=False,
                vectorized=True,
            )
        )
    return rules


def unpadded(column: pd.Series) -> pd.Series:
    """Whether each cell has no white space around it (``str.strip`` would keep it).

    The stripped cells are compared with the cells as one list first: most columns have no
    padded cell, and then that one comparison decides them all.
    """
    cells = column.tolist()
    stripped = [cell.strip() for cell in cells]
    if stripped == cells:
        return pd.Series(True, index=column.index)
    return pd.Series([a == b for a, b in zip(cells, stripped, strict=True)], index=column.index)


def split_ids(cell: str) -> list[str]:
    """Split a cell of ids separated by spaces, commas or semicolons."""
    return [part for part in re.split(r"[\s,;]+", cell) if part]


def rows(table: Table, columns: list[str]):
    """Yield ``(line, {column: cell})`` for every record: fast, unlike ``iterrows``."""
    frame = table.frame
    for line, *values in zip(frame.index, *(frame[c] for c in columns), strict=True):
        yield int(line), dict(zip(columns, values, strict=True))


def duplicates(table: Table, column: str) -> list[tuple[int, str, int]]:
    """``(line, value, first line)`` for every non-blank value seen before in ``column``."""
    first, found = {}, []
    for line, row in rows(table, [column]):
        value = row[column]
        if value and value in first:
            found.append((line, value, first[value]))
        first.setdefault(value, line)
    return found
