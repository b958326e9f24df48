"""The curated claims table: load, validate, and anchor every quote in its source.

``data/claims/claims.csv`` holds one row per claim. :func:`load_claims` checks every
rule at once and raises :class:`~briefing.errors.ClaimValidationError` listing each
problem as ``path:line:column: message`` (the header is line 1). On success it
returns a typed DataFrame with each quote's character offsets in its source
(``quote_start``, ``quote_end``).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .actors import closest_actors, name_index, normal_name, resolve, roots
from .errors import ClaimValidationError, InvalidInputError, Problem, display_path
from .figure_text import analysts_coding, bound_kinds, noted_coding, unstated_bounds
from .inputs import InputBytes, read_input, read_input_parts
from .reference import codebook_rule
from .sources import parse_date
from .tables import (
    BOM,
    ParquetRefused,
    Table,
    cells_table,
    check_table,
    common_rules,
    duplicates,
    is_parquet,
    parquet_batches,
    read_table,
    records_frame,
    rows,
    rule,
    shown,
)
from .text import arrow_bytes, field_problem, whole_number

CLAIM_COLUMNS = [
    "claim_id", "source_id", "claimant", "claimant_role", "claimant_country", "claim_date",
    "topic", "statement", "quote", "figure_text", "quantity_low", "quantity_high", "indicator",
    "figure_status", "stance", "source_reliability", "info_credibility", "notes",
]  # fmt: skip
#: What a figure needs besides its bounds: what it counts, its status, its words.
FIGURE_COLUMNS = ("indicator", "figure_status", "figure_text")

#: Coded columns and the codebook (``data/reference/<name>.csv``) that lists their values.
CODED_COLUMNS = {
    "claimant_country": "countries",
    "topic": "topics",
    "indicator": "indicators",
    "figure_status": "figure_statuses",
    "stance": "stances",
    "source_reliability": "source_reliability",
    "info_credibility": "info_credibility",
}

REQUIRED_CELLS = (
    "claim_id", "source_id", "claimant", "claimant_country", "topic", "statement", "quote",
    "stance", "source_reliability", "info_credibility", "notes",
)  # fmt: skip

CLAIM_ID = re.compile(r"C\d{4,}")
TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _column_rules(books: dict[str, pd.DataFrame]) -> dict[str, list]:
    """The pandera checks of every claims column, cell by cell."""
    rules = common_rules(CLAIM_COLUMNS, REQUIRED_CELLS)
    rules["claim_id"].append(
        rule(
            lambda column: column.str.fullmatch(CLAIM_ID.pattern),
            "an id like C0001 (C and 4+ digits)",
            vectorized=True,
        )
    )
    rules["claim_date"].append(rule(parse_date, "a real calendar date YYYY-MM-DD, or blank"))
    for name in ("quantity_low", "quantity_high"):
        rules[name].append(
            rule(
                lambda column: column.str.fullmatch("[0-9]+"),
                "a whole number of 0 or more, digits only",
                vectorized=True,
            )
        )
    for name, book in CODED_COLUMNS.items():
        rules[name].append(codebook_rule(books, book))
    return rules


def figure_problems(row: dict) -> list[tuple[str, str]]:
    """``(column, message)`` for what is wrong with a row's figure (see :mod:`.figures`)."""
    low, high, words = row["quantity_low"], row["quantity_high"], row["figure_text"]
    counted, problems = low != "" or high != "", []
    if whole_number(low) and whole_number(high) and int(low) > int(high):
        return [("quantity_low", f"found {low} above quantity_high {high}; expected low <= high")]
    for name in FIGURE_COLUMNS:
        if counted and row[name] == "":
            problems.append((name, f"is blank but a quantity is given; expected a {name}"))
        elif not counted and row[name] != "":
            problems.append((name, f"found {shown(row[name])} but no quantity; expected blank"))
    if not counted or words == "":
        return problems
    if row["quote"] and find_quote(words, row["quote"]) is None:
        problems.append(
            (
                "figure_text",
                f"found {shown(words)}, which is not in the quote; expected the "
                "figure as the claimant's words in the quote state it",
            )
        )
    unstated = unstated_bounds(words, low, high)
    if unstated and not analysts_coding(row["notes"]):
        problems.append(
            (
                "quantity_low" if low in unstated else "quantity_high",
                f"found {' and '.join(unstated)}, not a number in figure_text {shown(words)}; "
                "expected the figure's words, or notes that say the bounds are the "
                "analyst's coding",
            )
        )
    return problems


def notes_problems(row: dict, statuses) -> list[tuple[str, str]]:
    """``(column, message)`` where ``notes`` describe a coding the row does not have
    ("coded 3000/3000" over blank quantities, "Status deployed" over another status)."""
    wrong: dict[str, list[str]] = {}  # each mention once, with every cell it contradicts
    for column, value, written in noted_coding(row["notes"], statuses):
        if row[column] != value:
            has = shown(row[column]) if row[column] else "blank"
            wrong.setdefault(written, []).append(f"{column} is {has}")
    return [
        (
            "notes",
            f"says {shown(written)} but {' and '.join(cells)}; expected notes that describe "
            "the row's own coding (or a row coded as its notes say)",
        )
        for written, cells in wrong.items()
    ]


