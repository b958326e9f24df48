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

import pandas as pd
import yaml

from .errors import Problem, SourceValidationError, display_path

REQUIRED_KEYS = ("source_id", "title", "outlet", "published")
OPTIONAL_KEYS = ("url", "license", "notes")
DELIMITER = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
SOURCE_COLUMNS = [*REQUIRED_KEYS, *OPTIONAL_KEYS, "text", "path"]


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


def _parse_yaml(front: str, where: str) -> tuple[dict, list[Problem]]:
    """Parse front matter as YAML with every value a string; locate syntax errors."""
    try:
        meta = yaml.load(front, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        return {}, [Problem(where, line, "", f"front matter is not valid YAML: {exc}")]
    if not isinstance(meta, dict):
        return {}, [Problem(where, 2, "", "front matter must be 'key: value' lines")]
    return meta, []


def read_source(path: Path, where: str = "") -> tuple[SourceFile, list[Problem]]:
    """Read one source file; return it with the problems in its encoding and front matter.

    ``where`` is how messages name the file (default: :func:`display_path`).
    """
    where = where or display_path(path)
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes().count(b"\n", 0, exc.start) + 1
        return SourceFile(where, {}, {}, ""), [Problem(where, line, "", "is not UTF-8 text")]
    front, text, problems = split_front_matter(raw, where)
    meta, yaml_problems = _parse_yaml(front, where) if not problems else ({}, [])
    key_lines = {}
    for number, line in enumerate(front.splitlines(), start=2):
        key = line.split(":", 1)[0].strip()
        key_lines.setdefault(key, number)
    source = SourceFile(where, meta, key_lines, text)
    return source, problems + yaml_problems + _meta_problems(source, path.stem)


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
    source_id = source.meta.get("source_id")
    if isinstance(source_id, str) and source_id and source_id != stem:
        add("source_id", f"found {source_id!r}; expected the file name without .md: {stem!r}")
    published = source.meta.get("published")
    if isinstance(published, str) and published and parse_date(published) is None:
        add("published", f"found {published!r}; expected a real calendar date YYYY-MM-DD")
    if not source.text.strip():
        add("", "the document text after the front matter is empty")
    return problems


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
    sources_dir = Path(sources_dir)
    paths = sorted(sources_dir.glob("*.md"))
    if not paths:
        where = display_path(sources_dir)
        raise SourceValidationError([Problem(where, 0, "", "no source files (*.md) found")])
    rows, problems, folder = [], [], display_path(sources_dir)
    for path in paths:
        source, found = read_source(path, f"{folder}/{path.name}")
        problems.extend(found)
        rows.append({key: source.meta.get(key, "") for key in REQUIRED_KEYS + OPTIONAL_KEYS})
        rows[-1].update(text=source.text, path=source.path)
    if problems:
        raise SourceValidationError(problems)
    frame = pd.DataFrame(rows, columns=SOURCE_COLUMNS)
    frame["published"] = pd.to_datetime(frame["published"], format="%Y-%m-%d")
    return frame.sort_values("source_id", ignore_index=True)
