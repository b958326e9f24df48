"""A dated series: one briefing per source date, rendered in parallel, and an index page.

Each date is rendered in its own process by :func:`briefing.render.render_briefing`
through :class:`concurrent.futures.ProcessPoolExecutor`; a date whose manifest shows the
same inputs and parameters, with its outputs intact, is skipped. ``index.html`` lists
every briefing with its headline and what changed, read from the briefing's own facts
file (``briefing-<date>.json``, :mod:`briefing.facts`), and relative links.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import markup
from .evidence import Evidence, data_paths, load_evidence, previous_date, publication_dates
from .manifest import build_manifest, is_up_to_date
from .publish import replace_file
from .render import DEFAULT_NOTEBOOK, injected_parameters, render_briefing


@dataclass
class SeriesResult:
    """Which dates were rendered, which were already up to date, and the index."""

    rendered: list[str]
    skipped: list[str]
    index: Path


def pending_dates(
    dates, notebook: Path, output_dir: Path, data_dir: Path, evidence, signer=None
) -> list:
    """The dates whose briefing is missing, was built from other inputs, or was signed by
    another identity than ``signer`` (or signed when it is ``None``, or the reverse)."""
    from .inputs import take_snapshot

    pending, paths = [], data_paths(data_dir)
    snapshot = take_snapshot({**paths, "notebook": notebook})  # the inputs, read once
    for day in dates:
        extra = {"since": previous_date(evidence, day) or ""}
        manifest = build_manifest(
            injected_parameters(day, notebook, data_dir, extra),
            notebook,
            data_dir,
            paths,
            snapshot=snapshot,
            signer=signer.record() if signer is not None else None,
        )
        if not is_up_to_date(output_dir / day, manifest):
            pending.append(day)
    return pending


def render_series(
    output_dir: Path | str = "reports",
    data_dir: Path | str = "data",
    notebook: Path | str = DEFAULT_NOTEBOOK,
    jobs: int | None = None,
    signer=None,
) -> SeriesResult:
    """Render one briefing per source publication date and write ``index.html``.

    Parameters
    ----------
    output_dir, data_dir, notebook : Path or str
        As for :func:`briefing.render.render_briefing`.
    jobs : int, optional
        Parallel renders; default: the number of CPU cores.
    signer : briefing.signing.Identity, optional
        Sign every PDF with it (see :func:`briefing.render.render_briefing`).

    Returns
    -------
    SeriesResult
    """
    output_dir, data_dir, notebook = Path(output_dir), Path(data_dir), Path(notebook)
    evidence = load_evidence(data_dir)
    dates = publication_dates(evidence)
    pending = pending_dates(dates, notebook, output_dir, data_dir, evidence, signer)
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = [
            pool.submit(
                render_briefing,
                as_of=day,
                notebook=notebook,
                output_dir=output_dir,
                data_dir=data_dir,
                signer=signer,
            )
            for day in pending
        ]
        for future in futures:
            future.result()
    index = write_index(output_dir, evidence, dates)
    return SeriesResult(pending, [d for d in dates if d not in pending], index)


def index_rows(output_dir: Path, dates) -> list[dict]:
    """For each date: its headline (the first bottom-line sentence) and what changed, as
    its facts file records them (a briefing without one is listed without them)."""
    import json

    rows = []
    for day in dates:
        path = Path(output_dir) / day / f"briefing-{day}.json"
        try:
            facts = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            rows.append({"date": day, "headline": "", "changed": ""})
            continue
        changes = facts.get("what_changed") or {}
        summary = "; ".join(
            f"{kind.lower()}: {len(items)}" for kind, items in changes.items() if items
        ) or ("first briefing" if not facts.get("since") else "nothing changed")
        rows.append({"date": day, "headline": facts["bottom_line"][0], "changed": summary})
    return rows


def index_html(rows: list[dict]) -> str:
    """The index page: one row per briefing, newest first, with relative links."""
    body = []
    for row in sorted(rows, key=lambda r: r["date"], reverse=True):
        stem = f"{row['date']}/briefing-{row['date']}"
        links = (
            f'<a href="{markup.escape(stem)}.html">HTML</a> · '
            f'<a href="{markup.escape(stem)}.pdf">PDF</a>'
        )
        body.append(
            f"<tr><td>{markup.escape(row['date'])}</td>"
            f"<td>{markup.escape(row['headline'])}</td>"
            f"<td>{markup.escape(row['changed'])}</td><td>{links}</td></tr>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Briefings</title><style>body{font-family:sans-serif;max-width:60rem;"
        "margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}"
        "th,td{text-align:left;vertical-align:top;padding:.3em .5em;border-bottom:1px solid"
        " #ccc}</style></head><body><h1>Briefings</h1><table><thead><tr>"
        '<th scope="col">Information as of</th><th scope="col">Headline</th>'
        '<th scope="col">What changed</th><th scope="col">Briefing</th></tr></thead>'
        "<tbody>" + "".join(body) + "</tbody></table></body></html>\n"
    )


def write_index(output_dir: Path, evidence: Evidence, dates) -> Path:
    """Write ``output_dir/index.html`` atomically and return its path."""
    html = index_html(index_rows(output_dir, dates))
    target = output_dir / "index.html"
    replace_file(target, html.encode("utf-8"), 0o644)
    return target