def _claimant_problem(claimant: str, actors: pd.DataFrame, index: dict) -> str | None:
    """Why ``claimant`` names no single actor, with the closest ones; ``None`` if it does."""
    if claimant == "" or resolve(claimant, index):
        return None
    owners = index.get(normal_name(claimant), [])
    if len(owners) > 1:
        return f"found {shown(claimant)}, which names several actors ({', '.join(owners)})"
    near = closest_actors(claimant, actors)
    hint = f"; closest: {', '.join(near)}" if near else ""
    return (
        f"found {shown(claimant)}, which is no actor's name or alias; expected an actor "
        f"from data/reference/actors.csv (add the spelling to its aliases){hint}"
    )


def claimant_problems(books):
    """``problem(claimant)``: why a claimant cell names no single actor of the codebook, or
    ``None`` (also for a cell the text policy refuses: that rule reports it). Remembered
    per spelling: a claimant is typed on many rows."""
    actors = books["actors"]
    index = name_index(actors)

    @functools.cache
    def problem(claimant: str) -> str | None:
        if field_problem(claimant, one_line=True):
            return None
        return _claimant_problem(claimant, actors, index)

    return problem


def _row_problems(table: Table, sources: pd.DataFrame, books) -> list[Problem]:
    """Rules that involve several cells of a row, or other files."""
    problems = []
    published = dict(zip(sources["source_id"], sources["published"].dt.date, strict=True))
    statuses = set(books["figure_statuses"].index)

    def add(line, column: str, message: str) -> None:
        problems.append(Problem(table.path, int(line), column, message))

    columns = [
        "quantity_low",
        "quantity_high",
        *FIGURE_COLUMNS,
        "quote",
        "notes",
        "source_id",
        "claim_date",
        "claimant",
    ]
    parse_day = functools.cache(parse_date)  # the same dates recur on many rows
    claimant_problem = claimant_problems(books)

    for line, row in rows(table, columns):
        for column, message in figure_problems(row) + notes_problems(row, statuses):
            add(line, column, message)
        if message := claimant_problem(row["claimant"]):
            add(line, "claimant", message)
        if row["source_id"] != "" and row["source_id"] not in published:
            add(
                line,
                "source_id",
                f"found {row['source_id']!r}; expected the id of a file in "
                "data/sources (no such source)",
            )
        said = parse_day(row["claim_date"])
        if said and row["source_id"] in published and said > published[row["source_id"]]:
            add(
                line,
                "claim_date",
                f"found {said}, after the source was published "
                f"({published[row['source_id']]}); expected a date on or before it",
            )
    for line, value, first in duplicates(table, "claim_id"):
        add(
            line, "claim_id", f"found {value!r} again (first on line {first}); expected a unique id"
        )
    return problems


@functools.lru_cache(maxsize=16384)
def find_quote(quote: str, text: str) -> tuple[int, int] | None:
    """Find ``quote`` in ``text``; return its ``(start, end)`` character offsets.

    The quote must stand in the text character for character, except that a run of
    white space in the quote matches any run of white space in the text (so a quote
    may be typed on one line where the source wraps it). Nothing else is normalised:
    a curly apostrophe does not match a straight one.

    Remembered per (quote, text): a process that validates again and again (``briefing
    preview``) re-anchors only the quotes whose claim or source changed.
    """
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    match = re.search(pattern, text) if pattern else None
    return (match.start(), match.end()) if match else None


def closest_passage(quote: str, text: str) -> tuple[int, str]:
    """Return the 1-based line in ``text`` and the passage most like ``quote``."""
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    block = matcher.find_longest_match(0, len(text), 0, len(quote))
    start = max(0, block.a - block.b)
    passage = text[start : start + len(quote)]
    return text.count("\n", 0, start) + 1, passage


def _quote_message(quote: str, text: str, source_id: str) -> str:
    """Explain why a quote is not found, naming the closest passage of the source."""
    if find_quote(quote.translate(TYPOGRAPHIC), text.translate(TYPOGRAPHIC)):
        return (
            f"found {shown(quote)}, which differs from source {source_id!r} only in curly "
            "versus straight quotes or apostrophes; expected the characters of the source"
        )
    line, passage = closest_passage(quote, text)
    return (
        f"found {shown(quote)}, not verbatim in source {source_id!r}; expected a span of "
        f"its text; closest passage (source text line {line}): {shown(passage, 120)}"
    )


def anchor_quotes(table: Table, sources: pd.DataFrame) -> tuple[list, list, list[Problem]]:
    """Locate every quote in its source; return start and end offsets and problems."""
    texts = dict(zip(sources["source_id"], sources["text"], strict=True))
    frame = table.frame
    starts, ends, problems = [], [], []
    cited = zip(frame.index, frame["source_id"].tolist(), frame["quote"].tolist(), strict=True)
    for line, source_id, quote in cited:
        text, span = texts.get(source_id), None
        if text is not None and quote:
            at = text.find(quote)  # what find_quote tries first, without its memo per quote
            span = (at, at + len(quote)) if at >= 0 else find_quote(quote, text)
            if span is None:
                message = _quote_message(quote, text, source_id)
                problems.append(Problem(table.path, int(line), "quote", message))
        starts.append(span[0] if span else pd.NA)
        ends.append(span[1] if span else pd.NA)
    return starts, ends, problems


