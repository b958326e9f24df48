"""The index pages of a series: one per subject, listing its briefings, and one on top
linking the subjects when a series renders several.

Each briefing's row shows its headline and what changed, read from the briefing's own
facts file (``briefing-<date>.json``, :mod:`briefing.facts`); links are relative, so a
folder of briefings can be moved or zipped whole.
"""

from __future__ import annotations

from pathlib import Path

from .. import markup
from ..publish import replace_file

PAGE_STYLE = (
    "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;"
    "padding:.3em .5em;border-bottom:1px solid #ccc}"
)


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
        f"<title>Briefings</title><style>{PAGE_STYLE}</style></head><body><h1>Briefings</h1>"
        "<table><thead><tr>"
        '<th scope="col">Information as of</th><th scope="col">Headline</th>'
        '<th scope="col">What changed</th><th scope="col">Briefing</th></tr></thead>'
        "<tbody>" + "".join(body) + "</tbody></table></body></html>\n"
    )


def write_index(output_dir: Path, dates) -> Path:
    """Write ``output_dir/index.html`` atomically, listing the dates of ``dates`` that have
    a published briefing (a date that failed has none), and return its path."""
    published = [day for day in dates if (output_dir / day / "manifest.json").is_file()]
    output_dir.mkdir(parents=True, exist_ok=True)
    html = index_html(index_rows(output_dir, published))
    target = output_dir / "index.html"
    replace_file(target, html.encode("utf-8"), 0o644)
    return target


def subjects_html(subjects: list[dict]) -> str:
    """The top page of a series of several subjects: one row per subject, with a link to
    its own index, its number of briefings and its newest date."""
    body = [
        f'<tr><td><a href="{markup.escape(s["folder"])}/index.html">'
        f"{markup.escape(s['title'])}</a></td><td>{len(s['dates'])}</td>"
        f"<td>{markup.escape(s['dates'][-1] if s['dates'] else '')}</td></tr>"
        for s in sorted(subjects, key=lambda s: s["title"].casefold())
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Subjects</title><style>{PAGE_STYLE}</style></head><body><h1>Subjects</h1>"
        '<table><thead><tr><th scope="col">Subject</th><th scope="col">Briefings</th>'
        '<th scope="col">Newest</th></tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></body></html>\n"
    )


def write_subjects_index(output_dir: Path, subjects: list[dict]) -> Path:
    """Write the top ``output_dir/index.html`` linking each subject's index."""
    target = output_dir / "index.html"
    replace_file(target, subjects_html(subjects).encode("utf-8"), 0o644)
    return target
