"""The briefing's facts as data: ``briefing-<as_of>.json`` beside the HTML and the PDF.

The notebook's last cell displays them (a ``remove-cell``, so readers never see it) as the
file's text (:func:`facts_json`) with the media type :data:`MIME_TYPE`; the render writes
that text as it came, the manifest hashes the file and ``verify`` compares it. The shape is
the JSON Schema shipped with the package (:data:`SCHEMA`): the bottom line; per indicator
every figure and each actor's latest; the judgments and their state; the denials and
whether they stand; corroboration by actor and by root; what changed.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: The facts file's text in the executed notebook. A text type, not ``…+json``: a JSON
#: object there would be walked node by node each time the notebook is copied or saved
#: (seconds for a hundred thousand claims); one line of text is copied at once.
MIME_TYPE = "text/vnd.briefing.facts+json"
#: The file a render's kernel writes the facts to, beside its snapshot (not the notebook).
FACTS_FILE = "facts.json"
SCHEMA = Path(__file__).with_name("schemas") / "briefing-facts.schema.json"
SCHEMA_ID = "briefing-facts/1"


def _date(value) -> str | None:
    """``YYYY-MM-DD``, or ``None`` when unknown."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _str(value) -> str | None:
    """A plain str, or ``None`` when missing."""
    return None if value is None or pd.isna(value) else str(value)


#: A figure's fields: its key in the file, the column it comes from and the kind of value
#: (``"date"``: a date written ``YYYY-MM-DD``).
FIGURE_FIELDS = {
    "claim_id": ("claim_id", str), "actor": ("actor", str), "actor_id": ("actor_id", str),
    "country": ("claimant_country", str), "said": ("said", "date"),
    "status": ("figure_status", str), "figure_text": ("figure_text", str),
    "low": ("quantity_low", int), "high": ("quantity_high", int), "bound": ("bound", str),
    "analysts_coding": ("coded", bool), "grade": ("grade", str),
}  # fmt: skip
#: A denial's fields, likewise.
DENIAL_FIELDS = {
    "claim_id": ("claim_id", str), "actor": ("actor", str),
    "country": ("claimant_country", str), "topic": ("topic_code", str),
    "said": ("said", "date"), "state": ("state", str), "withdrawn_by": ("withdrawn_by", str),
    "withdrawn_on": ("withdrawn_on", "date"), "contradicted_count": ("contradicted_count", int),
}  # fmt: skip


def _figure_records(frame: pd.DataFrame) -> list[dict]:
    """Every figure of ``frame`` as data, a column at a time."""
    return _records_of(frame, FIGURE_FIELDS)


def _records_of(frame: pd.DataFrame, fields: dict) -> list[dict]:
    """The rows of ``frame`` as dicts of plain values, by ``fields`` (see
    :data:`FIGURE_FIELDS`), a column at a time."""
    columns = {key: _plain(*_column(frame, column, kind)) for key, (column, kind) in fields.items()}
    rows = zip(*columns.values(), strict=True)
    return [dict(zip(columns, values, strict=True)) for values in rows]


def _column(frame: pd.DataFrame, column: str, kind) -> tuple[pd.Series, type]:
    """``frame[column]`` as values of ``kind`` hold it: a date as its ``YYYY-MM-DD`` text."""
    if kind == "date":
        return pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d"), str
    return frame[column], kind


#: Arrow types whose values Arrow itself turns into plain ``kind`` values.
_NATIVE = {str: ("string", "large_string"), int: ("int64", "int32"), bool: ("bool",)}