def check_claims_table(table: Table, sources: pd.DataFrame, books) -> list[Problem]:
    """Every problem of a claims table read by :func:`~briefing.tables.read_table`."""
    problems = check_table(table, _column_rules(books), rows_name="claims")
    if set(CLAIM_COLUMNS) <= set(table.header) and not table.frame.empty:
        problems += _row_problems(table, sources, books)
    return problems


def typed_claims(table: Table, starts: list, ends: list, books) -> pd.DataFrame:
    """Convert validated text cells to typed columns; add the quote offsets, the actor
    (:mod:`briefing.actors`) and what each figure counts."""
    frame = table.frame[CLAIM_COLUMNS].copy()
    frame.insert(0, "line", frame.index.astype("int64"))
    frame = frame.reset_index(drop=True)
    frame["claim_date"] = pd.to_datetime(frame["claim_date"].replace("", None), format="%Y-%m-%d")
    for name in ("quantity_low", "quantity_high", "info_credibility"):
        frame[name] = pd.to_numeric(frame[name].replace("", None)).astype("Int64")
    for name in set(CLAIM_COLUMNS) - {
        "claim_date",
        "quantity_low",
        "quantity_high",
        "info_credibility",
    }:
        frame[name] = frame[name].astype("string")
    frame["quote_start"] = pd.array(starts, dtype="Int64")
    frame["quote_end"] = pd.array(ends, dtype="Int64")
    frame["grade"] = frame["source_reliability"] + frame["info_credibility"].astype("string")
    return with_actors_and_indicators(frame, books)


def with_actors_and_indicators(frame: pd.DataFrame, books) -> pd.DataFrame:
    """Add ``actor_id``, ``actor`` (the name to print), ``actor_root`` (whom it speaks for at
    the top), and each figure's ``unit``, ``indicator_label``, ``bound`` (exact, at_least,
    up_to, range) and ``coded`` (bounds that are the analyst's coding)."""
    actors, indicators = books["actors"], books["indicators"]
    index, top = name_index(actors), roots(actors)
    claimants = frame["claimant"]
    ids = _mapped(claimants, lambda claimant: resolve(claimant, index)).astype("string")
    frame["actor_id"] = ids
    frame["actor"] = _mapped(ids, actors["name"]).fillna(claimants).astype("string")
    frame["actor_root"] = _mapped(ids, top).astype("string")
    low, high = frame["quantity_low"], frame["quantity_high"]
    counted = low.notna() | high.notna()
    indicator = frame["indicator"]
    frame["unit"] = _mapped(indicator, indicators["unit"]).where(counted).astype("string")
    frame["indicator_label"] = _mapped(indicator, indicators["label"]).astype("string")
    frame["bound"] = bound_kinds(low, high)
    coded = pd.Series(False, index=frame.index)  # only a counted row's notes are read
    coded[counted] = frame.loc[counted, "notes"].fillna("").map(analysts_coding)
    frame["coded"] = (coded & counted).astype("bool[pyarrow]")
    return frame


def _mapped(column: pd.Series, mapping) -> pd.Series:
    """``column.map(mapping)``, ``mapping`` applied once per distinct value (a million
    cells hold a few hundred claimants, a few dozen indicators); missing stays missing."""
    codes, uniques = pd.factorize(column)
    values = np.append(pd.Series(uniques, dtype=object).map(mapping).to_numpy(object), None)
    return pd.Series(values[codes], index=column.index, dtype=object)


def load_claims(
    path: Path | str, sources: pd.DataFrame, books, validate: bool = True, columns=None
) -> pd.DataFrame:
    """Load, validate and anchor the claims table.

    Parameters
    ----------
    path : Path or str
        The claims CSV (``data/claims/claims.csv``).
    sources : pandas.DataFrame
        Sources from :func:`briefing.sources.load_sources`.
    books : dict
        Codebooks from :func:`briefing.reference.load_codebooks`.
    validate : bool
        Check every rule (default). ``False`` only parses, types and anchors quotes: for
        a table that was validated moments before (the render's notebook), it skips
        loading pandera.
    columns : list of str, optional
        Return only these columns (with ``claim_id``), all checked as ever: what a caller
        that only validates needs (the render's own process), without holding every
        column of a million claims.

    Returns
    -------
    pandas.DataFrame
        One row per claim, typed: ``claim_date`` datetime64 (NaT when unknown),
        ``quantity_low``/``quantity_high``/``info_credibility`` nullable integers,
        text columns as strings, plus ``line`` (where the row starts in the file),
        ``quote_start``/``quote_end`` (offsets in the source text) and ``grade``
        (the Admiralty grade, e.g. ``B2``).

    Raises
    ------
    ClaimValidationError
        Listing every problem, each as ``path:line:column: message``.
    """
    columns = None if columns is None else list(dict.fromkeys(["claim_id", *columns]))
    cached = _load_through_cache(path, sources, books, validate, columns)
    if cached is None:
        cached = _screened_table(path, sources, books, validate, columns)
    if cached is not None:
        return cached
    table = read_table(path)
    problems = check_claims_table(table, sources, books) if validate else list(table.problems)
    if {"quote", "source_id"} <= set(table.header) and not table.frame.empty:
        starts, ends, quote_problems = anchor_quotes(table, sources)
        problems += quote_problems
    if problems:
        raise ClaimValidationError(problems)
    typed = typed_claims(table, starts, ends, books)
    return typed if columns is None else typed[columns]


