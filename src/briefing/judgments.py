"""The analyst's own tables: key judgments, intelligence gaps and timeline events.

``data/judgments/judgments.csv``, ``data/judgments/gaps.csv`` and
``data/events/events.csv`` are edited like the claims table and validated the same
way: every problem at once, as ``path:line:column: message``. Each row cites the
claims it rests on (ids separated by spaces), so every judgment is traceable.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .errors import InvalidInputError, Problem
from .inputs import input_exists
from .reference import codebook_rule
from .sources import parse_date
from .tables import Table, check_table, common_rules, read_table, rule, split_ids

JUDGMENT_COLUMNS = ["judgment_id", "text", "likelihood", "confidence", "claim_ids", "valid_from",
                    "expires_on", "notes"]  # fmt: skip
#: Columns a table may leave out (older tables have none): read as blank.
OPTIONAL_COLUMNS = {"judgments": ("expires_on",)}
GAP_COLUMNS = ["gap_id", "question", "claim_ids", "valid_from", "closed_on", "notes"]
EVENT_COLUMNS = ["event_id", "date", "date_precision", "event", "claim_ids", "notes"]
DATE_PRECISIONS = ("day", "month", "year")
CONFIDENCE_TERMS = re.compile(r"\bconfiden(?:ce|t)\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class JudgmentValidationError(InvalidInputError):
    """A judgments, gaps or events table breaks a rule."""


def estimative_pattern(phrase: str) -> re.Pattern:
    """A pattern for an estimative phrase as analysts write it.

    ``almost certain`` also matches ``almost certainly``; ``probable`` also matches
    ``probably``. Matching ignores case and respects word boundaries, so ``likely``
    does not match inside ``unlikely``.
    """
    body = re.escape(phrase).replace(r"\ ", r"\s+")
    if phrase.endswith("ble"):
        body = body[:-1] + "(?:e|y)"
    else:
        body += "(?:ly)?"
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)


def estimative_terms(words: pd.DataFrame) -> dict[str, list[re.Pattern]]:
    """Each ICD 203 code with the patterns of the code and its synonyms, longest first."""
    terms = {}
    for code, row in words.iterrows():
        phrases = [code] + [s for s in str(row.get("synonym", "")).split(";") if s.strip()]
        terms[code] = [estimative_pattern(p.strip()) for p in phrases]
    return dict(sorted(terms.items(), key=lambda item: -len(item[0])))


def wording_problems(text: str, likelihood: str, terms: dict) -> list[str]:
    """What is wrong with how a judgment's text uses estimative language.

    The text must use its own likelihood word, no other, and never put a likelihood
    word and a confidence statement in one sentence (ICD 203 keeps them apart).
    """
    problems = []
    if likelihood in terms:
        own = terms[likelihood]
        if not any(p.search(text) for p in own):
            problems.append(
                f"does not use its likelihood word {likelihood!r}; expected the "
                "estimative word in the text"
            )
        rest = text
        for pattern in own:
            rest = pattern.sub(" ", rest)
        for code, patterns in terms.items():
            if code != likelihood and any(p.search(rest) for p in patterns):
                problems.append(
                    f"also uses the estimative word {code!r}; expected only {likelihood!r}"
                )
    every = [p for patterns in terms.values() for p in patterns]
    for sentence in SENTENCE_END.split(text):
        if CONFIDENCE_TERMS.search(sentence) and any(p.search(sentence) for p in every):
            problems.append(
                f"puts a likelihood word and a confidence level in one sentence "
                f"({sentence.strip()!r}); expected confidence in its own column only"
            )
    return problems


def _id_rule(prefix: str):
    """Ids like ``J001``: the prefix letter and three or more digits."""
    pattern = re.compile(rf"{prefix}\d{{3,}}")
    return rule(pattern.fullmatch, f"an id like {prefix}001 ({prefix} and 3+ digits)")


def _date_rule(blank: str = ""):
    """A real ``YYYY-MM-DD`` date (blank allowed when the column is optional)."""
    return rule(parse_date, "a real calendar date YYYY-MM-DD" + blank)


def _common_row_problems(
    table: Table, id_column: str, cited: pd.DataFrame, version_column: str = ""
) -> list[Problem]:
    """Unique ids and cited claims that exist, for any of the analyst's tables (``cited``:
    the claims it cites that there are, :func:`_cited`).

    With ``version_column`` (e.g. ``valid_from``), an id may recur once per version: a
    judgment revised on a later date keeps its id and gets a new row.
    """
    problems, frame = [], table.frame
    known = set(cited.index)
    for line, row in frame.iterrows():
        missing = [c for c in split_ids(row["claim_ids"]) if c not in known]
        if missing:
            problems.append(
                Problem(
                    table.path,
                    int(line),
                    "claim_ids",
                    f"cites {', '.join(missing)}"
                    "; expected ids of claims in the claims table (no such claim)",
                )
            )
    key = [id_column, version_column] if version_column else [id_column]
    expected = f"a unique {' and '.join(key)}" if version_column else "a unique id"
    for line in frame.index[frame.duplicated(key) & (frame[id_column] != "")]:
        value = frame.at[line, id_column]
        message = f"found {value!r} again; expected {expected}"
        problems.append(Problem(table.path, int(line), id_column, message))
    return problems


def _cited(table: Table, claims: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``claims`` that ``table`` cites, indexed by ``claim_id``: the few a
    table cites, found among a million claims without a set or an index of every id
    (:func:`briefing.analysis.cited_rows`)."""
    from .analysis import cited_rows

    return cited_rows(claims, (split_ids(ids) for ids in table.frame["claim_ids"]))


