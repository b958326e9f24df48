"""Checked inputs, cached by content hash: a re-render re-checks only what changed.

Sources: each source file that had no problem is kept, parsed, in one index per sources
folder (:class:`SourcesCache`), named by the hash of its bytes; a re-render parses only
the files whose bytes changed.

Claims: a claims table's bytes are cut into *chunks* of whole records
(:func:`record_chunks`, about :data:`CHUNK_BYTES` each). When every row of a chunk passed
the claims rules, its typed rows (quotes anchored, actors resolved) are stored in the cache
folder as one Arrow IPC file (:func:`entry_bytes`), named by a SHA-256 of the package's
code, the codebooks, the table's header and the chunk's bytes. The entry also lists the
sources its rows cite, each with its published date and the hash of its text, and is used
only while those are unchanged. So after one claim changed, one chunk is parsed, checked
and anchored again; after one source changed, the chunks that cite it; after a codebook or
the package changed, all of them.

The PDF's claims.csv: each part of it deflated apart (:class:`DeflatedParts`, see
:class:`briefing.export.Deflated`), by the hash of its bytes, so that after one claim
changed one part of it is deflated again.

What no chunk can check alone (unique claim ids) is checked on the whole table every time,
and a chunk with a problem is never stored: problems are always found afresh and reported
by the claims loader with their lines. The folder is ``BRIEFING_CACHE_DIR``, by default
``.cache/briefing`` below the working folder (git-ignored); an empty value turns the cache
off. An entry that cannot be read (truncated, damaged: each carries a checksum) counts as
missing, and a folder that cannot be written is not used.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import time
import zlib
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .publish import replace_file

if TYPE_CHECKING:
    import pandas as pd

#: The environment variable naming the cache folder ("" turns the cache off).
CACHE_VARIABLE = "BRIEFING_CACHE_DIR"
DEFAULT_FOLDER = Path(".cache") / "briefing"
#: About how many bytes of a claims table one entry covers (a few thousand claims).
CHUNK_BYTES = 2 * 2**20
#: How many bytes of a claims table :func:`chunks_of` reads at a time.
WINDOW_BYTES = 32 * 2**20
_SOURCES_KEY = b"briefing.sources"
_DTYPES_KEY = b"briefing.dtypes"  # each column's pandas dtype (Arrow's types say less)
_WRITTEN_KEY = b"briefing.as-written"  # the chunk is its rows as the attachment writes them


def cache_folder() -> Path | None:
    """The cache folder (absolute), or ``None`` when ``BRIEFING_CACHE_DIR`` is empty."""
    value = os.environ.get(CACHE_VARIABLE)
    if value is None:
        return DEFAULT_FOLDER.resolve()
    return Path(value).resolve() if value.strip() else None


@functools.cache
def code_key() -> bytes:
    """A hash of the package's own code: rules that change make every entry stale."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.relative_to(Path(__file__).parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()


def codebooks_key(books: dict[str, pd.DataFrame]) -> bytes:
    """A hash of every codebook as loaded (actors, indicators, codes)."""
    digest = hashlib.sha256(code_key())
    for name in sorted(books):
        digest.update(name.encode() + b"\0" + books[name].to_csv().encode() + b"\0")
    return digest.digest()


def source_marks(sources: pd.DataFrame) -> dict[str, list[str]]:
    """``{source_id: [published, sha256 of its text]}``: what a chunk's checks saw of a source."""
    published = sources["published"].dt.strftime("%Y-%m-%d")
    return {
        source_id: [day, hashlib.sha256(text.encode()).hexdigest()]
        for source_id, day, text in zip(
            sources["source_id"], published, sources["text"], strict=True
        )
    }


def header_end(data: bytes, start: int) -> int:
    """Where the record that starts at ``start`` (the header) ends: after its newline."""
    return _cut(data, start, start, marked=False)