def _screened_table(path, sources: pd.DataFrame, books, validate: bool, columns=None):
    """The typed claims (only ``columns`` of them, when given) of a table read whole
    (Parquet, or CSV with the cache off) whose every row the screen passes
    (:mod:`briefing.screen`), its cells typed from Arrow; ``None`` when it cannot tell (the
    table is then read again and checked rule by rule). A Parquet table's cells stay Arrow
    text from the file on (:func:`briefing.tables.parquet_cells`); a CSV table is read by
    Python's reader. With ``columns`` the rows are typed :data:`TYPED_ROWS` at a time, each
    part projected at once: a caller that only validates never holds every column typed."""
    from .screen import passes_rules
    from .tables import parquet_cells

    # refused, not the claims header, or no rows: the rules say so
    if is_parquet(path):
        try:
            cells = parquet_cells(read_input(path), display_path(path))
        except InvalidInputError:
            return None
        if isinstance(cells, Table) or not _claims_header(cells.column_names):
            return None
        lines = pd.RangeIndex(1, cells.num_rows + 1, name="line")
    else:
        table = read_table(path)
        if table.problems or not _claims_header(table.header):
            return None
        cells, lines = _text_cells(table), table.frame.index
    if not len(lines):
        return None
    cells = cells.select(CLAIM_COLUMNS)
    if validate and not passes_rules(cells, sources, books):
        return None
    step = len(lines) if columns is None else TYPED_ROWS
    parts = []
    for start in range(0, len(lines), step):
        piece, at = cells.slice(start, step), lines[start : start + step]
        typed = _typed_cells(path, piece, at, [len(at)], sources, books)
        if typed is None:
            return None
        parts.append(typed[0] if columns is None else typed[0][columns])
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


#: Rows typed at a time by :func:`_screened_table` when only some columns are kept.
TYPED_ROWS = 100_000


def _load_through_cache(path, sources: pd.DataFrame, books, validate: bool, columns=None):
    """The typed claims, chunk by chunk through :mod:`briefing.cache`: only chunks without a
    usable entry are parsed, checked and anchored (and, when ``validate``, kept whole),
    and only ``columns`` (all by default) are read from the entries and kept. A CSV table's
    chunks are ranges of its bytes (:class:`_CsvChunks`), a Parquet table's ranges of its
    rows (:class:`_ParquetChunks`).

    ``None`` when the table must be read whole instead: the cache is off, the table is
    unreadable, its header is not the claims header, or any rule fails (the whole read then
    reports every problem with its line).
    """
    from .cache import ClaimsCache, cache_folder, codebooks_key, source_marks, typed_frame

    folder = cache_folder()
    if folder is None:
        return None
    reader = (_ParquetChunks if is_parquet(path) else _CsvChunks).open(path, codebooks_key(books))
    if reader is None:
        return None
    store = ClaimsCache(folder, source_marks(sources))
    chunks = reader.chunks
    tables = [store.get(chunk, columns) for chunk in chunks]
    missed = [i for i, table in enumerate(tables) if table is None]
    fresh = _fresh_chunks(reader, [chunks[i] for i in missed], sources, books, validate, store,
                          columns)  # fmt: skip
    as_written = reader.as_written
    del reader  # outside a render, the table's bytes (hundreds of MB) go before the join
    if fresh is None:
        return None
    for i in reversed(missed):
        tables[i] = fresh.pop()
    tables = [table for table in tables if table.num_rows]
    claims = typed_frame(tables)  # empties the list: each column's pieces go once joined
    if claims is None or (validate and claims["claim_id"].duplicated().any()):
        return None  # ids repeated across chunks: the whole read reports them
    claims.attrs["as_written"] &= as_written
    return claims


