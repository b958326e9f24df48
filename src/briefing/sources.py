"""Source documents: ``data/sources/<source_id>.md``.

A source file is YAML front matter between two ``---`` lines, then the document text
exactly as received. The text after the closing ``---`` line is never edited: quotes
in the claims table are found in it, and their character offsets refer to it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .cache import SourcesCache, cache_folder
from .errors import Problem, SourceValidationError, display_path
from .inputs import PATTERNS, UnreadableInputError, list_inputs, read_input
from .text import BOM, field_problem, never_allowed_problem, shown

REQUIRED_KEYS = ("source_id", "title", "outlet", "published")
OPTIONAL_KEYS = ("url", "license", "notes")
DELIMITER = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
if TYPE_CHECKING:
    import pandas as pd

SOURCE_COLUMNS = [*REQUIRED_KEYS, *OPTIONAL_KEYS, "text", "path"]
#: A source's fields, each a column of the sources' frame.
FIELDS = REQUIRED_KEYS + OPTIONAL_KEYS


@dataclass
class SourceFile:
    """One source document split into its front matter and its text."""

    path: str
    meta: dict[str, str]
    key_lines: dict[str, int]
    text: str


def parse_date(value: str) -> dt.date | None:
    """Parse a strict ``YYYY-MM-DD`` calendar date, or return ``None``."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def split_front_matter(raw: str, where: str) -> tuple[str, str, list[Problem]]:
    """Split a source file into (front matter, text) at its two ``---`` lines."""
    first = DELIMITER.match(raw)
    closing = DELIMITER.search(raw, first.end()) if first else None
    if not first or not closing:
        message = "expected YAML front matter between two '---' lines at the top of the file"
        return "", "", [Problem(where, 1, "", message)]
    text_start = closing.end() + (1 if raw[closing.end() : closing.end() + 1] == "\n" else 0)
    return raw[first.end() + 1 : closing.start()], raw[text_start:], []