def _cut(data: bytes, begin: int, at: int, marked: bool = True) -> int:
    """The end (after a newline) of the first record boundary at or after ``at`` (that is
    marked, :func:`_marked`, unless ``marked`` is false, or lies :data:`CHUNK_BYTES` past
    ``at``: a table whose records all start alike is still cut), counting quote characters
    from ``begin`` (a record boundary there); ``len(data)`` if none."""
    quotes, cut = data.count(b'"', begin, at), data.find(b"\n", at)
    anyway = at + CHUNK_BYTES
    while cut != -1:
        quotes += data.count(b'"', at, cut)
        if quotes % 2 == 0 and (not marked or cut >= anyway or _marked(data, cut + 1)):
            return cut + 1
        at, cut = cut, data.find(b"\n", cut + 1)
    return len(data)


#: A chunk ends before a record whose first :data:`MARK_BYTES` bytes hash to a multiple of
#: this (about one record in sixteen), the first such past :data:`CHUNK_BYTES`.
MARK_EVERY, MARK_BYTES = 16, 32


def _marked(data: bytes, start: int) -> bool:
    """Whether a chunk may end before the record at ``start``: its first bytes decide; the
    end of the data always may, a record cut short by it (a window's end) never.

    The cuts so follow the records, not the offsets: a claim edited longer or shorter
    leaves the chunks after its own as they were. Cut at a fixed size past each start,
    every later cut would move by a record once one did, and every later chunk miss."""
    head = data[start : start + MARK_BYTES]
    if len(head) < MARK_BYTES:
        return start >= len(data)
    return zlib.crc32(head) % MARK_EVERY == 0


def record_chunks(data: bytes, start: int) -> list[tuple[int, int]]:
    """Cut ``data[start:]`` into ``(begin, end)`` byte ranges of about :data:`CHUNK_BYTES`.

    Each ends after a newline with an even number of quote characters since ``begin``,
    which in a valid CSV file is the end of a record, before a marked record
    (:func:`_marked`). A cut that parity misjudges (a quote
    character inside an unquoted cell) leaves a chunk that does not parse alone, and the
    loader then reads the table whole; a chunk that parses alone from a record start ends
    at a record end, so the chunks always hold exactly the file's records.
    """
    spans, begin = [], start
    while begin < len(data):
        end = _cut(data, begin, min(begin + CHUNK_BYTES, len(data)))
        spans.append((begin, end))
        begin = end
    return spans


def line_count(data: bytes, begin: int, end: int, returns: bool = True) -> int:
    """Line breaks in ``data[begin:end]`` as Python's CSV reader counts lines (LF, CRLF, CR);
    ``returns=False`` when ``data`` holds no carriage return (then only LFs are counted)."""
    if not returns:
        return data.count(b"\n", begin, end)
    return (
        data.count(b"\n", begin, end)
        + data.count(b"\r", begin, end)
        - data.count(b"\r\n", begin, end)
    )


@dataclass
class Chunk:
    """A range of a claims table: whole records, the first on line ``first_line``; of a
    CSV file's bytes (:func:`chunks_of`) or a Parquet file's rows (:func:`cells_chunks`).
    ``size`` is about how many bytes of text it holds."""

    begin: int
    end: int
    first_line: int
    key: str
    size: int = 0


def chunks_of(data, body: int, context: bytes, window: int | None = None) -> list[Chunk]:
    """The chunks (:func:`record_chunks`) of ``data`` after the header (which ends at
    ``body``), keyed by ``context`` (code, codebooks, header) and their bytes.

    ``data`` is bytes or anything that gives bytes for a slice and has a length (a
    :class:`briefing.inputs.InputBytes`); it is read ``window`` bytes at a time, each
    window's last chunk left for the next (it may end where the window does), so the
    chunks are those of the whole file, which is never held at once.
    """
    window = window or WINDOW_BYTES
    found, size = [], len(data)
    line, begin = 1 + line_count(data[0:body], 0, body), body
    while begin < size:
        span = window
        while True:
            end = min(size, begin + span)
            piece = data[begin:end]
            spans = record_chunks(piece, 0)
            if end == size or len(spans) > 1:
                break
            span *= 2  # a record longer than the window
        if end < size:
            spans.pop()
        returns = b"\r" in piece  # a piece with LF line endings is counted in one pass
        for start, stop in spans:
            digest = hashlib.sha256(context)
            digest.update(memoryview(piece)[start:stop])
            found.append(Chunk(begin + start, begin + stop, line, digest.hexdigest(), stop - start))
            line += line_count(piece, start, stop, returns)
        begin += spans[-1][1]
    return found


