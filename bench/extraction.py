"""How well ``briefing propose`` drafts the curated claims of the shipped sources.

    .venv/bin/python bench/extraction.py            # the Markdown section "## Extraction"
    .venv/bin/python bench/extraction.py --json     # the same numbers as JSON

For every source in ``DATA/sources`` it proposes candidates
(:func:`briefing.propose.propose_claims`) and compares them with the curated claims of
that source in ``DATA/claims/claims.csv``, by the character spans their quotes cover in
the source text:

- **recall**: the share of curated claims found, a claim counting as found when one
  candidate's quote covers at least half of its quote's characters;
- **precision**: the share of candidate rows whose quote overlaps some curated quote;
- over found claims, the share whose candidate has the right **claimant** (the same
  actor once both names are resolved through ``actors.csv``), **claim_date**,
  **bounds** (``quantity_low`` and ``quantity_high``, blank included) and **stance**.
  The candidate compared is the one covering most of the claim; among candidates that
  cover it equally (rows drawn from one sentence, one per claimant or figure), the one
  that agrees on most of these fields.

It also times ``propose`` on a source of at least 50 KB (the shipped texts run
together). Targets are reported as pass or FAIL, never asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from briefing.actors import name_index, normal_name, resolve  # noqa: E402
from briefing.claims import find_quote  # noqa: E402
from briefing.propose import propose_claims  # noqa: E402
from briefing.reference import load_codebooks  # noqa: E402
from briefing.sources import read_source  # noqa: E402
from briefing.tables import read_table  # noqa: E402

TARGETS = {"recall": 0.85, "precision": 0.5, "claimant": 0.85, "claim_date": 0.85, "bounds": 0.9}
FIELDS = ("claimant", "claim_date", "bounds", "stance")
SECONDS_50KB = 1.0


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """How many characters two spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def agreement(candidate: dict, claim: dict, index: dict) -> dict[str, bool]:
    """Which of :data:`FIELDS` a candidate gets right for a curated claim."""

    def actor(name: str) -> str:
        return resolve(name, index) or normal_name(name)

    return {
        "claimant": actor(candidate["claimant"]) == actor(claim["claimant"]),
        "claim_date": candidate["claim_date"] == claim["claim_date"],
        "bounds": (candidate["quantity_low"], candidate["quantity_high"])
        == (claim["quantity_low"], claim["quantity_high"]),
        "stance": candidate["stance"] == claim["stance"],
    }


def score_source(path: Path, claims: list[dict], data: Path, index: dict) -> dict:
    """Recall, precision and field agreement of the candidates of one source."""
    source, _ = read_source(path)
    started = time.perf_counter()
    candidates = propose_claims(path, data)
    seconds = time.perf_counter() - started
    spans = [find_quote(row["quote"], source.text) for row in candidates]
    curated = [(claim, find_quote(claim["quote"], source.text)) for claim in claims]
    curated = [(claim, span) for claim, span in curated if span]
    found, right = 0, dict.fromkeys(FIELDS, 0)
    misses = []
    for claim, span in curated:
        covering = [
            (overlap(s, span), row)
            for row, s in zip(candidates, spans, strict=True)
            if s and overlap(s, span) * 2 >= span[1] - span[0]
        ]
        if not covering:
            misses.append(claim["claim_id"])
            continue
        found += 1
        most = max(share for share, _ in covering)
        checks = [agreement(row, claim, index) for share, row in covering if share == most]
        best = max(checks, key=lambda check: sum(check.values()))
        for name in FIELDS:
            right[name] += best[name]
    precise = sum(1 for s in spans if s and any(overlap(s, c) > 0 for _, c in curated))
    return {
        "source_id": path.stem,
        "curated": len(curated),
        "candidates": len(candidates),
        "found": found,
        "precise": precise,
        "right": right,
        "missed": misses,
        "seconds": round(seconds, 3),
    }


def timed_50kb(paths: list[Path], data: Path) -> tuple[int, float]:
    """Seconds ``propose`` takes on one source of at least 50 KB (the texts run together)."""
    first, _ = read_source(paths[0])
    body = ""
    while len(body.encode("utf-8")) < 50_000:
        body += "\n\n".join(read_source(p)[0].text for p in paths)
    with tempfile.TemporaryDirectory() as folder:
        stem = "2000-01-01_bench_fifty-kilobytes"
        path = Path(folder) / f"{stem}.md"
        path.write_text(
            f"---\nsource_id: {stem}\ntitle: Bench\noutlet: Bench\npublished: "
            f"{first.meta['published']}\n---\n{body}",
            encoding="utf-8",
        )
        started = time.perf_counter()
        propose_claims(path, data)
        return len(body.encode("utf-8")), time.perf_counter() - started


def measure(data: Path) -> dict:
    """Every number of the section, as a dict."""
    books = load_codebooks(data / "reference")
    index = name_index(books["actors"])
    table = read_table(data / "claims" / "claims.csv")
    claims = table.frame.to_dict("records")
    paths = sorted((data / "sources").glob("*.md"))
    sources = [
        score_source(p, [c for c in claims if c["source_id"] == p.stem], data, index) for p in paths
    ]
    curated = sum(s["curated"] for s in sources)
    found = sum(s["found"] for s in sources)
    candidates = sum(s["candidates"] for s in sources)
    shares = {
        "recall": found / curated if curated else 0.0,
        "precision": sum(s["precise"] for s in sources) / candidates if candidates else 0.0,
    }
    for name in FIELDS:
        shares[name] = sum(s["right"][name] for s in sources) / found if found else 0.0
    size, seconds = timed_50kb(paths, data)
    return {
        "curated": curated,
        "found": found,
        "candidates": candidates,
        "shares": shares,
        "targets": TARGETS,
        "sources": sources,
        "timing": {"bytes": size, "seconds": round(seconds, 3), "target": SECONDS_50KB},
    }


def markdown(result: dict) -> str:
    """The ``## Extraction`` section of ``bench/results.md``."""
    shares, targets = result["shares"], result["targets"]
    counts = {
        "recall": f"{result['found']} of {result['curated']} curated claims",
        "precision": f"of {result['candidates']} candidate rows",
    }
    lines = [
        "## Extraction",
        "",
        "`.venv/bin/python bench/extraction.py`: `briefing propose` on each shipped source, "
        "against its curated claims (a claim is found when one candidate's quote covers half "
        "of its quote; field shares are over found claims).",
        "",
        "| measure | value | target | |",
        "|---|---|---|---|",
    ]
    for name, share in shares.items():
        target = targets.get(name)
        verdict = "" if target is None else ("pass" if share >= target else "FAIL")
        shown = f"≥ {target:.2f}" if target is not None else "(reported)"
        detail = f" ({counts[name]})" if name in counts else ""
        lines.append(f"| {name} | {share:.2f}{detail} | {shown} | {verdict} |")
    timing = result["timing"]
    verdict = "pass" if timing["seconds"] <= timing["target"] else "FAIL"
    lines.append(
        f"| seconds for a {timing['bytes'] / 1000:.0f} KB source | "
        f"{timing['seconds']:.2f} | ≤ {timing['target']:.1f} | {verdict} |"
    )
    lines += [
        "",
        "| source | curated | found | candidates | overlapping | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for s in result["sources"]:
        lines.append(
            f"| {s['source_id']} | {s['curated']} | {s['found']} | {s['candidates']} "
            f"| {s['precise']} | {s['seconds']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measure and print the section (or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="the data folder")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    result = measure(args.data)
    print(json.dumps(result, indent=2) if args.json else markdown(result), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