class _CsvChunks:
    """A CSV claims table's chunks (:func:`briefing.cache.chunks_of`: ranges of its bytes,
    read a range at a time, see :class:`briefing.inputs.InputBytes`) and how a group of them
    is parsed, checked and anchored (:func:`_fresh_group`). Ranges are read by position, so
    a render's kernel works through the groups from the end."""

    from_the_end = True

    def __init__(self, path, data, chunks: list, as_written: bool):
        self.path, self.data, self.chunks, self.as_written = path, data, chunks, as_written

    @classmethod
    def open(cls, path, context: bytes):
        """The table's chunks, keyed by ``context`` and its header; ``None`` when it is
        unreadable or its header is not the claims header."""
        from .cache import chunks_of, header_end

        try:
            data = InputBytes(path)  # read a range at a time, in a render: never held whole
        except InvalidInputError:
            return None
        head = data[0:HEAD_BYTES]
        start = len(BOM.encode()) if head.startswith(BOM.encode()) else 0
        body = header_end(head, start)
        if body == len(head) < len(data):
            return None  # no header this short: the whole read says what is wrong
        header = records_frame(head[start:body], 1, CLAIM_COLUMNS)
        if header is None or header.values.tolist() != [CLAIM_COLUMNS]:
            return None
        written_header = head[start:body] == (",".join(CLAIM_COLUMNS) + "\n").encode()
        return cls(path, data, chunks_of(data, body, context + head[start:body]), written_header)

    def fresh_group(self, chunks: list, sources, books, validate: bool):
        """:func:`_fresh_group` of ``chunks`` (whole records of the table)."""
        raw, placed = _group_bytes(self.data, chunks)
        return _fresh_group(self.path, raw, placed, sources, books, validate)


class _ParquetChunks:
    """A Parquet claims table's chunks (:func:`briefing.cache.cells_chunks`: ranges of
    :data:`PARQUET_CHUNK_ROWS` rows, keyed by their cells) and how a group of them is
    checked and anchored. Rows are decoded in order (from the start again for a range that
    lies behind: decoding is cheap, typing and anchoring are not), so a render's kernel
    works through the groups from the middle on, then from the start."""

    from_the_end = False

    def __init__(self, path, data: bytes, chunks: list):
        self.path, self.data, self.chunks, self.as_written = path, data, chunks, False
        self._batches, self._at = None, 0

    @classmethod
    def open(cls, path, context: bytes):
        """The table's chunks, keyed by ``context``; ``None`` when it is refused or its
        columns are not the claims columns."""
        from .cache import cells_chunks

        try:
            data = read_input(path)
            tables = _claims_batches(data, display_path(path))
            if tables is None:
                return None
            chunks = cells_chunks(tables, context + b"parquet\0")  # never a CSV chunk's key
        except (InvalidInputError, ParquetRefused):
            return None
        return cls(path, data, chunks)

    def cells(self, begin: int, end: int):
        """The text cells (claims columns) of rows ``begin`` to ``end`` (chunk bounds)."""
        import pyarrow as pa

        if self._batches is None or begin < self._at:
            self._batches = _claims_batches(self.data, display_path(self.path))
            self._at = 0
        parts = [pa.table({name: pa.array([], pa.string()) for name in CLAIM_COLUMNS})]
        while self._at < end:
            cells = next(self._batches)
            if self._at >= begin:
                parts.append(cells)
            self._at += cells.num_rows
        return pa.concat_tables(parts)

    def fresh_group(self, chunks: list, sources, books, validate: bool):
        """:func:`_fresh_group` of ``chunks`` (in order, not always next to each other: a
        group is made of the chunks not found in the cache): screened in Arrow, else (when
        ``validate``) checked rule by rule."""
        import pyarrow as pa

        cells = pa.concat_tables([self.cells(chunk.begin, chunk.end) for chunk in chunks])
        rows = [np.arange(chunk.begin + 1, chunk.end + 1) for chunk in chunks]
        lines = pd.Index(np.concatenate(rows), name="line")
        sizes = [chunk.end - chunk.begin for chunk in chunks]
        quick = _screened_cells(self.path, cells, lines, sizes, sources, books, validate)
        if quick is not None:
            return (quick[0], False, quick[1])
        if not validate:
            return None
        table = cells_table(cells, display_path(self.path), lines)
        return _checked_group(table, sizes, sources, books, validate)


def _claims_batches(data: bytes, where: str):
    """A Parquet claims table's cells, :data:`PARQUET_CHUNK_ROWS` rows at a time, each an
    Arrow table of the claims columns in their order (:func:`briefing.tables.
    parquet_batches`); ``None`` when its columns are not the claims columns.

    Raises
    ------
    briefing.tables.ParquetRefused
        As the batches are decoded.
    """
    batches = parquet_batches(data, where, PARQUET_CHUNK_ROWS)
    if not _claims_header(next(batches)):
        return None
    return (cells.select(CLAIM_COLUMNS) for cells in batches)


def _claims_header(names: list) -> bool:
    """Whether ``names`` are the claims columns, each once, in any order."""
    return len(names) == len(CLAIM_COLUMNS) and set(names) == set(CLAIM_COLUMNS)


#: Rows of a Parquet claims table one cache entry covers (about :data:`~briefing.cache.
#: CHUNK_BYTES` of text at a few hundred bytes a claim).
PARQUET_CHUNK_ROWS = 8192