def cells_chunks(tables, context: bytes) -> list[Chunk]:
    """The chunks of a table read as Arrow tables of text cells (``tables``, one per
    chunk, in order: a Parquet file's), rows numbered from 1, each keyed by ``context``
    and its cells (every column's texts and their lengths)."""
    import numpy as np

    found, row = [], 0
    for table in tables:
        digest = hashlib.sha256(context)
        digest.update(f"{table.num_rows},{table.num_columns}\0".encode())  # where each ends
        for column in table.columns:
            for text in column.chunks:
                _, offsets, values = text.buffers()
                ends = np.frombuffer(offsets, np.int32)[text.offset : text.offset + len(text) + 1]
                digest.update((ends - ends[0]).tobytes())
                if ends[-1] > ends[0]:
                    digest.update(memoryview(values)[ends[0] : ends[-1]])
            digest.update(b"\0")
        rows = table.num_rows
        found.append(Chunk(row, row + rows, row + 1, digest.hexdigest(), table.nbytes))
        row += rows
    return found


class ClaimsCache:
    """The cache folder's entries: typed claim rows of checked chunks.

    Parameters
    ----------
    folder : Path or None
        Where entries live; ``None``: nothing is read or kept.
    marks : dict
        :func:`source_marks` of the sources the claims are checked against.
    """

    def __init__(self, folder: Path | None, marks: dict[str, list[str]]):
        self.folder = folder
        self.marks = marks

    def get(self, chunk: Chunk, columns=None):
        """The typed rows of ``chunk`` (lines as in the file) as an Arrow table, only
        ``columns`` if given, or ``None`` if not usable; :func:`typed_frame` makes the claims
        frame of such tables."""
        if self.folder is None:
            return None
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            data = _read_entry(self.folder / entry_name("claims", chunk.key, CLAIMS_SUFFIX))
            table = entry_table(data, columns)
            cited = json.loads((table.schema.metadata or {})[_SOURCES_KEY])
            if any(self.marks.get(source) != mark for source, mark in cited.items()):
                return None
            if _DTYPES_KEY not in table.schema.metadata:
                return None
            if "line" not in table.column_names:
                return table
            line = pc.add(table["line"], chunk.first_line - 1)
            return table.set_column(table.schema.get_field_index("line"), "line", line)
        except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):
            return None

    def put(self, chunk: Chunk, rows) -> None:
        """Keep the typed rows of a chunk that passed every rule (an Arrow table of
        :func:`arrow_rows`; lines kept relative to the chunk)."""
        if self.folder is None:
            return
        import pyarrow.compute as pc

        cited = {source: self.marks[source] for source in pc.unique(rows["source_id"]).to_pylist()}
        line = pc.subtract(rows["line"], chunk.first_line - 1)
        table = rows.set_column(rows.schema.get_field_index("line"), "line", line)
        metadata = {**(table.schema.metadata or {}), _SOURCES_KEY: json.dumps(cited).encode()}
        data = entry_bytes(table.replace_schema_metadata(metadata))
        _replace(self.folder / entry_name("claims", chunk.key, CLAIMS_SUFFIX), data)


#: A claims entry's file name ends so: Arrow's IPC file format.
CLAIMS_SUFFIX = ENTRY_SUFFIX = ".arrow"
#: How a claims entry's columns are compressed. Read back several times faster than Parquet
#: (a million claims' entries in well under a second, against two and more), and smaller.
ENTRY_COMPRESSION = "zstd"


