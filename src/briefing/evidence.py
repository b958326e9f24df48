"""Load everything a briefing is built from, and validate it together."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import pandas as pd

from .claims import load_claims
from .judgments import load_analyst_tables
from .reference import load_codebooks
from .settings import read_settings
from .sources import load_sources


@dataclass
class Evidence:
    """Codebooks, sources and claims, the analyst's judgments, gaps and events, and the
    subject's settings (``briefing.yml``, :mod:`briefing.settings`)."""

    sources: pd.DataFrame
    claims: pd.DataFrame
    codebooks: dict[str, pd.DataFrame]
    judgments: pd.DataFrame
    gaps: pd.DataFrame
    events: pd.DataFrame
    settings: dict = field(default_factory=dict)


def data_paths(
    data_dir: Path | str = "data",
    claims_path=None,
    sources_dir=None,
    judgments_path=None,
    gaps_path=None,
    events_path=None,
) -> dict[str, Path | None]:
    """Where each input lives: the data folder's layout, with any path given instead.

    When another claims table is given, the data folder's judgments, gaps and events (which
    cite the data folder's claims) are not used unless given too.
    """
    data_dir = Path(data_dir)
    own = claims_path is None
    return {
        "settings": data_dir / "briefing.yml",
        "reference": data_dir / "reference",
        "sources": Path(sources_dir) if sources_dir else data_dir / "sources",
        "claims": Path(claims_path) if claims_path else data_dir / "claims" / "claims.csv",
        "judgments": Path(judgments_path)
        if judgments_path
        else (data_dir / "judgments" / "judgments.csv" if own else None),
        "gaps": Path(gaps_path)
        if gaps_path
        else (data_dir / "judgments" / "gaps.csv" if own else None),
        "events": Path(events_path)
        if events_path
        else (data_dir / "events" / "events.csv" if own else None),
    }


#: The inputs of a briefing, by role.
ROLES = tuple(data_paths())


def load_evidence(
    data_dir: Path | str = "data",
    claims_path=None,
    sources_dir=None,
    judgments_path=None,
    gaps_path=None,
    events_path=None,
    validate: bool = True,
) -> Evidence:
    """Load and validate a data folder.

    Parameters
    ----------
    data_dir : Path or str
        Folder with ``reference/``, ``sources/``, ``claims/claims.csv``,
        ``judgments/judgments.csv``, ``judgments/gaps.csv`` and ``events/events.csv``
        (the last three may be absent: the briefing then says there are none).
    claims_path, sources_dir, judgments_path, gaps_path, events_path : Path or str, optional
        Use another file or folder than the one in ``data_dir`` (see :func:`data_paths`).
    validate : bool
        Check every rule (default); ``False`` trusts tables validated moments before.

    Returns
    -------
    Evidence

    Raises
    ------
    InvalidInputError
        A subclass naming every problem as ``path:line:column: message``.
    """
    paths = data_paths(data_dir, claims_path, sources_dir, judgments_path, gaps_path, events_path)
    preloaded = None if validate else _preloaded(paths)
    if preloaded is not None:
        return preloaded
    books = load_codebooks(paths["reference"])
    return complete_evidence(paths, books, load_sources(paths["sources"]), validate)


#: The evidence a render's kernel loads while the render plans (:func:`preload_render_evidence`).
_PRELOAD: dict[str, Future] = {}


def preload_render_evidence() -> None:
    """In a render's kernel, as it boots: load the evidence its render's snapshot names, in a
    thread, as soon as the render has saved the snapshot, while the render still plans.

    The notebook's :func:`load_evidence` (``validate=False``, as a render runs it) then
    takes it, if it names the same inputs; otherwise it is dropped and the notebook loads
    its own. The snapshot does not change during a render, so both read the same bytes;
    what the preload cannot load (an unreadable table) is loaded again by the notebook,
    which reports it. Outside a render's kernel this does nothing.
    """
    from .inputs import in_render_kernel

    if not in_render_kernel():
        return
    future = Future()
    _PRELOAD["future"] = future
    threading.Thread(target=_preload, args=(future,), name="preload-evidence", daemon=True).start()


def _preload(future: Future) -> None:
    """Load the evidence of the render's snapshot into ``future`` (with its inputs)."""
    from .inputs import resolved, saved_render_snapshot, wait_for_sources

    try:
        roles = saved_render_snapshot().roles
        paths = {role: roles.get(role) and Path(roles[role]) for role in ROLES}
        books = load_codebooks(paths["reference"])
        wait_for_sources(paths["sources"])
        evidence = complete_evidence(paths, books, load_sources(paths["sources"]), False)
        future.set_result((resolved(paths), evidence))
    except BaseException as exc:  # noqa: BLE001 (the notebook's own load reports it)
        future.set_exception(exc)


