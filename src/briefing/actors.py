"""Who speaks, and for whom: the actors register (``data/reference/actors.csv``).

A claim's ``claimant`` is the name as its curator typed it ("Peskov", "Dmitry Peskov
(Kremlin spokesman)"); it resolves to exactly one actor by the actor's ``name`` or one of
its ``aliases`` (``|``-separated), compared without regard to case, spacing or
punctuation (:func:`normal_name`). Every table, chart and sentence prints the actor's
``name``; corroboration counts actors and their **roots**: following ``part_of`` (the
actor an actor speaks for) to the top, a spokesman's root is his government, an outlet
is its own root.

The register's rows are checked against the codebooks they cite (``countries``,
``actor_kinds``), ``part_of`` must name an actor and never loop, and no two actors may
share a name or alias once normalised.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from .errors import Problem

_NOT_ALNUM = re.compile(r"[\W_]+")


def normal_name(name: str) -> str:
    """A name as compared: lower case, every run of other characters one space.

    "Dmitry  Peskov", "dmitry peskov" and "Dmitry Peskov." compare equal; "Peskov" does
    not (an alias says so).
    """
    return _NOT_ALNUM.sub(" ", name.casefold()).strip()


def spellings(actor) -> list[str]:
    """An actor's ``name`` and its ``aliases``, as written."""
    aliases = [part.strip() for part in str(actor["aliases"]).split("|") if part.strip()]
    return [actor["name"], *aliases]


def name_index(actors: pd.DataFrame) -> dict[str, list[str]]:
    """Normalised spelling to the actor ids that use it (one, in a valid register)."""
    index: dict[str, list[str]] = {}
    for actor_id, actor in actors.iterrows():
        for spelling in spellings(actor):
            owners = index.setdefault(normal_name(spelling), [])
            if actor_id not in owners:
                owners.append(actor_id)
    return index


def resolve(claimant: str, index: dict[str, list[str]]) -> str | None:
    """The id of the one actor ``claimant`` names, or ``None``."""
    owners = index.get(normal_name(claimant), [])
    return owners[0] if len(owners) == 1 else None


def closest_actors(claimant: str, actors: pd.DataFrame, count: int = 3) -> list[str]:
    """The names of the actors whose spellings look most like ``claimant``."""
    by_spelling = {
        normal_name(s): actor["name"] for _, actor in actors.iterrows() for s in spellings(actor)
    }
    words = set(normal_name(claimant).split())
    near = difflib.get_close_matches(normal_name(claimant), list(by_spelling), count, 0.5)
    shared = [s for s in by_spelling if words & set(s.split())]  # "Peskov" in "Dmitry Peskov"
    names = [by_spelling[s] for s in [*near, *shared]]
    return list(dict.fromkeys(names))[:count]


def root_of(actor_id: str, actors: pd.DataFrame) -> str:
    """The actor at the top of ``actor_id``'s ``part_of`` chain (itself when it has none)."""
    seen = {actor_id}
    while (parent := actors.at[actor_id, "part_of"]) and parent in actors.index:
        if parent in seen:  # a loop, reported by register_problems
            break
        seen.add(parent)
        actor_id = parent
    return actor_id


def roots(actors: pd.DataFrame) -> dict[str, str]:
    """Every actor id to its root's id."""
    return {actor_id: root_of(actor_id, actors) for actor_id in actors.index}


def _loop(actor_id: str, actors: pd.DataFrame) -> list[str] | None:
    """The ``part_of`` chain from ``actor_id`` back to itself, if it loops."""
    chain = [actor_id]
    while (parent := actors.at[chain[-1], "part_of"]) and parent in actors.index:
        if parent == actor_id:
            return [*chain, parent]
        if parent in chain:
            return None  # a loop further up, reported for its own members
        chain.append(parent)
    return None


def register_problems(books: dict[str, pd.DataFrame], paths: dict[str, str]) -> list[Problem]:
    """What is wrong with the actors and indicators registers, given the codebooks.

    ``paths`` maps a file stem to the path to show in messages.
    """
    problems = []
    actors, indicators = books.get("actors"), books.get("indicators")
    cited = [
        ("actors", actors, "country", "countries"),
        ("actors", actors, "kind", "actor_kinds"),
        ("indicators", indicators, "unit", "units"),
    ]
    for stem, frame, column, book in cited:
        if frame is None or book not in books:
            continue
        allowed = set(books[book].index)
        for line, value in zip(frame["line"], frame[column], strict=True):
            if value not in allowed:
                listing = ", ".join(list(books[book].index)[:12])
                message = (
                    f"found {value!r}; expected a code from data/reference/{book}.csv ({listing})"
                )
                problems.append(Problem(paths[stem], int(line), column, message))
    if actors is None:
        return problems
    for actor_id, actor in actors.iterrows():
        parent, line = actor["part_of"], int(actor["line"])
        if parent and parent not in actors.index:
            message = f"found {parent!r}; expected the actor_id of another actor (no such actor)"
            problems.append(Problem(paths["actors"], line, "part_of", message))
        elif parent and (loop := _loop(actor_id, actors)):
            message = (
                f"found {parent!r}, which leads back to {actor_id!r} "
                f"({' -> '.join(loop)}); expected a chain that ends"
            )
            problems.append(Problem(paths["actors"], line, "part_of", message))
    for spelling, owners in name_index(actors).items():
        if len(owners) > 1:
            line = int(actors.at[owners[1], "line"])
            message = (
                f"a name or alias of {owners[1]!r} reads as {spelling!r}, like one of "
                f"{owners[0]!r} (line {int(actors.at[owners[0], 'line'])}); expected "
                "every spelling to name one actor"
            )
            problems.append(Problem(paths["actors"], line, "aliases", message))
    return problems