def _native(column: pd.Series, kind):
    """``column`` as an Arrow array when it holds ``kind`` values already (text, whole
    numbers, flags), else ``None``."""
    import pyarrow as pa

    try:
        native = pa.array(column.array, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if isinstance(native, pa.ChunkedArray):  # a column joined from several (pd.concat)
        native = native.combine_chunks()
    return native if str(native.type) in _NATIVE.get(kind, ()) else None


def _plain(column: pd.Series, kind) -> list:
    """A column as plain ``kind`` values, ``None`` where missing: by Arrow, at C speed, when
    the column holds them already (:func:`_native`)."""
    native = _native(column, kind)
    if native is not None:
        return native.to_pylist()
    missing = column.isna().tolist()
    values = column.astype(object).tolist()
    return [None if gone else kind(value) for value, gone in zip(values, missing, strict=True)]


def _records_json(frame: pd.DataFrame, fields: dict) -> str:
    """:func:`_records_of` as the file writes it (``_encoded(records)`` without its
    brackets), built in Arrow a column at a time: no dict, no Python string per value."""
    from .text import arrow_bytes, joined

    if len(frame) == 0:
        return ""
    pieces: list = []
    for key in sorted(fields):  # the order of keys the encoder sorts
        column, kind = fields[key]
        pieces += [
            ("{" if not pieces else ",") + _encoded(key) + ":",
            _json_of(frame, column, kind),
        ]
    pieces.append("},")
    return arrow_bytes(joined(pieces)).decode("utf-8")[:-1]


#: What the JSON encoder escapes in text besides ``"`` and ``\``: control characters.
_CONTROL = "[\\x00-\\x1f]"


def _json_of(frame: pd.DataFrame, column: str, kind):
    """Each value of ``frame[column]`` as :func:`_encoded` writes it, as an Arrow text
    array: made by Arrow for text without control characters, whole numbers and flags;
    value by value otherwise."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.large_string()
    values, kind = _column(frame, column, kind)
    native = _native(values, kind)
    if native is None or (
        kind is str and pc.any(pc.match_substring_regex(native, _CONTROL)).as_py()
    ):
        return pa.array([_encoded(value) for value in _plain(values, kind)], text)
    if kind is str:
        cells = native.cast(text)
        for character, escaped in (("\\", "\\\\"), ('"', '\\"')):  # backslash first
            cells = pc.replace_substring(cells, character, escaped)
        quote = pa.scalar('"', text)
        cells = pc.binary_join_element_wise(quote, cells, quote, pa.scalar("", text))
    elif kind is bool:
        cells = pc.if_else(native, pa.scalar("true", text), pa.scalar("false", text))
    else:
        cells = native.cast(text)
    return pc.fill_null(cells, pa.scalar("null", text))


def _indicators(scope) -> list[dict]:
    """Per indicator with figures: its figures, each actor's latest, lowest and highest."""
    from .analysis import figures as figures_
    from .sections import _figures

    figs, shown = _figures(scope)
    register = scope.evidence.codebooks["indicators"]
    found = []
    present = set(figs["indicator"].tolist())
    for indicator in [i for i in register.index if i in present]:
        mine = figures_.of_indicator(figs, indicator)
        low, high = figures_.lowest(mine), figures_.highest(mine)
        found.append(
            {
                "indicator": str(indicator),
                "label": str(register.at[indicator, "label"]),
                "unit": str(register.at[indicator, "unit"]),
                "headline": indicator in shown,
                "figures": Records(mine, FIGURE_FIELDS),
                "latest_by_actor": _figure_records(figures_.latest_by_actor(mine)),
                "lowest": None if low is None else str(low["claim_id"]),
                "highest": None if high is None else str(high["claim_id"]),
            }
        )
    return found


def _judgments(scope) -> list[dict]:
    """The judgments in force and their state."""
    from .sections import _reviewed

    return [
        {
            "judgment_id": str(row["judgment_id"]),
            "text": str(row["text"]),
            "likelihood": str(row["likelihood"]),
            "confidence": str(row["confidence"]),
            "claim_ids": [str(c) for c in row["claim_ids"]],
            "reviewed": _date(row["valid_from"]),
            "expires_on": _date(row.get("expires_on")),
            "state": str(row["state"]),
            "newer_claims": [str(c) for c in row["newer_claims"]],
        }
        for row in _reviewed(scope).to_dict("records")
    ]


def _denials(scope) -> Records:
    """Every denial, standing or withdrawn."""
    from .sections import _denials as denials

    return Records(denials(scope), DENIAL_FIELDS)


def _corroboration(scope) -> list[dict]:
    """Per judgment: counts, and the claims counted by actor and by root."""
    from .analysis import cited_rows
    from .sections import _support

    judgments = scope.evidence.judgments.set_index("judgment_id")
    claims = cited_rows(
        scope.evidence.claims[["claim_id", "actor", "actor_root"]], judgments["claim_ids"]
    )
    actors = scope.evidence.codebooks["actors"]
    found = []
    for row in _support(scope).to_dict("records"):
        ids = [c for c in judgments.at[row["judgment_id"], "claim_ids"] if c in claims.index]
        cited = claims.loc[ids]
        by_actor = cited["actor"].value_counts().sort_index()
        roots = cited["actor_root"].map(lambda r: actors["name"].get(r, r) if r else None)
        by_root = roots.fillna(cited["actor"]).value_counts().sort_index()
        found.append(
            {
                "judgment_id": str(row["judgment_id"]),
                "claims": int(row["claims"]),
                "actors": int(row["actors"]),
                "roots": int(row["roots"]),
                "countries": int(row["countries"]),
                "sources": int(row["sources"]),
                "by_actor": {str(k): int(v) for k, v in by_actor.items()},
                "by_root": {str(k): int(v) for k, v in by_root.items()},
                "contradicted_by": [str(c) for c in row["contradicted_by"]],
            }
        )
    return found


def briefing_facts(scope) -> dict:
    """The facts of the briefing a :class:`~briefing.sections.Scope` covers."""
    from .sections import bottom_line_sentences, changed, printed

    return {
        "schema": SCHEMA_ID,
        "as_of": scope.as_of,
        "since": scope.since,
        "bottom_line": bottom_line_sentences(scope),
        "indicators": _indicators(scope),
        "judgments": _judgments(scope),
        "denials": _denials(scope),
        "corroboration": _corroboration(scope),
        "what_changed": changed(scope),
        "claims": {"known": len(scope.evidence.claims), "printed": len(printed(scope))},
    }


def extract_facts(nb) -> str | None:
    """The facts file's text an executed briefing notebook displayed, or ``None``."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIME_TYPE in data:
                text = data[MIME_TYPE]
                return "".join(text) if isinstance(text, list) else text
    return None


@dataclass
class Records:
    """The rows of ``frame`` as data, by ``fields`` (see :data:`FIGURE_FIELDS`): written
    :data:`RECORDS_AT_ONCE` at a time by :func:`facts_pieces` as JSON made in Arrow
    (:meth:`texts`; two hundred thousand figures at a million claims are never dicts)."""

    frame: pd.DataFrame
    fields: dict

    def batches(self):
        """The rows as dicts, a batch at a time."""
        for start in range(0, len(self.frame), RECORDS_AT_ONCE):
            yield _records_of(self.frame.iloc[start : start + RECORDS_AT_ONCE], self.fields)

    def texts(self):
        """The rows as the file writes them (records separated by commas, no brackets), a
        batch at a time; no empty text."""
        for start in range(0, len(self.frame), RECORDS_AT_ONCE):
            yield _records_json(self.frame.iloc[start : start + RECORDS_AT_ONCE], self.fields)


#: Rows of :class:`Records` written at a time.
RECORDS_AT_ONCE = 20_000


def facts_json(facts: dict) -> str:
    """The facts as the file holds them: stable JSON (keys sorted), on one line.

    One line, so that it travels through the notebook as one string; compact, so that
    Python's C encoder writes it (an indented file takes the pure-Python encoder, seconds at
    a hundred thousand claims). ``python -m json.tool`` shows it indented.
    """
    return "".join(facts_pieces(facts))


def facts_pieces(facts: dict):
    """:func:`facts_json`'s text in pieces, :class:`Records` encoded a batch at a time: the
    facts are encoded with a unique mark in each one's place, and the text is cut at the
    marks, each giving way to its rows, encoded as the encoder would encode their list."""
    marks: dict[str, Records] = {}

    def mark(value):
        if not isinstance(value, Records):
            raise TypeError(f"{type(value).__name__} is not JSON serializable")
        marks[f"\0briefing-records-{uuid.uuid4().hex}\0"] = value
        return next(reversed(marks))

    text = _encoded(facts, mark) + "\n"
    cuts = {_encoded(token): records for token, records in marks.items()}
    if any(text.count(cut) != 1 for cut in cuts):  # never, short of a mark in the data
        yield _encoded(facts, lambda records: list(itertools.chain(*records.batches()))) + "\n"
        return
    for cut, records in sorted(cuts.items(), key=lambda item: text.index(item[0])):
        before, text = text.split(cut)
        yield before + "["
        comma = ""
        for rows in records.texts():
            yield comma + rows
            comma = ","
        yield "]"
    yield text


def _encoded(value, default=None) -> str:
    """``value`` as compact JSON, keys sorted, text as it is (see :func:`facts_json`)."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default
    )


def schema() -> dict:
    """The JSON Schema of a facts file."""
    return json.loads(SCHEMA.read_text(encoding="utf-8"))
