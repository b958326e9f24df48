"""Write a synthetic but valid briefing dataset of any size, for benchmarks.

    python bench/synth.py --claims N --out DIR [--dates D] [--seed S] [--parquet]

writes

- ``DIR/sources/<source_id>.md``: front matter (``source_id``, ``title``, ``outlet``,
  ``published``, ``license: synthetic``, ``notes``) and a text made of the quote sentences
  of the source's claims plus filler, so that every quote is found verbatim;
- ``DIR/claims.csv``: N claims (``C000001``…) with the 18 columns of the real table
  (``--parquet``: also ``DIR/claims.parquet``, the same cells as text columns);
- ``DIR/reference/``: the codebooks, with the synthetic data set's own ``actors.csv`` (every
  claimant, each speaking for one of a few synthetic bodies) and ``indicators.csv``;
- ``DIR/judgments.csv``: about ten key judgments citing claims known on their date;
- ``DIR/gaps.csv`` and ``DIR/events.csv``: a few gaps and timeline events (optional inputs:
  pass them with ``--gaps``/``--events`` where a command accepts them).

Codes (countries, topics, grades, units, figure statuses) come from the repository's
codebooks in ``data/reference`` (``--reference`` to use others). The same seed gives the
same bytes. Check the result with::

    briefing validate --data-dir DIR --claims DIR/claims.csv --sources DIR/sources \\
        --judgments DIR/judgments.csv --gaps DIR/gaps.csv --events DIR/events.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_DATE = dt.date(2024, 6, 1)
DATE_STEP = 3  # days between publication dates

CLAIM_COLUMNS = [
    "claim_id", "source_id", "claimant", "claimant_role", "claimant_country", "claim_date",
    "topic", "statement", "quote", "figure_text", "quantity_low", "quantity_high", "indicator",
    "figure_status", "stance", "source_reliability", "info_credibility", "notes",
]  # fmt: skip
#: The synthetic data set's indicators: what its figures count.
INDICATORS = [
    ("troops_counted", "troops counted", "troops", "Synthetic troop figures."),
    ("casualties_counted", "casualties counted", "casualties", "Synthetic casualty figures."),
]
BODIES = 12  # the synthetic governments and agencies the claimants speak for
JUDGMENT_COLUMNS = [
    "judgment_id",
    "text",
    "likelihood",
    "confidence",
    "claim_ids",
    "valid_from",
    "notes",
]
GAP_COLUMNS = ["gap_id", "question", "claim_ids", "valid_from", "closed_on", "notes"]
EVENT_COLUMNS = ["event_id", "date", "date_precision", "event", "claim_ids", "notes"]

FIRST_NAMES = [
    "Alma", "Boris", "Chen", "Dana", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jana",
    "Kemal", "Lena", "Marek", "Nadia", "Oskar", "Petra", "Quinn", "Rafael", "Sofia", "Tomas",
    "Ugo", "Vera", "Wen", "Yusuf", "Zora",
]  # fmt: skip
LAST_NAMES = [
    "Adler", "Brandt", "Castell", "Dorn", "Ekberg", "Falk", "Grau", "Holm", "Ilic", "Jansen",
    "Kovac", "Lind", "Moreau", "Novak", "Ortega", "Pike", "Quist", "Roth", "Sato", "Thorne",
]  # fmt: skip
ROLES = [
    "Defence minister", "Foreign ministry spokesperson", "Intelligence official",
    "Member of parliament", "Military analyst", "Ambassador", "Regional governor",
    "Army spokesperson", "",
]  # fmt: skip
OUTLETS = ["Synthetic Wire", "Example Daily", "Placeholder News", "Test Gazette", "Mock Radio"]
PLACES = [
    "the northern training area", "the coastal port", "the eastern rail hub", "the border district",
    "the river crossing", "the airbase outside the capital", "the southern depot",
    "the mountain garrison", "the logistics centre", "the forward assembly area",
]  # fmt: skip
VERBS = ["said", "told reporters", "stated", "reported", "wrote", "announced"]
WHEN = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "this week", ""]
FILLER = [
    "The report gave no further detail.",
    "Officials did not respond to a request for comment.",
    "The account could not be independently verified.",
    "Further statements are expected later this week.",
    "Reporters were not given access to the area.",
]
#: What a claim on each topic says (a clause that follows "that").
TOPIC_CLAUSES = {
    "conflict_background": "the fighting had continued for several months",
    "casualties": "losses had been reported",
    "troop_presence": "foreign troops were present",
    "troop_numbers": "more troops had arrived",
    "deployment_intent": "the troops were meant to support front-line units",
    "deployment_timeline": "the deployment would be completed within weeks",
    "training": "the troops were training",
    "troop_capability": "the troops lacked experience with drones",
    "battlefield_impact": "the troops would not change the course of the fighting",
    "escalation": "the deployment was a serious escalation",
    "strategic_implications": "the deployment had consequences beyond the region",
    "third_party_support": "other states were supplying equipment",
    "military_ties": "the two militaries had deepened their ties",
    "arms_transfers": "munitions had been transferred",
    "support_to_ukraine": "new military aid had been announced",
    "diplomatic_response": "the government had summoned an ambassador",
    "information_control": "news of the deployment was being suppressed",
    "troop_location": "the troops had moved",
    "combat": "the troops had taken part in assaults",
    "russian_support_to_dprk": "technology had been offered in return",
}
STATUS_WORDS = {
    "deployed": "had been sent",
    "pledged": "had been pledged",
    "in_preparation": "were being prepared",
    "estimate": "were present",
    "projected": "were expected",
}
RELIABILITY_WEIGHTS = {"A": 2, "B": 30, "C": 35, "D": 10, "E": 3, "F": 20}
CREDIBILITY_WEIGHTS = {"1": 5, "2": 30, "3": 35, "4": 12, "5": 3, "6": 15}
JUDGMENT_SUBJECTS = [
    "Foreign troops are {word} present near {place}",
    "The deployment near {place} is {word} to grow in the coming weeks",
    "Units near {place} are {word} preparing for combat",
    "Training near {place} is {word} to end within a month",
    "Supplies through {place} are {word} to increase",
    "The troops near {place} {word} lack experience with drones",
    "Losses near {place} are {word} to rise",
    "Reinforcements are {word} moving towards {place}",
]


def read_codes(reference: Path, name: str) -> list[str]:
    """The codes of codebook ``reference/<name>.csv`` in file order."""
    with (reference / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def publication_dates(count: int) -> list[dt.date]:
    """``count`` dates, every ``DATE_STEP`` days from ``FIRST_DATE``."""
    return [FIRST_DATE + dt.timedelta(days=DATE_STEP * i) for i in range(count)]


def figure(value: int) -> str:
    """A figure as a source writes it: ``3,400``."""
    return f"{value:,}"


def claimant_pool(rng: random.Random, countries: list[str], size: int = 150) -> list[tuple]:
    """``size`` distinct synthetic claimants: (name, role, country)."""
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    chosen = rng.sample(names, min(size, len(names)))
    return [(name, rng.choice(ROLES), rng.choice(countries)) for name in chosen]


def source_count(claims: int, dates: int) -> int:
    """About ``max(3, N // 50)`` sources, and at least one per date while each gets 5 claims."""
    return max(3, claims // 50, min(dates, claims // 5))


def make_claim(rng, number, source_id, published, pool, books) -> tuple[dict, str]:
    """One claim row and the sentence of the source text that it quotes."""
    name, role, country = rng.choice(pool)
    place = rng.choice(PLACES)
    verb = rng.choice(VERBS)
    when = rng.choice(WHEN)
    said = f"{name} {verb} {when}".rstrip() if when else f"{name} {verb}"
    row = dict.fromkeys(CLAIM_COLUMNS, "")
    roll = rng.random()
    if roll < 0.20:  # a troop figure
        status = rng.choice(books["figure_statuses"])
        high = rng.randrange(5, 151) * 100
        low = high if rng.random() < 0.6 else rng.randrange(1, high // 100 + 1) * 100
        if rng.random() < 0.1:  # "up to": only the upper figure
            amount, low_cell = f"up to {figure(high)}", ""
        elif low == high:
            amount, low_cell = figure(high), str(low)
        else:
            amount, low_cell = f"between {figure(low)} and {figure(high)}", str(low)
        quote = f"{amount} troops {STATUS_WORDS[status]} near {place}"
        statement = f"{name} says {amount} troops {STATUS_WORDS[status]} near {place}."
        row.update(
            topic="troop_numbers",
            figure_text=amount,
            quantity_low=low_cell,
            quantity_high=str(high),
            indicator="troops_counted",
            figure_status=status,
        )
    elif roll < 0.22 and "casualties" in books["units"]:  # a casualty estimate
        count = rng.randrange(1, 60) * 50
        quote = f"about {figure(count)} casualties near {place}"
        statement = f"{name} estimates {figure(count)} casualties near {place}."
        row.update(
            topic="casualties",
            figure_text=f"about {figure(count)}",
            quantity_low=str(count),
            quantity_high=str(count),
            indicator="casualties_counted",
            figure_status="estimate",
        )
    else:
        topic = rng.choice(books["topics"])
        clause = TOPIC_CLAUSES.get(topic, "the situation had changed")
        quote = f"{clause} near {place}"
        statement = f"{name} says {clause} near {place}."
        row["topic"] = topic
    denies = rng.random() < 0.05
    if denies:
        sentence = f"{said} that it was false that {quote}."
        statement = f"{name} denies that {quote}."
    else:
        sentence = f"{said} that {quote}."
    reliability = rng.choices(list(RELIABILITY_WEIGHTS), RELIABILITY_WEIGHTS.values())[0]
    credibility = rng.choices(list(CREDIBILITY_WEIGHTS), CREDIBILITY_WEIGHTS.values())[0]
    claim_date = ""
    if rng.random() < 0.7:
        claim_date = (published - dt.timedelta(days=rng.randrange(0, 3))).isoformat()
    row.update(
        claim_id=f"C{number:06d}",
        source_id=source_id,
        claimant=name,
        claimant_role=role,
        claimant_country=country,
        claim_date=claim_date,
        statement=statement,
        quote=quote,
        stance="denies" if denies else "asserts",
        source_reliability=reliability,
        info_credibility=credibility,
        notes=(
            f"Synthetic: {reliability}{credibility}. {reliability}: synthetic claimant relayed "
            f"by a synthetic outlet; {credibility}: generated, graded at random for the benchmark."
        ),
    )
    return row, sentence


def write_reference(reference: Path, out: Path, pool: list[tuple]) -> Path:
    """``out/reference``: the codebooks of ``reference``, and this data set's actors (each
    claimant, speaking for one of :data:`BODIES` synthetic bodies) and indicators."""
    import shutil

    target = out / "reference"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(reference, target, ignore=shutil.ignore_patterns("actors.csv",
                                                                     "indicators.csv"))  # fmt: skip
    bodies = [(f"body_{k:02d}", f"Synthetic body {k}") for k in range(1, BODIES + 1)]
    rows = [{"actor_id": i, "name": name, "kind": "government", "country": "XX"}
            for i, name in bodies]  # fmt: skip
    for number, (name, role, country) in enumerate(pool):
        rows.append({"actor_id": f"actor_{number:03d}", "name": name, "role": role,
                     "country": country, "kind": "person",
                     "part_of": bodies[number % BODIES][0]})  # fmt: skip
    columns = ["actor_id", "name", "aliases", "role", "country", "kind", "part_of", "notes"]
    write_csv(target / "actors.csv", columns, [dict.fromkeys(columns, "") | r for r in rows])
    columns = ["indicator", "label", "unit", "description"]
    write_csv(target / "indicators.csv", columns, [dict(zip(columns, i, strict=True))
                                                   for i in INDICATORS])  # fmt: skip
    return target


def source_file(source_id: str, published: dt.date, number: int, outlet: str, text: str) -> str:
    """A source document: front matter between ``---`` lines, then the text."""
    return (
        "---\n"
        f"source_id: {source_id}\n"
        f"title: Synthetic report {number:04d}\n"
        f"outlet: {outlet}\n"
        f"published: {published.isoformat()}\n"
        "license: synthetic\n"
        "notes: Generated by bench/synth.py for benchmarks; not a real document.\n"
        "---\n"
        f"{text}"
    )


def source_text(rng: random.Random, sentences: list[str]) -> str:
    """Paragraphs of a few sentences each, with filler between the quoted sentences."""
    parts = [rng.choice(FILLER)]
    for sentence in sentences:
        parts.append(sentence[0].upper() + sentence[1:])
        if rng.random() < 0.3:
            parts.append(rng.choice(FILLER))
    paragraphs = [" ".join(parts[i : i + 4]) for i in range(0, len(parts), 4)]
    return "\n\n".join(paragraphs) + "\n"


def make_judgments(rng, claims_by_date: dict, dates: list[dt.date]) -> list[dict]:
    """About ten judgments (eight ids, two revised later), each citing known claims."""
    rows = []
    known: list[str] = []
    cumulative = {}
    for day in dates:
        known = known + claims_by_date.get(day, [])
        cumulative[day] = known
    used = [d for d in dates if cumulative[d]]
    for index, template in enumerate(JUDGMENT_SUBJECTS):
        versions = [rng.choice(used)]
        if index < 2 and versions[0] != used[-1]:  # revised once, later
            versions.append(rng.choice([d for d in used if d > versions[0]]))
        for version, valid_from in enumerate(versions):
            likelihood = "almost certain" if rng.random() < 0.3 else "likely"
            word = "almost certainly" if likelihood == "almost certain" else "likely"
            if likelihood == "almost certain" and "{word} to" in template:
                text = template.replace("are {word} to", "will {word}")
                text = text.replace("is {word} to", "will {word}")
            else:
                text = template
            pool = cumulative[valid_from]
            cited = sorted(rng.sample(pool, min(len(pool), rng.randint(2, 5))))
            rows.append(
                {
                    "judgment_id": f"J{index + 1:03d}",
                    "text": text.format(word=word, place=rng.choice(PLACES)) + ".",
                    "likelihood": likelihood,
                    "confidence": rng.choice(["low", "moderate", "high"]),
                    "claim_ids": " ".join(cited),
                    "valid_from": valid_from.isoformat(),
                    "notes": "Synthetic judgment"
                    + (", revised." if version else ".")
                    + " Grades and wording generated for the benchmark.",
                }
            )
    return rows


def make_gaps(rng, claims_by_date: dict, used: list[dt.date]) -> list[dict]:
    """Five gaps, some closed later."""
    rows = []
    for index in range(5):
        opened = rng.choice(used)
        later = [d for d in used if d > opened]
        closed = rng.choice(later).isoformat() if later and index % 2 else ""
        cited = rng.sample(claims_by_date[opened], min(2, len(claims_by_date[opened])))
        rows.append(
            {
                "gap_id": f"G{index + 1:03d}",
                "question": f"What happens next near {rng.choice(PLACES)}?",
                "claim_ids": " ".join(sorted(cited)),
                "valid_from": opened.isoformat(),
                "closed_on": closed,
                "notes": "Synthetic gap.",
            }
        )
    return rows


def make_events(rng, claims_by_date: dict, used: list[dt.date]) -> list[dict]:
    """Up to twenty dated events, each citing a claim of that date."""
    rows = []
    for index, day in enumerate(sorted(rng.sample(used, min(20, len(used))))):
        rows.append(
            {
                "event_id": f"E{index + 1:03d}",
                "date": day.isoformat(),
                "date_precision": "day",
                "event": f"Movement reported near {rng.choice(PLACES)}",
                "claim_ids": rng.choice(claims_by_date[day]),
                "notes": "Synthetic event.",
            }
        )
    return rows


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Write rows as a CSV file (LF line endings, minimal quoting)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(
    claims: int,
    out: Path,
    dates: int = 60,
    seed: int = 0,
    reference: Path = ROOT / "data" / "reference",
) -> dict[str, Path]:
    """Write the dataset into ``out``; return the paths written, by kind."""
    if claims < 1 or dates < 1:
        raise ValueError("--claims and --dates must be at least 1")
    rng = random.Random(seed)
    books = {
        name: read_codes(reference, name)
        for name in ("countries", "topics", "units", "figure_statuses")
    }
    pool = claimant_pool(rng, books["countries"])
    days = publication_dates(dates)
    n_sources = source_count(claims, dates)
    sources_dir = out / "sources"
    sources_dir.mkdir(parents=True, exist_ok=True)
    for old in sources_dir.glob("*.md"):
        old.unlink()
    rows, claims_by_date = [], {}
    number = 1
    for index in range(n_sources):
        published = days[index * dates // n_sources]
        source_id = f"{published.isoformat()}_synth_{index + 1:04d}"
        count = (index + 1) * claims // n_sources - index * claims // n_sources
        sentences = []
        for _ in range(count):
            row, sentence = make_claim(rng, number, source_id, published, pool, books)
            rows.append(row)
            sentences.append(sentence)
            claims_by_date.setdefault(published, []).append(row["claim_id"])
            number += 1
        text = source_text(rng, sentences)
        outlet = OUTLETS[index % len(OUTLETS)]
        (sources_dir / f"{source_id}.md").write_text(
            source_file(source_id, published, index + 1, outlet, text), encoding="utf-8"
        )
    used = sorted(claims_by_date)
    paths = {
        "reference": write_reference(reference, out, pool),
        "sources": sources_dir,
        "claims": out / "claims.csv",
        "judgments": out / "judgments.csv",
        "gaps": out / "gaps.csv",
        "events": out / "events.csv",
    }
    write_csv(paths["claims"], CLAIM_COLUMNS, rows)
    write_csv(paths["judgments"], JUDGMENT_COLUMNS, make_judgments(rng, claims_by_date, days))
    write_csv(paths["gaps"], GAP_COLUMNS, make_gaps(rng, claims_by_date, used))
    write_csv(paths["events"], EVENT_COLUMNS, make_events(rng, claims_by_date, used))
    return paths


def write_parquet(claims_csv: Path) -> Path:
    """``claims.parquet`` beside ``claims.csv``: the same cells, every column text."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    text_columns = {name: pa.string() for name in CLAIM_COLUMNS}
    table = pcsv.read_csv(
        claims_csv,
        convert_options=pcsv.ConvertOptions(
            column_types=text_columns, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    target = claims_csv.with_suffix(".parquet")
    pq.write_table(table, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, required=True, metavar="N", help="number of claims")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    parser.add_argument(
        "--dates",
        type=int,
        default=60,
        metavar="D",
        help="publication dates, every 3 days from 2024-06-01 (default 60)",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed")
    parser.add_argument(
        "--reference",
        type=Path,
        default=ROOT / "data" / "reference",
        metavar="DIR",
        help="codebooks (default: the repository's)",
    )
    parser.add_argument(
        "--parquet", action="store_true", help="also write DIR/claims.parquet (same cells)"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    paths = generate(args.claims, args.out, args.dates, args.seed, args.reference)
    if args.parquet:
        paths["parquet"] = write_parquet(paths["claims"])
    for path in paths.values():
        print(path)
    seconds = time.perf_counter() - start
    print(f"{args.claims} claims in {seconds:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