class _FrontMatterLoader(yaml.BaseLoader):
    """PyYAML's string-only loader, refusing anchors and aliases as it composes.

    Refused before anything is built, an alias bomb (a few hundred bytes of nested
    aliases that expand to gigabytes) costs nothing; a briefing's metadata never needs one.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(problem=ALIAS_MESSAGE, problem_mark=event.start_mark)
        return super().compose_node(parent, index)


ALIAS_MESSAGE = "uses a YAML anchor or alias (&name, *name); expected plain 'key: value' lines"


def compose_front_matter(front: str):
    """Compose front matter into YAML nodes, refusing anchors and aliases (raises
    :class:`yaml.YAMLError`).

    Text with neither ``&`` nor ``*`` can hold no anchor or alias: libyaml's C parser
    composes it, about ten times faster (thousands of sources are read by every render).
    Anything else, and any text the C parser refuses, goes through
    :class:`_FrontMatterLoader`, which refuses anchors and locates every error.
    """
    fast = getattr(yaml, "CBaseLoader", None)
    if fast is not None and "&" not in front and "*" not in front:
        try:
            return yaml.compose(front, Loader=fast)
        except yaml.YAMLError:
            pass  # the pure-Python loader below says where and why
    loader = _FrontMatterLoader(front)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def parse_yaml(
    front: str, where: str, first: int = 2
) -> tuple[dict, dict[str, int], list[Problem]]:
    """Parse YAML ``key: value`` lines into ``{key: text}`` and the line of each key;
    locate problems (``first`` is the file's line of the text's first line: 2 for front
    matter, after its ``---``).

    Values are kept as written (every scalar a string); a list or mapping as a value is
    reported by :func:`_meta_problems`. Anchors, aliases and a key given twice are refused,
    naming the lines.
    """
    for number, text in enumerate(front.split("\n"), start=first):
        if policy := field_problem(text, one_line=False):  # YAML reads U+2028 as a line break
            return {}, {}, [Problem(where, number, "", f"found {shown(text)}, which {policy}")]
    try:
        node = compose_front_matter(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first if mark else first - 1 or 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        column = f" (column {mark.column + 1})" if mark else ""
        message = (
            ALIAS_MESSAGE
            if reason == ALIAS_MESSAGE
            else f"front matter is not valid YAML: {reason}{column}"
        )
        return {}, {}, [Problem(where, line, "", message)]
    if node is None:
        return {}, {}, []
    if not isinstance(node, yaml.MappingNode):
        return {}, {}, [Problem(where, first, "", "expected 'key: value' lines")]
    return _mapping(node, where, first)


def _mapping(node, where: str, first: int) -> tuple[dict, dict[str, int], list[Problem]]:
    """The keys and values of a composed front-matter mapping; a key given twice is refused."""
    meta, lines, problems = {}, {}, []
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + first
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(where, line, "", "expected a plain key before ':'"))
            continue
        name = key_node.value
        if name in lines:
            message = f"is given twice (lines {lines[name]} and {line}); expected each key once"
            problems.append(Problem(where, line, name, message))
            continue
        lines[name] = line
        meta[name] = value_node.value if isinstance(value_node, yaml.ScalarNode) else []
    return meta, lines, problems


def read_source(path: Path, where: str = "") -> tuple[SourceFile, list[Problem]]:
    """Read one source file; return it with the problems in its encoding and front matter.

    ``where`` is how messages name the file (default: :func:`display_path`). The file is
    read through :func:`briefing.inputs.read_input` (regular files only, within a size
    limit); a leading byte-order mark is dropped.
    """
    where = where or display_path(path)
    try:
        data = read_input(path)
    except UnreadableInputError as exc:
        return SourceFile(where, {}, {}, ""), [Problem(where, 0, "", exc.problems[0].message)]
    return parse_source(data, where, path.stem)


def parse_source(data: bytes, where: str, stem: str) -> tuple[SourceFile, list[Problem]]:
    """A source file's bytes as a :class:`SourceFile`, with their problems (see
    :func:`read_source`); ``stem`` is the file's name without ``.md``."""
    empty = SourceFile(where, {}, {}, "")
    try:
        raw = data.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return empty, [Problem(where, line, "", "is not UTF-8 text")]
    found = never_allowed_problem(raw)
    if found:
        line, column, message = found
        return empty, [Problem(where, line, "", f"{message} (column {column})")]
    front, text, problems = split_front_matter(raw, where)
    meta, key_lines, yaml_problems = parse_yaml(front, where) if not problems else ({}, {}, [])
    source = SourceFile(where, meta, key_lines, text)
    return source, problems + yaml_problems + _meta_problems(source, stem)


def _meta_problems(source: SourceFile, stem: str) -> list[Problem]:
    """Check the front-matter keys and values of one source."""
    if not source.meta:
        return []
    problems = []

    def add(key: str, message: str) -> None:
        problems.append(Problem(source.path, source.key_lines.get(key, 1), key, message))

    for key in REQUIRED_KEYS:
        if str(source.meta.get(key, "")).strip() == "":
            add(key, "required front-matter key is missing or empty")
    for key, value in source.meta.items():
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            add(
                key,
                f"unknown front-matter key; expected: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}",
            )
        elif not isinstance(value, str):
            add(key, "expected a single text value")
        elif policy := field_problem(value, one_line=key != "notes"):
            add(key, f"found {shown(value)}, which {policy}")
    source_id = source.meta.get("source_id")
    if isinstance(source_id, str) and source_id and source_id != stem:
        add("source_id", f"found {source_id!r}; expected the file name without .md: {stem!r}")
    published = source.meta.get("published")
    if isinstance(published, str) and published and parse_date(published) is None:
        add("published", f"found {published!r}; expected a real calendar date YYYY-MM-DD")
    if not source.text.strip():
        add("", "the document text after the front matter is empty")
    return problems