def _newest_claim_problems(table: Table, cited: pd.DataFrame, sources: pd.DataFrame):
    """A row may not cite only claims first known after its valid-from date (``cited``:
    the claims the table cites, :func:`_cited`)."""
    known_on = cited["source_id"].map(sources.set_index("source_id")["published"])
    for line, row in table.frame.iterrows():
        cited = [c for c in split_ids(row["claim_ids"]) if c in known_on.index]
        valid_from = parse_date(row["valid_from"])
        if cited and valid_from and all(known_on[c].date() > valid_from for c in cited):
            first = min(known_on[c] for c in cited).date()
            yield Problem(
                table.path,
                int(line),
                "valid_from",
                f"found {valid_from}, but every cited claim was first published later "
                f"(earliest {first}); expected a date on or after a cited claim's source",
            )


def check_judgments(table: Table, evidence_claims, sources, books) -> list[Problem]:
    """Every problem of a judgments table."""
    required = tuple(c for c in JUDGMENT_COLUMNS if c not in ("notes", "expires_on"))
    rules = common_rules(JUDGMENT_COLUMNS, required)
    rules["judgment_id"].append(_id_rule("J"))
    rules["likelihood"].append(codebook_rule(books, "estimative_words"))
    rules["confidence"].append(codebook_rule(books, "confidence_levels"))
    rules["valid_from"].append(_date_rule())
    rules["expires_on"].append(_date_rule(", or blank when the judgment has no horizon"))
    problems = check_table(table, rules)
    if table.frame.empty or not set(JUDGMENT_COLUMNS) <= set(table.header):
        return problems
    cited = _cited(table, evidence_claims)
    problems += _common_row_problems(table, "judgment_id", cited, "valid_from")
    problems += _newest_claim_problems(table, cited, sources)
    terms = estimative_terms(books["estimative_words"])
    for line, row in table.frame.iterrows():
        for message in wording_problems(row["text"], row["likelihood"], terms):
            problems.append(Problem(table.path, int(line), "text", message))
    return problems + _order_problems(table, "valid_from", "expires_on", "expires_on")


def _order_problems(table: Table, first: str, later: str, what: str) -> list[Problem]:
    """Rows whose ``later`` date (e.g. ``closed_on``) comes before their ``first`` date."""
    problems = []
    for line, row in table.frame.iterrows():
        opened, closed = parse_date(row[first]), parse_date(row[later])
        if opened and closed and closed < opened:
            message = f"found {closed}, before {first} {opened}; expected a later date"
            problems.append(Problem(table.path, int(line), what, message))
    return problems


