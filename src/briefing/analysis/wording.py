"""How the briefing writes dates, counts, lists and plurals: one home for its wording."""

from __future__ import annotations

import pandas as pd

from . import LIMITS


def day(value) -> str:
    """``23 Oct 2024`` for a timestamp; blank when unknown."""
    return "" if pd.isna(value) else f"{value:%-d}\u00a0{value:%b}\u00a0{value:%Y}"


def format_date(value, precision: str = "day") -> str:
    """``23 Oct 2024``, ``June 2024`` or ``2024`` by precision; blank when unknown."""
    if pd.isna(value):
        return ""
    if precision == "year":
        return f"{value:%Y}"
    if precision == "month":
        return f"{value:%B}\u00a0{value:%Y}"
    return day(value)


def long_date(value) -> str:
    """``23 October 2024`` from a date or ``YYYY-MM-DD`` string."""
    return f"{pd.Timestamp(value):%-d %B %Y}"


def format_count(low, high) -> str:
    """The bounds in figures: ``1,500``, ``at least 3,000``, ``up to 12,000``,
    ``10,000–12,000``."""
    if pd.isna(low) and pd.isna(high):
        return ""
    if pd.isna(low):
        return f"up to {int(high):,}"
    if pd.isna(high):
        return f"at least {int(low):,}"
    if low == high:
        return f"{int(low):,}"
    return f"{int(low):,}\u2013{int(high):,}"


def plural(count: int, noun: str, plural_noun: str = "") -> str:
    """``1 figure`` / ``4 figures`` (``plural_noun`` when not ``noun + "s"``)."""
    return f"{count} {noun if count == 1 else plural_noun or noun + 's'}"


def have_been(count: int, noun: str) -> str:
    """``1 figure has been`` / ``4 figures have been``."""
    return f"{plural(count, noun)} {'has' if count == 1 else 'have'} been"


def join_names(names) -> str:
    """``A``, ``A and B``, ``A, B and C`` (each name once)."""
    names = list(dict.fromkeys(names))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def capped(items: list, limit: int = LIMITS["list"]) -> list:
    """At most ``limit`` items, then ``… and N more`` when some are left out."""
    return capped_total(list(items[:limit]), len(items), limit)


def capped_total(first: list, total: int, limit: int = LIMITS["list"]) -> list:
    """:func:`capped` of ``total`` items of which ``first`` holds (at least) the first
    ``limit``: the rest need not be worded."""
    if total <= limit:
        return list(first[:total])
    return list(first[:limit]) + [f"\u2026 and {total - limit} more"]


def who(actor: str, country: str) -> str:
    """``John Kirby (US)``."""
    return f"{actor} ({country})"