def entry_bytes(table) -> bytes:
    """A claims entry's bytes: ``table`` in Arrow's IPC file format, its columns compressed
    (:data:`ENTRY_COMPRESSION`), then the CRC-32 of those bytes (4 bytes, big-endian), by
    which :func:`entry_table` knows a damaged entry."""
    import pyarrow.ipc as ipc

    sink = io.BytesIO()
    options = ipc.IpcWriteOptions(compression=ENTRY_COMPRESSION)
    with ipc.new_file(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return _sealed(sink.getvalue())


def _sealed(data: bytes) -> bytes:
    """``data`` followed by its CRC-32 (4 bytes, big-endian): a cache file's bytes."""
    return data + zlib.crc32(data).to_bytes(4, "big")


def _unsealed(data: bytes) -> memoryview | None:
    """The bytes :func:`_sealed` sealed, or ``None`` when the checksum does not match
    (truncated, damaged)."""
    view = memoryview(data)
    if len(view) < 4 or zlib.crc32(view[:-4]) != int.from_bytes(view[-4:], "big"):
        return None
    return view[:-4]


def entry_table(data: bytes, columns=None):
    """The table of an entry's bytes (:func:`entry_bytes`), only ``columns`` (in that order)
    if given, the others never decompressed.

    Raises
    ------
    ValueError
        The checksum does not match (truncated, damaged).
    KeyError
        A column asked for is not in the entry.
    pyarrow.ArrowException
        The bytes are no IPC file.
    """
    import pyarrow as pa
    import pyarrow.ipc as ipc

    if _unsealed(data) is None:
        raise ValueError("the entry's checksum does not match its bytes")
    body = pa.py_buffer(data).slice(0, len(data) - 4)
    if columns is None:
        return ipc.open_file(body).read_all()
    schema = ipc.open_file(body).schema
    fields = [schema.get_field_index(name) for name in columns]
    if -1 in fields:
        raise KeyError(columns[fields.index(-1)])
    options = ipc.IpcReadOptions(included_fields=sorted(set(fields)))
    return ipc.open_file(body, options=options).read_all().select(list(columns))


def arrow_rows(rows: pd.DataFrame, as_written: bool = False):
    """Typed claim rows as an Arrow table that keeps their pandas dtypes (in its metadata),
    as :func:`typed_frame` reads them, and whether the chunk's bytes are its cells as the
    PDF's attachment writes them (``as_written``, see :func:`briefing.claims.claims_csv`)."""
    import pyarrow as pa

    table = pa.Table.from_pandas(rows, preserve_index=False)
    dtypes = {name: str(dtype) for name, dtype in rows.dtypes.items()}
    metadata = {
        **(table.schema.metadata or {}),
        _DTYPES_KEY: json.dumps(dtypes).encode(),
        _WRITTEN_KEY: b"1" if as_written else b"0",
    }
    return table.replace_schema_metadata(metadata)


def typed_frame(tables: list):
    """One claims frame of typed rows held as Arrow tables (:meth:`ClaimsCache.get`,
    :func:`arrow_rows`), in order, or ``None`` when there are none.

    Joined in Arrow, a column at a time, each column in one piece (Arrow picks rows out of
    a column in pieces by joining the pieces first, at every sort and filter), and handed
    to pandas without another copy: one join of the tables, not a frame per table, their
    concatenation and a join of every column again.
    """
    import pyarrow as pa

    from .tables import arrow_frame

    if not tables:
        return None
    dtypes = json.loads(tables[0].schema.metadata[_DTYPES_KEY])
    as_written = all(table.schema.metadata.get(_WRITTEN_KEY) == b"1" for table in tables)
    # one type per column, whatever its pieces hold (a date's unit may differ between them)
    schema = pa.unify_schemas([table.schema for table in tables], promote_options="permissive")
    pieces = {name: [table[name] for table in tables] for name in schema.names}
    tables.clear()  # the pieces alone hold the data now: each column's go once joined
    columns, freed = {}, 0
    for field in schema:
        parts = [part.cast(field.type) for part in pieces.pop(field.name)]
        joined = pa.chunked_array([chunk for part in parts for chunk in part.chunks], field.type)
        columns[field.name] = joined.combine_chunks() if joined.num_chunks > 1 else joined
        freed += joined.nbytes if joined.num_chunks > 1 else 0
        del parts, joined
        if freed >= RELEASE_BYTES:  # the pieces' memory, back before the next joins take
            release_memory()  # more: else the entries and the frame are held at once
            freed = 0
    frame = arrow_frame(pa.table(columns), self_destruct=True)
    frame = frame.astype({name: dtypes[name] for name in frame.columns})
    frame.attrs["as_written"] = as_written
    release_memory()
    return frame


#: Memory freed by :func:`typed_frame` that it hands back at once.
RELEASE_BYTES = 64 * 2**20


def release_memory() -> None:
    """Hand back to the system what the allocator keeps of the memory a load freed.

    It keeps freed memory for reuse: after reading the cache entries of a million claims
    and joining them most of a gigabyte, after validation half of one, which what follows
    would not allocate again before the render ends. With C's allocator for Arrow's
    memory (:func:`use_system_allocator`) this also returns what pandas and Python freed
    in C's heap (glibc's ``malloc_trim``): about 180 MB more after validating a million.
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def release_after_each_cell(shell) -> None:
    """Have ``shell`` (the IPython of a render's kernel) :func:`release_memory` after each
    cell: a section of a million claims frees hundreds of MB, which the allocator would
    keep and the next section's peak add to (about 10 ms a cell at a million claims, a
    tenth of a millisecond on the shipped data)."""
    shell.events.register("post_run_cell", lambda result: release_memory())


#: Arrow's allocator (read by pyarrow when it first allocates). The ``system`` one, C's
#: ``malloc``, is what :func:`release_memory` can hand back at once; Arrow's default
#: (mimalloc) keeps freed memory a while. At a million claims it lowers the kernel's peak
#: by about 100 MB and loads the cache's entries faster.
ALLOCATOR_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def use_system_allocator(environment=os.environ) -> None:
    """Have the processes ``environment`` is for use C's allocator for Arrow's memory, unless
    it names one already; set before pyarrow first allocates (the command's own process,
    a render's kernel)."""
    environment.setdefault(ALLOCATOR_VARIABLE, "system")


class SourcesCache:
    """Sources as read and checked, by content hash: one index per sources folder, in the
    claims entries' format (:func:`entry_bytes`: read back several times faster than
    Parquet, a checksum over it all).

    An entry is a source file that had no problem, named by a SHA-256 of the package's code,
    the file's name and its bytes (:meth:`key`); :meth:`keep` writes the index of the
    entries used (a folder's index holds its current sources only).
    """

    def __init__(self, folder: Path | None, sources_dir: Path, fields=()):
        self.index = self.index_of(folder, sources_dir)
        self.fields = tuple(fields)
        self.table = self._read()
        self.used: dict[str, dict] = {}

    @staticmethod
    def index_of(folder: Path | None, sources_dir: Path) -> Path | None:
        """The index file of ``sources_dir`` in the cache ``folder`` (``None``: no cache)."""
        name = hashlib.sha256(str(Path(sources_dir).resolve()).encode()).hexdigest()[:32]
        return folder / entry_name("sources", name, ENTRY_SUFFIX) if folder else None

    def _read(self):
        """The index as an Arrow table (``None`` when there is none, it cannot be read or
        it lacks a column of :attr:`fields`)."""
        if self.index is None:
            return None
        import pyarrow as pa

        try:
            table = entry_table(_read_entry(self.index))
        except (OSError, KeyError, ValueError, pa.ArrowException):
            return None
        wanted = {"key", "meta", "key_lines", "text", *map(_field, self.fields)}
        return table if wanted <= set(table.column_names) else None

    @functools.cached_property
    def entries(self) -> dict[str, dict]:
        """The index's entries by key ({} when there is none)."""
        rows = self.table.to_pylist() if self.table is not None else []
        return {row["key"]: row for row in rows}

    @staticmethod
    def key(name: str, data: bytes) -> str:
        """An entry's name: the package's code, the file's name (its source id is checked
        against it) and its bytes; not its folder, which the render and its kernel, in
        another working folder, spell differently."""
        digest = hashlib.sha256(code_key())
        digest.update(name.encode() + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str):
        """The source of ``key`` (meta, key lines, text), or ``None``."""
        row = self.entries.get(key)
        if row is None:
            return None
        self.used[key] = row
        return json.loads(row["meta"]), json.loads(row["key_lines"]), row["text"]

    def put(self, key: str, meta: dict, key_lines: dict, text: str) -> None:
        """Keep a source that had no problem."""
        fields = {_field(name): _plain(meta.get(name, "")) for name in self.fields}
        self.used[key] = {"key": key, "meta": json.dumps(meta),
                          "key_lines": json.dumps(key_lines), "text": text, **fields}  # fmt: skip

    def rows_of(self, keys: list[str]):
        """The entries of ``keys``, in that order, as an Arrow table of the :attr:`fields`
        (each a column named as the field) and ``text``: the sources, read a column at a
        time, never a row at a time. ``None`` unless the index holds these keys and no
        other (else :meth:`get` and :meth:`keep` bring it up to date) and every field of
        every one is text."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.table is None or len(keys) != self.table.num_rows:
            return None
        at = pc.index_in(pa.array(keys, pa.string()), value_set=self.table["key"])
        if at.null_count or len(pc.unique(at)) != len(keys):
            return None
        rows = self.table.take(at)
        columns = {name: rows[_field(name)] for name in self.fields}
        if any(column.null_count for column in columns.values()):
            return None
        return pa.table({**columns, "text": rows["text"]})

    def keep(self) -> None:
        """Write the index of the entries used, when it differs from the one read."""
        if self.index is None or self.used.keys() == self.entries.keys():
            return
        import pyarrow as pa

        rows = [self.used[key] for key in sorted(self.used)]
        _replace(self.index, entry_bytes(pa.Table.from_pylist(rows)))


def _field(name: str) -> str:
    """The index's column of a source's field ``name``."""
    return f"field:{name}"


def _plain(value) -> str | None:
    """A field's value as the index keeps it in its column: text only (``None``: a value
    of another kind, which only the source's ``meta`` holds as it is)."""
    return value if isinstance(value, str) else None


class DeflatedParts:
    """Parts of an attached file as deflated (:func:`briefing.export.deflated_part`), by
    key, one file each in the cache folder, sealed with their checksum (:func:`_sealed`, as
    :func:`entry_bytes`). ``folder`` ``None``: nothing is kept."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, key: str) -> bytes | None:
        """The deflated part of ``key``, or ``None`` (none kept, unreadable or damaged)."""
        if self.folder is None:
            return None
        try:
            data = _read_entry(self.folder / entry_name("deflated", key, DEFLATED_SUFFIX))
        except OSError:
            return None
        body = _unsealed(data)
        return None if body is None else bytes(body)

    def put(self, key: str, deflated: bytes) -> None:
        """Keep the deflated part of ``key`` (whole or not at all)."""
        if self.folder is not None:
            name = entry_name("deflated", key, DEFLATED_SUFFIX)
            _replace(self.folder / name, _sealed(deflated))


DEFLATED_SUFFIX = ".deflated"


def entry_name(kind: str, key: str, suffix: str = ".parquet") -> str:
    """A cache file's name: its kind, the version of the package's code, its key, ``suffix``
    (its format)."""
    return f"{kind}-{code_key().hex()[:16]}-{key}{suffix}"


def _read_entry(path: Path) -> bytes:
    """A cache file's bytes, the file marked used now (its time) so that :func:`_prune`
    keeps it: what every render reads stays, whenever it was written."""
    data = path.read_bytes()
    with suppress(OSError):  # a folder others own: read, not marked
        os.utime(path)
    return data


def _replace(target: Path, data: bytes) -> None:
    """Write a cache file whole, or not at all (a full disk or a read-only folder: render
    without keeping it); the first time, remove the entries of other versions of the code,
    which this one never reads, and those not used for :data:`KEEP_DAYS`."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, data, 0o644)
        _prune(target.parent)
    except OSError:
        return


#: Days an entry of this version of the code is kept unused (neither written nor read):
#: a table edited day after day leaves the entries of its chunks as they were, which no
#: render reads again unless the edit is undone; without this they would pile up until
#: ``make clean``.
KEEP_DAYS = 14


@functools.cache
def _prune(folder: Path) -> None:
    """Remove the entries in ``folder`` that another version of the code wrote, and those
    unused for :data:`KEEP_DAYS` (once per folder and process). A render reading an entry
    meanwhile has it open, or finds it missing and checks its chunk again."""
    mine = code_key().hex()[:16]
    stale = time.time() - KEEP_DAYS * 86400
    suffixes = (".parquet", ENTRY_SUFFIX, DEFLATED_SUFFIX)
    for path in [path for suffix in suffixes for path in folder.glob(f"*-*-*{suffix}")]:
        with suppress(OSError):  # gone meanwhile: another render pruned it
            if path.name.split("-")[1] != mine or path.stat().st_mtime < stale:
                path.unlink(missing_ok=True)