def _fresh_chunks(
    reader, chunks: list, sources, books, validate: bool, store, columns=None
):  # fmt: skip
    """The typed rows of each chunk as Arrow tables (:func:`briefing.cache.arrow_rows`),
    checked and anchored a few chunks at a time (``reader.fresh_group``, a group of about
    :data:`GROUP_BYTES`: the text cells of a million rows never all exist at once), only
    ``columns`` of them returned; ``None`` if any of it fails (when ``validate``).

    A render's own process (``validate``) and its kernel (not, since the other checks the
    same table) both work through the chunks: the first from the start, the second from the
    end (from the middle on, then from the start, when the reader decodes in order), each
    looking ``store`` up again before a group, and each keeping in it every chunk whose rows
    passed every rule. The two meet, each having done about half, and no chunk is parsed
    and anchored twice."""
    from .cache import arrow_rows, release_memory

    fresh: dict[int, object] = {}
    for group in _order(_groups(chunks), validate, reader.from_the_end):
        kept = [store.get(chunks[i], columns) for i in group]  # done meanwhile by the other
        if all(table is not None for table in kept):
            fresh.update(zip(group, kept, strict=True))
            continue
        found = reader.fresh_group([chunks[i] for i in group], sources, books, validate)
        if found is None:
            return None
        typed, as_written, passed = found
        for i, typed_rows in zip(group, typed, strict=True):
            table = arrow_rows(typed_rows, as_written)
            if passed:
                store.put(chunks[i], table)
            fresh[i] = table if columns is None else table.select(columns)
        del found, typed
        release_memory()  # a group's text and typing, handed back before the next's
    return [fresh[i] for i in range(len(chunks))]


def _order(groups: list, validate: bool, from_the_end: bool) -> list:
    """The order in which a process works through ``groups`` (see :func:`_fresh_chunks`)."""
    if validate:
        return groups
    if from_the_end:
        return groups[::-1]
    middle = len(groups) // 2
    return groups[middle:] + groups[:middle]


def _group_bytes(data, chunks: list) -> tuple[bytes, list]:
    """The bytes of ``chunks`` (ranges of ``data``, bytes or
    :class:`briefing.inputs.InputBytes`) one after the other, and the chunks as placed in
    them: whole records each, so they parse as they would in the file."""
    pieces, placed, at = [], [], 0
    for chunk in chunks:
        pieces.append(data[chunk.begin : chunk.end])
        placed.append(dataclasses.replace(chunk, begin=at, end=at + len(pieces[-1])))
        at += len(pieces[-1])
    return b"".join(pieces), placed


#: The start of a claims table read for its header (a longer header: the whole read).
HEAD_BYTES = 1 << 20
#: How many bytes of a claims table :func:`_fresh_chunks` parses and checks together. The
#: rules of one row read no other row (ids repeated across chunks are found on the whole
#: table), so any grouping gives the same answer.
GROUP_BYTES = 32 * 1024 * 1024


def _groups(chunks: list) -> list[list[int]]:
    """The positions of ``chunks`` in runs of about :data:`GROUP_BYTES` (by
    ``chunk.size``), in order."""
    groups, size = [], GROUP_BYTES
    for i in range(len(chunks)):
        if size >= GROUP_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += chunks[i].size
    return groups


def _fresh_group(path, data: bytes, chunks: list, sources, books, validate: bool):
    """:func:`_fresh_chunks` of one group of chunks: read and screened in Arrow
    (:mod:`briefing.screen`) when every row is plainly valid, else by Python's reader and
    the rules in full (only when ``validate``: without, the rows are typed as read).
    ``(typed rows of each chunk, as written, passed)``, where ``as written`` says the
    chunks' bytes are their cells as :func:`claims_csv` writes them and ``passed`` that
    every row passed every rule; ``None`` if any rule fails (when ``validate``)."""
    quick = _screened_group(path, data, chunks, sources, books, validate)
    if quick is not None:
        return quick
    parts = [
        records_frame(data[chunk.begin : chunk.end], chunk.first_line, CLAIM_COLUMNS)
        for chunk in chunks
    ]
    if any(part is None for part in parts):
        return None
    table = Table(display_path(path), list(CLAIM_COLUMNS), pd.concat(parts), [])
    return _checked_group(table, [len(part) for part in parts], sources, books, validate)


def _checked_group(table: Table, sizes: list[int], sources, books, validate: bool):
    """A group's rows (``table``, chunks of ``sizes`` rows) checked rule by rule (when
    ``validate``) and typed: ``(typed rows of each chunk, False, validate)``, or ``None``
    if any rule fails."""
    problems = check_claims_table(table, sources, books) if validate else []
    typed = _typed_parts(table, sizes, sources, books, problems)
    return None if typed is None else (typed, False, validate)


def _screened_group(path, data: bytes, chunks: list, sources, books, validate: bool):
    """:func:`_fresh_group` by :mod:`briefing.screen`, or ``None`` when it cannot tell
    (without ``validate``: when the rows cannot be read so; rows the screen does not pass
    are then typed all the same, ``passed`` false)."""
    import pyarrow as pa

    from .screen import read_chunk

    reads = []
    for chunk in chunks:
        reads.append(read_chunk(data, chunk.begin, chunk.end, chunk.first_line, CLAIM_COLUMNS))
        if reads[-1] is None:
            return None
    cells = pa.concat_tables([read.cells for read in reads])
    lines = pd.Index(np.concatenate([read.lines for read in reads]), name="line")
    sizes = [read.cells.num_rows for read in reads]
    screened = _screened_cells(path, cells, lines, sizes, sources, books, validate)
    if screened is None:
        return None
    as_written = all(read.ending == "\n" for read in reads) and not any(
        _has_formula(column) for column in cells.columns
    )
    return screened[0], as_written, screened[1]


