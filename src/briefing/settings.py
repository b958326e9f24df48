"""A subject's settings: ``data/briefing.yml``, the few choices that belong to the data.

The engine names no subject; the data set does. ``briefing.yml`` holds ``key: value``
lines (plain YAML: no anchors, aliases or repeated keys), all optional:

- ``title``: the briefing's title (one line, at most 200 characters);
- ``marking``: the handling line on every page (one line, at most 120 characters);
- ``desk``: who issues the briefings, named in a signed PDF's signature ("Issued by <desk>
  for <as_of>"; one line, at most 120 characters); default: the signing certificate's
  organisation;
- ``headline_indicators``: the indicators (``indicators.csv``) whose figures lead,
  separated by spaces; default: every indicator with figures;
- ``review_days``: days after its last review that a judgment with newer claims bearing
  on it is flagged; default 30.

A parameter given to ``briefing render`` (or set in the notebook) wins over the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import InvalidInputError, Problem, display_path
from .inputs import input_exists, read_input
from .text import BOM, field_problem, shown

KEYS = ("title", "marking", "desk", "headline_indicators", "review_days")
TEXT_LIMITS = {"title": 200, "marking": 120, "desk": 120}


class SettingsError(InvalidInputError):
    """``briefing.yml`` breaks a rule (exit code 2)."""


def text_problem(name: str, value: str) -> str | None:
    """What is wrong with a title or marking (one line of sane length under the one text
    policy), wherever it is given: ``briefing.yml`` or a ``briefing render`` option."""
    limit = TEXT_LIMITS[name]
    if not value.strip() or len(value) > limit:
        return f"found {len(value)} characters; expected 1 to {limit}"
    if policy := field_problem(value, one_line=True):
        return f"found {shown(value)}, which {policy}"
    return None


def split_indicators(value: str) -> list[str]:
    """Indicator ids separated by spaces or commas."""
    return [part for part in re.split(r"[\s,]+", value or "") if part]


def read_settings(path: Path | str | None, indicators=None) -> dict:
    """The settings in ``path`` (``{}`` when there is no such file), checked.

    ``indicators`` (the register, when loaded) lets ``headline_indicators`` be checked.

    Raises
    ------
    SettingsError
        Every problem, as ``path:line:key: message``.
    """
    from .sources import parse_yaml

    if path is None or not input_exists(path):
        return {}
    where = display_path(path)
    try:
        text = read_input(path).decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError:
        raise SettingsError(
            [Problem(where, 0, "", "is not UTF-8; save the file as UTF-8")]
        ) from None
    values, lines, problems = parse_yaml(text, where, first=1)
    for key, value in values.items():
        problems += _problems(key, value, lines[key], where, indicators)
    if problems:
        raise SettingsError(problems)
    settings = {key: values[key] for key in KEYS if key in values}
    if "review_days" in settings:
        settings["review_days"] = int(settings["review_days"])
    return settings


def _problems(key: str, value, line: int, where: str, indicators) -> list[Problem]:
    """What is wrong with one ``key: value`` line."""

    def problem(message: str) -> list[Problem]:
        return [Problem(where, line, key, message)]

    if key not in KEYS:
        return problem(f"unknown key; expected one of {', '.join(KEYS)}")
    if not isinstance(value, str):
        return problem("found a list or mapping; expected a plain value")
    if key in TEXT_LIMITS and (message := text_problem(key, value)):
        return problem(message)
    if key == "review_days" and not (value.isascii() and value.isdigit()):
        return problem(f"found {shown(value)}; expected whole days, 0 or more")
    if key == "headline_indicators" and indicators is not None:
        unknown = [i for i in split_indicators(value) if i not in indicators.index]
        if unknown:
            listing = ", ".join(indicators.index)
            return problem(
                f"found {', '.join(unknown)}; expected ids from data/reference/indicators.csv "
                f"({listing})"
            )
    return []