def _preloaded(paths: dict) -> Evidence | None:
    """The preloaded evidence, if there is one and it has ``paths``' inputs (taken once)."""
    future = _PRELOAD.pop("future", None)
    if future is None or future.exception() is not None:
        return None
    from .inputs import resolved

    named, evidence = future.result()
    return evidence if named == resolved(paths) else None


def complete_evidence(
    paths: dict, books: dict, sources: pd.DataFrame, validate=True, columns=None
) -> Evidence:
    """Load the claims and the analyst's tables onto codebooks and sources already loaded.

    ``paths`` comes from :func:`data_paths`; raises like :func:`load_evidence`. With
    ``columns``, the claims have only those (see :func:`briefing.claims.load_claims`).
    """
    settings = read_settings(paths.get("settings"), books["indicators"])
    claims = load_claims(paths["claims"], sources, books, validate, columns)
    tables = load_analyst_tables(paths, claims, sources, books, validate)
    return Evidence(
        sources, claims, books, tables["judgments"], tables["gaps"], tables["events"], settings
    )


def published_by(sources: pd.DataFrame, day) -> pd.Series:
    """Which ``sources`` are published on or before ``day``: known then, with their claims
    (the rule :func:`known_on` applies)."""
    return sources["published"] <= pd.Timestamp(day)


def known_on(
    evidence: Evidence,
    day,
    columns: list[str] | None = None,
    source_columns: list[str] | None = None,
) -> Evidence:
    """What was known on ``day``: the evidence as a briefing of that date would show it.

    A claim is known from its source's ``published`` date; a judgment or gap from its
    ``valid_from`` date (of several versions of a judgment, the newest one in force); a gap
    closed after ``day`` is still open on ``day``; an event is known once one of the
    claims it cites is known. Cited claim ids that were not yet known are dropped.

    Parameters
    ----------
    evidence : Evidence
        Everything loaded.
    day : str or Timestamp
        The information date.
    columns : list of str, optional
        Keep only these columns of the claims (what the caller reads): filtering a million
        claims costs a copy of every column kept.
    source_columns : list of str, optional
        Keep only these columns of the sources (say, not their texts), likewise.

    Returns
    -------
    Evidence
        A filtered copy; codebooks are shared.
    """
    from .analysis import among, cited_mask

    day = pd.Timestamp(day)
    sources = evidence.sources if source_columns is None else evidence.sources[source_columns]
    sources = sources[published_by(sources, day)].reset_index(drop=True)
    claims = evidence.claims if columns is None else evidence.claims[columns]
    if len(sources) < len(evidence.sources):  # else every claim is known: no copy
        claims = claims[among(claims["source_id"], sources["source_id"]).to_numpy()]
    ids = claims["claim_id"]
    tables = (evidence.judgments, evidence.gaps, evidence.events)
    lists = chain.from_iterable(table["claim_ids"] for table in tables)
    known = set(ids[cited_mask(ids, lists).to_numpy()].tolist())  # those cited, not all known
    judgments = evidence.judgments[evidence.judgments["valid_from"] <= day]
    judgments = (
        judgments.sort_values("valid_from", kind="stable")
        .drop_duplicates("judgment_id", keep="last")
        .sort_values("line")
    )
    gaps = evidence.gaps[evidence.gaps["valid_from"] <= day].copy()
    gaps.loc[gaps["closed_on"] > day, "closed_on"] = pd.NaT
    cited = evidence.events["claim_ids"].map(lambda ids: bool(known & set(ids))).astype(bool)
    events = evidence.events.loc[cited]
    return Evidence(
        sources,
        claims.reset_index(drop=True),
        evidence.codebooks,
        _cite_known(judgments, known),
        _cite_known(gaps, known),
        _cite_known(events, known),
        evidence.settings,
    )


def _cite_known(frame: pd.DataFrame, known: set) -> pd.DataFrame:
    """A copy of ``frame`` whose ``claim_ids`` keep only known claims."""
    frame = frame.copy()
    frame["claim_ids"] = frame["claim_ids"].map(lambda ids: [c for c in ids if c in known])
    return frame.reset_index(drop=True)


def publication_dates(evidence: Evidence | pd.DataFrame) -> list[str]:
    """Every date on which a source was published, oldest first, as ``YYYY-MM-DD``.

    Takes the evidence or just its sources table.
    """
    sources = evidence.sources if isinstance(evidence, Evidence) else evidence
    return sorted({d.date().isoformat() for d in sources["published"]})


def previous_date(evidence: Evidence | pd.DataFrame, day: str) -> str | None:
    """The last publication date before ``day``, or ``None`` when ``day`` is the first.

    Takes the evidence or just its sources table.
    """
    earlier = [d for d in publication_dates(evidence) if d < str(day)]
    return earlier[-1] if earlier else None