def _screened_cells(path, cells, lines, sizes: list[int], sources, books, validate: bool):
    """Arrow text ``cells`` (the claims columns, records on ``lines``, chunks of ``sizes``
    rows) screened (:func:`briefing.screen.passes_rules`) and typed: ``(typed rows of each
    chunk, passed)``; ``None`` when the screen does not pass them and ``validate`` (the
    rules must then say why), or a quote is not found."""
    from .screen import passes_rules

    passed = passes_rules(cells, sources, books)
    if validate and not passed:
        return None
    typed = _typed_cells(path, cells, lines, sizes, sources, books)
    return None if typed is None else (typed, passed)


def _typed_cells(path, cells, lines, sizes: list[int], sources, books):
    """:func:`_typed_parts` of Arrow text ``cells`` (the claims columns) whose records
    start on ``lines``."""
    from .tables import arrow_frame

    frame = arrow_frame(cells)
    table = Table(display_path(path), list(CLAIM_COLUMNS), frame.set_axis(lines), [])
    return _typed_parts(table, sizes, sources, books, [])


def _typed_parts(table: Table, sizes: list[int], sources, books, problems: list):
    """The typed rows of ``table`` (records of chunks of ``sizes`` rows), quotes anchored,
    a frame per chunk; ``None`` if ``problems`` or a quote is not found."""
    starts, ends, quote_problems = anchor_quotes(table, sources)
    if problems or quote_problems:
        return None
    typed = typed_claims(table, starts, ends, books)
    bounds = [0, *itertools.accumulate(sizes)]
    return [typed.iloc[a:b].reset_index(drop=True) for a, b in itertools.pairwise(bounds)]


#: What a spreadsheet takes for the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A cell that starts like a formula, for Python's ``re`` and pyarrow's RE2 alike.
FORMULA_PATTERN = "^[" + re.escape("".join(FORMULA_STARTS)) + "]"