def check_gaps(table: Table, claims, sources, books) -> list[Problem]:
    """Every problem of a gaps table."""
    rules = common_rules(GAP_COLUMNS, ("gap_id", "question", "claim_ids", "valid_from"))
    rules["gap_id"].append(_id_rule("G"))
    rules["valid_from"].append(_date_rule())
    rules["closed_on"].append(_date_rule(", or blank while the gap is open"))
    problems = check_table(table, rules)
    if table.frame.empty or not set(GAP_COLUMNS) <= set(table.header):
        return problems
    cited = _cited(table, claims)
    problems += _common_row_problems(table, "gap_id", cited)
    problems += _newest_claim_problems(table, cited, sources)
    return problems + _order_problems(table, "valid_from", "closed_on", "closed_on")


def check_events(table: Table, claims, sources, books) -> list[Problem]:
    """Every problem of a timeline events table."""
    rules = common_rules(EVENT_COLUMNS, ("event_id", "date", "date_precision", "event",
                                         "claim_ids"))  # fmt: skip
    rules["event_id"].append(_id_rule("E"))
    rules["date"].append(_date_rule())
    rules["date_precision"].append(
        rule(lambda c: c.strip() in DATE_PRECISIONS, "one of " + ", ".join(DATE_PRECISIONS))
    )
    problems = check_table(table, rules)
    if table.frame.empty or not set(EVENT_COLUMNS) <= set(table.header):
        return problems
    return problems + _common_row_problems(table, "event_id", _cited(table, claims))


def with_blank_columns(table: Table, names: tuple[str, ...]) -> Table:
    """``table`` with each optional column it leaves out added, blank."""
    missing = [name for name in names if table.header and name not in table.header]
    if not missing:
        return table
    blank = pd.Series("", index=table.frame.index, dtype=object)  # as read_table's cells
    frame = table.frame.assign(**dict.fromkeys(missing, blank))
    return Table(table.path, [*table.header, *missing], frame, table.problems)


def _typed(table: Table, columns: list[str], dates: tuple[str, ...]) -> pd.DataFrame:
    """Typed copy of a validated table: dates parsed, ``claim_ids`` split into lists."""
    frame = table.frame.reindex(columns=columns).fillna("").copy()
    frame.insert(0, "line", frame.index.astype("int64"))
    frame = frame.reset_index(drop=True)
    for name in dates:
        frame[name] = pd.to_datetime(frame[name].replace("", None), format="%Y-%m-%d")
    frame["claim_ids"] = frame["claim_ids"].map(split_ids)
    return frame


CHECKS = {  # table kind: (columns, date columns, check function)
    "judgments": (JUDGMENT_COLUMNS, ("valid_from", "expires_on"), check_judgments),
    "gaps": (GAP_COLUMNS, ("valid_from", "closed_on"), check_gaps),
    "events": (EVENT_COLUMNS, ("date",), check_events),
}


def load_analyst_tables(
    paths: dict[str, Path], claims, sources, books, validate: bool = True
) -> dict[str, pd.DataFrame]:
    """Load and validate the judgments, gaps and events tables together.

    Parameters
    ----------
    paths : dict
        ``{"judgments": path, "gaps": path, "events": path}``; a path that does not
        exist gives an empty table (a data set may have no judgments yet).
    claims, sources : pandas.DataFrame
        Validated claims and sources (cited claims must exist).
    books : dict
        Codebooks (estimative words, confidence levels).

    Returns
    -------
    dict of str to pandas.DataFrame
        Typed tables: dates as datetime64, ``claim_ids`` as lists, plus ``line``.

    Raises
    ------
    JudgmentValidationError
        Listing every problem of every table.
    """
    tables, problems = {}, []
    for kind, (columns, dates, check) in CHECKS.items():
        path = Path(paths[kind]) if paths.get(kind) else None
        if path is None or not input_exists(path):
            tables[kind] = _typed(
                Table(str(path), columns, pd.DataFrame(columns=columns), []), columns, dates
            )  # no such table: none recorded
            continue
        table = with_blank_columns(read_table(path), OPTIONAL_COLUMNS.get(kind, ()))
        found = check(table, claims, sources, books) if validate else list(table.problems)
        problems += found
        if not found:
            tables[kind] = _typed(table, columns, dates)
    if problems:
        raise JudgmentValidationError(problems)
    return tables