def read_sources(
    sources_dir: Path | str, cached: bool = True, store: SourcesCache | None = None
) -> list[SourceFile]:
    """Read and check every ``*.md`` source in ``sources_dir`` (hidden files never count).

    With ``cached``, through the cache (:class:`briefing.cache.SourcesCache`, which needs
    pyarrow: ``store``, when its index is read already); without, every file is parsed
    (what the light ``briefing dates`` does).

    Raises
    ------
    SourceValidationError
        With every problem of every source, each located as ``path:line:key``.
    """
    sources_dir = Path(sources_dir)
    folder = display_path(sources_dir)
    paths = list_inputs(sources_dir, PATTERNS["sources"])
    if not paths:
        raise SourceValidationError([Problem(folder, 0, "", "no source files (*.md) found")])
    if store is None:
        store = SourcesCache(cache_folder() if cached else None, sources_dir, FIELDS)
    sources, problems = [], []
    for path in paths:
        source, found = _cached_source(store, path, f"{folder}/{path.name}")
        sources.append(source)
        problems.extend(found)
    if problems:
        raise SourceValidationError(problems)
    store.keep()
    return sources


def _cached_source(store, path: Path, where: str) -> tuple[SourceFile, list[Problem]]:
    """A source through the cache (:class:`briefing.cache.SourcesCache`): parsed again only
    when its bytes (or the package) changed; kept when it has no problem."""
    try:
        data = read_input(path)
    except UnreadableInputError:
        return read_source(path, where)
    key = store.key(path.name, data)
    hit = store.get(key)
    if hit is not None:
        return SourceFile(where, *hit), []
    source, problems = parse_source(data, where, path.stem)
    if not problems:
        store.put(key, source.meta, source.key_lines, source.text)
    return source, problems


def load_sources(sources_dir: Path | str) -> pd.DataFrame:
    """Load every ``*.md`` source in ``sources_dir``.

    Parameters
    ----------
    sources_dir : Path or str
        Folder of source files.

    Returns
    -------
    pandas.DataFrame
        One row per source, in ``source_id`` order, with the columns ``source_id``,
        ``title``, ``outlet``, ``published`` (datetime64), ``url``, ``license``, ``notes``,
        ``text`` (the document as received) and ``path``.

    Raises
    ------
    SourceValidationError
        With every problem of every source, each located as ``path:line:key``.
    """
    import pandas as pd

    store = SourcesCache(cache_folder(), Path(sources_dir), FIELDS)  # its index read once
    frame = _indexed_sources(store, Path(sources_dir))
    if frame is None:  # a source new, changed, gone or with a problem: each checked
        rows = [
            {**{key: source.meta.get(key, "") for key in FIELDS},
             "text": source.text, "path": source.path}
            for source in read_sources(sources_dir, store=store)
        ]  # fmt: skip
        frame = pd.DataFrame(rows, columns=SOURCE_COLUMNS)
    frame["published"] = pd.to_datetime(frame["published"], format="%Y-%m-%d")
    return frame.sort_values("source_id", ignore_index=True)


def _indexed_sources(store: SourcesCache, sources_dir: Path):
    """The sources' frame (as :func:`load_sources` makes it, unsorted, ``published`` as
    text) from the index of ``store`` (``sources_dir``'s), a column at a time, when every
    source in the folder is in it as it is now and nothing else is
    (:meth:`briefing.cache.SourcesCache.rows_of`); else ``None``. Each file is still read
    (from the render's snapshot) and hashed."""
    import pandas as pd

    paths = list_inputs(sources_dir, PATTERNS["sources"])
    if store.table is None or not paths:
        return None
    try:
        keys = [store.key(path.name, read_input(path)) for path in paths]
    except UnreadableInputError:
        return None
    rows = store.rows_of(keys)
    if rows is None:
        return None
    folder = display_path(sources_dir)
    frame = rows.to_pandas()
    named = [f"{folder}/{path.name}" for path in paths]
    frame["path"] = pd.Series(named, dtype=frame["text"].dtype)
    return frame[SOURCE_COLUMNS]


def published_dates(sources_dir: Path | str) -> list[str]:
    """Every publication date of the sources, oldest first, once each, as ``YYYY-MM-DD``.

    Reads and checks what :func:`load_sources` does, without pandas (``make`` asks for
    the newest date on every run); raises like it.
    """
    sources = read_sources(sources_dir, cached=False)  # no pyarrow: make asks on every run
    return sorted({source.meta["published"] for source in sources})