def inert_cell(cell: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading
    apostrophe (``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``), as spreadsheets themselves
    mark text. :func:`claims_csv` applies it to whole columns."""
    return "'" + cell if re.match(FORMULA_PATTERN, cell) else cell


def claims_csv(path: Path | str, claims: pd.DataFrame, claim_ids) -> bytes:
    """The rows of a valid claims table whose ids are in ``claim_ids``, as CSV bytes
    (:func:`claims_csv_parts`, joined)."""
    return b"".join(claims_csv_parts(path, claims, claim_ids))


def claims_csv_parts(path: Path | str, claims: pd.DataFrame, claim_ids):
    """The rows of a valid claims table whose ids are in ``claim_ids``, as CSV bytes, in
    parts: the header, then a batch of rows at a time (a caller that deflates them never
    holds the whole file written out, hundreds of MB at a million claims), or the file's
    own bytes in one part.

    ``claims`` is the table as :func:`load_claims` returned it (any of its columns). Read through
    :func:`briefing.inputs.read_input` (in a render, the snapshot that was validated). Cells
    are written as they stand in the file (no type conversion; a Parquet table's as
    :func:`briefing.tables.read_table` reads them), quoted as Python's CSV writer quotes
    them, so the extract can be compared with the table it comes from, except that a cell a
    spreadsheet would run as a formula is made inert (:func:`inert_cell`): the reader of a
    PDF who opens its attachment runs nothing. CSV and Parquet holding the same cells give
    the same bytes; a CSV file that already is those bytes (every claim known, nothing to
    make inert, written as Python writes it, LF line endings) is attached as it stands,
    without reading it again when its loader saw that (``claims.attrs["as_written"]``).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if is_parquet(path):
        return _parquet_csv_parts(path, claim_ids)
    wanted = set(pd.Series(claim_ids).tolist())
    if claims.attrs.get("as_written") and wanted >= set(claims["claim_id"].tolist()):
        return _file_parts(path)
    table, ending = _arrow_cells(path, len(claims))
    if table is None:
        table, ending = _python_cells(path), None
    known = pc.is_in(table["claim_id"], value_set=pa.array(sorted(wanted), pa.string()))
    if pc.all(known).as_py():  # all known: no copy
        if ending == "\n" and not any(_has_formula(column) for column in table.columns):
            return _file_parts(path)
        return cells_csv_parts(table)
    return cells_csv_parts(table.filter(known))


#: Rows of the attachment quoted and joined at a time (the copies of one batch, not of
#: every row, exist at once).
CSV_BATCH_ROWS = 65536


def cells_csv_parts(table):
    """The rows of ``table`` (Arrow text columns) as the CSV bytes :func:`claims_csv`
    describes, the header then a batch of rows at a time: written by pyarrow, a column and
    a batch at a time (a million rows in seconds)."""
    yield _csv_header(table.column_names)
    yield from _csv_rows(table)


def _csv_header(names: list[str]) -> bytes:
    """The header line of :func:`cells_csv_parts`."""
    import pyarrow as pa

    from .screen import csv_cells

    return (",".join(csv_cells(pa.array(names, pa.string())).to_pylist()) + "\n").encode()


def _csv_rows(table):
    """The rows of :func:`cells_csv_parts`, a batch at a time."""
    import pyarrow.compute as pc

    from .screen import csv_cells

    for batch in table.to_batches(CSV_BATCH_ROWS):
        cells = [csv_cells(_inert(column)) for column in batch.columns]
        rows = pc.binary_join_element_wise(*cells, ",")  # one text per row
        yield arrow_bytes(pc.binary_join_element_wise(rows, "", "\n"))


def _parquet_csv_parts(path, claim_ids):
    """:func:`claims_csv_parts` of a Parquet table: its rows decoded (as the loader decodes
    them, :func:`briefing.tables.parquet_batches`), :data:`PARQUET_CHUNK_ROWS` at a time,
    kept when their id is one of ``claim_ids`` and written, so that the file's text
    (hundreds of MB at a million claims) is never held whole."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    known = pa.array(pd.Series(claim_ids), pa.string())
    data = read_input(path)
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))  # the reader parquet_batches uses
        batches = parquet.iter_batches(PARQUET_CHUNK_ROWS, columns=["claim_id"])
        ids = [pc.cast(batch["claim_id"], pa.string()) for batch in batches]
        ids = pc.fill_null(pa.chunked_array(ids, pa.string()), "")
        keep = pc.is_in(ids, value_set=known)  # one look-up table, not one per batch
        del ids, known
        batches = parquet_batches(data, display_path(path), PARQUET_CHUNK_ROWS)
        header = next(batches)
        yield _csv_header(header)
        at = 0
        for table in batches:
            yield from _csv_rows(table.filter(keep.slice(at, table.num_rows)))
            at += table.num_rows
        if at != len(keep):
            raise ValueError(f"{at} rows decoded, {len(keep)} ids read")
    except ParquetRefused as refused:  # read before, valid: changed since, or damaged
        raise ClaimValidationError(refused.table.problems) from None
    except (pa.ArrowException, KeyError, ValueError) as exc:  # changed since it was read
        where = display_path(path)
        raise ClaimValidationError([Problem(where, 0, "claim_id", f"unreadable: {exc}")]) from exc


def _file_parts(path: Path | str):
    """A CSV file's bytes after its byte-order mark, if it has one, in the parts
    :func:`briefing.inputs.read_input_parts` reads."""
    for number, part in enumerate(read_input_parts(path)):
        yield _without_bom(part) if number == 0 else part


def _without_bom(data: bytes) -> bytes:
    """A CSV file's bytes after its byte-order mark, if it has one."""
    return data[len(BOM.encode()) :] if data.startswith(BOM.encode()) else data


def _has_formula(cells) -> bool:
    """Whether a cell of an Arrow text column starts like a formula (:func:`inert_cell`)."""
    import pyarrow.compute as pc

    return bool(pc.any(pc.match_substring_regex(cells, FORMULA_PATTERN)).as_py())


def _inert(cells):
    """:func:`inert_cell` of a whole column (Arrow text)."""
    import pyarrow.compute as pc

    formulas = pc.match_substring_regex(cells, FORMULA_PATTERN)
    if not pc.any(formulas).as_py():
        return cells
    return pc.if_else(formulas, pc.binary_join_element_wise("'", cells, ""), cells)


def _arrow_cells(path, rows: int):
    """A CSV table's cells as Arrow text columns by pyarrow's reader (many times faster than
    Python's) and its line ending; ``(None, None)`` unless they are certainly the cells
    Python's reader reads: the table has ``rows`` rows, and the cells written back as
    Python's CSV writer writes them are the file's bytes (the two readers could take some
    odd spelling of a CSV file differently)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from .screen import written_as

    body = _without_bom(read_input(path))
    end = body.find(b"\n")
    ending = "\r\n" if body[end - 1 : end + 1] == b"\r\n" else "\n"
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(CLAIM_COLUMNS, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        text = [pc.fill_null(pc.cast(column, pa.string()), "") for column in table.columns]
        table = pa.table(text, names=table.column_names)
    except (pa.ArrowException, KeyError, ValueError):
        return None, None
    if table.num_rows != rows:
        return None, None
    header = [pa.array([name], pa.string()) for name in table.column_names]
    columns = [column.combine_chunks() for column in table.columns]
    if not (
        written_as(header, ending, body[: end + 1])
        and written_as(columns, ending, memoryview(body)[end + 1 :])
    ):
        return None, None
    return table, ending


def _python_cells(path):
    """The table's cells read by Python's CSV reader (:func:`briefing.tables.read_table`),
    as Arrow text columns."""
    return _text_cells(read_table(path))


def _text_cells(table: Table):
    """The text cells of a :class:`~briefing.tables.Table` as Arrow text columns."""
    import pyarrow as pa

    return pa.table({name: pa.array(table.frame[name].tolist(), pa.string())
                     for name in table.header})  # fmt: skip
