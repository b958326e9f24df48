"""The Arrow screen of fresh claim chunks (issue 20: a million claims in a first render).

pyarrow reads a chunk and plain tests pass ordinary rows at C speed; the claims rules
themselves must still decide everything else. These tests hold the screen to that: what it
reads is what Python's reader reads, or it reads nothing; no broken rule gets past it (a
corpus of every rule broken, and random damage, each compared with the rules' own answer);
and a table that breaks a rule gets the same problems, lines and messages with the screen
as without the cache at all. They also show it is used: on ordinary tables every chunk
goes through it.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest
from analysts import second_analyst

from briefing import cache
from briefing import claims as claims_module
from briefing.claims import CLAIM_COLUMNS, check_claims_table
from briefing.errors import ClaimValidationError
from briefing.evidence import load_evidence
from briefing.reference import load_codebooks
from briefing.screen import passes_rules, read_chunk
from briefing.sources import load_sources
from briefing.tables import Table, records_frame

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data(tmp_path, monkeypatch):
    """The second analyst's data folder with a cache folder of its own."""
    folder = tmp_path / "data"
    second_analyst(folder)
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return folder


def claims_rows(folder) -> list[dict]:
    """The claims table's rows."""
    with (folder / "claims" / "claims.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def table_bytes(rows: list[dict], **writer) -> bytes:
    """The claims table as CSV bytes (Python's writer, LF unless told)."""
    buffer = io.StringIO(newline="")
    out = csv.DictWriter(buffer, CLAIM_COLUMNS, lineterminator=writer.pop("ending", "\n"), **writer)
    out.writeheader()
    out.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def body_of(data: bytes) -> int:
    """Where the header of ``data`` ends."""
    return cache.header_end(data, 0)


def screened(folder, data: bytes):
    """The cells of ``data`` as the screen reads them (``None`` if it does not)."""
    return read_chunk(data, body_of(data), len(data), 2, CLAIM_COLUMNS)


def python_read(data: bytes) -> pd.DataFrame:
    """The records of ``data`` as Python's reader reads them, indexed by line."""
    return records_frame(data[body_of(data) :], 2, CLAIM_COLUMNS)


# what an analyst's editor or a script may write, and whether the screen may read it
SPELLINGS = {
    "lf": (dict(), True),
    "crlf": (dict(ending="\r\n"), True),
    "quoted everywhere": (dict(quoting=csv.QUOTE_ALL), False),
    "cr alone": (dict(ending="\r"), False),
}


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_the_screen_reads_what_pythons_reader_reads_or_nothing(data, spelling):
    writer, readable = SPELLINGS[spelling]
    rows = claims_rows(data)
    for row in rows[::5]:
        row["notes"] += '\nA second line, "quoted", with a comma.'  # a cell over two lines
    for row in rows[1::5]:
        row["statement"] += "\r\nAnd a third, after a CRLF."
    raw = table_bytes(rows, **writer)
    read, python = screened(data, raw), python_read(raw)
    assert (read is not None) == readable
    if read is not None:
        assert read.lines.tolist() == python.index.tolist()
        for name in CLAIM_COLUMNS:
            assert read.cells[name].to_pylist() == python[name].tolist(), name


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw.replace(b"\n", b"\n\n", 3),  # a blank line
        lambda raw: raw + b'C9999,unterminated,"cell\n',  # a quoted cell left open
        lambda raw: raw.replace(b"B3: test", b'B3: "test"', 1),  # a quote in a bare cell
        lambda raw: raw.replace(b",asserts,", b",asserts,extra,", 1),  # a cell too many
        lambda raw: raw.replace(b"Reported", b"Report\xe9d", 1),  # Latin-1, not UTF-8
        lambda raw: raw.replace(b"Reported", b"Rep\rorted", 1),  # a lone carriage return
    ],
)
def test_csv_the_screen_cannot_prove_is_left_to_pythons_reader(data, damage):
    raw = damage(table_bytes(claims_rows(data)))
    assert screened(data, raw) is None


def test_a_cell_longer_than_pythons_field_limit_is_left_to_it(data, monkeypatch):
    rows = claims_rows(data)
    raw = table_bytes(rows)
    assert screened(data, raw) is not None
    monkeypatch.setattr(csv, "field_size_limit", lambda: len(rows[0]["notes"]) - 1)
    assert screened(data, raw) is None


def first_with(rows, name):
    """The first row with a non-blank ``name`` (the first row if none has one)."""
    return next((row for row in rows if row[name]), rows[0])


# one broken rule each: (column, what to do to the first row that has the column filled)
BROKEN = {
    "id short": ("claim_id", lambda row, f: "C12"),
    "id lower case": ("claim_id", lambda row, f: "c" + row["claim_id"][1:]),
    "id padded": ("claim_id", lambda row, f: row["claim_id"] + " "),
    "id repeated": ("claim_id", lambda row, f: "C0002"),
    "source unknown": ("source_id", lambda row, f: "2024-10-21_no-such-source"),
    "source blank": ("source_id", lambda row, f: ""),
    "claimant unknown": ("claimant", lambda row, f: "Nobody Anyone"),
    "claimant mixed script": ("claimant", lambda row, f: "P\u0435skov"),  # Cyrillic e
    "claimant tab": ("claimant", lambda row, f: "Pes\tkov"),
    "date impossible": ("claim_date", lambda row, f: "2024-02-30"),
    "date words": ("claim_date", lambda row, f: "yesterday"),
    "date after publication": ("claim_date", lambda row, f: "2030-01-01"),
    "topic not coded": ("topic", lambda row, f: "troop_numbrs"),
    "stance blank": ("stance", lambda row, f: ""),
    "credibility out of range": ("info_credibility", lambda row, f: "7"),
    "reliability padded": ("source_reliability", lambda row, f: "\u00a0B"),
    "quantity with comma": ("quantity_low", lambda row, f: "3,000"),
    "quantity superscript": ("quantity_low", lambda row, f: "\u00b2"),
    "low above high": ("quantity_high", lambda row, f: "1"),
    "figure words blank": ("figure_text", lambda row, f: ""),
    "figure words not in quote": ("figure_text", lambda row, f: "about 9,999"),
    "indicator without quantity": ("indicator", None),
    "notes contradict": ("notes", lambda row, f: row["notes"] + " Coded 1/2. coded 1/2"),
    "notes blank": ("notes", lambda row, f: ""),
    "notes end in a line break": ("notes", lambda row, f: row["notes"] + "\n"),
    "statement separator": ("statement", lambda row, f: row["statement"] + "\u2028more"),
    "statement control": ("statement", lambda row, f: row["statement"] + "\x07"),
    "role zero width": ("claimant_role", lambda row, f: "Spokes\u200bman"),
    "quote not in source": ("quote", lambda row, f: row["quote"] + " (paraphrased)"),
    "quote curly": ("quote", lambda row, f: row["quote"].replace(".", "\u2019.")),
}


def broken_rows(folder, case: str) -> list[dict]:
    """The second analyst's rows with one rule broken in one row (``case`` of BROKEN)."""
    rows = claims_rows(folder)
    column, change = BROKEN[case]
    if change is None:  # a figure column filled on a row without a quantity
        row = next(row for row in rows if not row["quantity_low"] and not row["quantity_high"])
        row[column] = "troops_in_russia"
        return rows
    row = first_with(rows, "quantity_high" if case == "low above high" else column)
    row[column] = change(row, folder)
    return rows


def problems_of(folder, **paths) -> list[str]:
    """The problems a load of ``folder`` reports, as ``path:line:column: message``."""
    with pytest.raises(ClaimValidationError) as error:
        load_evidence(folder, **paths)
    return [str(problem) for problem in error.value.problems]


@pytest.mark.parametrize("case", list(BROKEN))
def test_no_broken_rule_gets_past_the_screen_and_the_problems_are_the_same(data, case):
    rows = broken_rows(data, case)
    raw = table_bytes(rows)
    (data / "claims" / "claims.csv").write_bytes(raw)
    books, sources = load_codebooks(data / "reference"), load_sources(data / "sources")
    read = screened(data, raw)
    if read is not None:
        assert not passes_rules(read.cells, sources, books) or case.startswith("quote")
    cached = problems_of(data)  # through the cache: chunks screened first
    parquet = data / "claims" / "claims.parquet"
    pd.DataFrame(rows, columns=CLAIM_COLUMNS, dtype=object).to_parquet(parquet, index=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cache.CACHE_VARIABLE, "")  # no cache: the whole table, screened first
        whole = problems_of(data)
        from_parquet = problems_of(data, claims_path=parquet)
        patch.setattr(claims_module, "_screened_table", lambda *args: None)
        assert problems_of(data) == cached == whole  # the rules alone say the same
        assert problems_of(data, claims_path=parquet) == from_parquet


# characters that break, or test the edge of, some rule when put into a cell
NOISE = [" ", "\t", "\n", "\r\n", "\u00a0", "\u2028", "\u200b", "\x07", "\ufeff", "\u0435",
         "\u2019", ",", '"', "C", "0", "\u0661", "\u00b2", "-", "=", "é", "Status deployed",
         "coded 1/2", "analyst's coding", "quantity_low 5", "2030-01-01"]  # fmt: skip


def test_random_damage_never_passes_the_screen_when_a_rule_fails(data):
    """Whatever the screen passes, the rules pass: random cells of random rows damaged."""
    rows = claims_rows(data)[:24]
    books, sources = load_codebooks(data / "reference"), load_sources(data / "sources")
    chance, passed, failed = random.Random(20), 0, 0
    for _ in range(120):
        damaged = [dict(row) for row in rows]
        for _ in range(chance.randint(1, 3)):
            row, name = chance.choice(damaged), chance.choice(CLAIM_COLUMNS)
            at = chance.randint(0, len(row[name]))
            noise = chance.choice(NOISE)
            row[name] = row[name][:at] + noise + row[name][at:] if chance.random() < 0.8 else noise
        raw = table_bytes(damaged)
        read = screened(data, raw)
        if read is None:
            continue
        frame = python_read(raw)
        problems = check_claims_table(Table("claims.csv", CLAIM_COLUMNS, frame, []), sources, books)
        if passes_rules(read.cells, sources, books):
            assert problems == [], problems
            passed += 1
        failed += bool(problems)
    assert passed > 5 and failed > 50  # both kinds were tried


def test_ordinary_tables_go_through_the_screen_and_load_as_without_it(data, monkeypatch):
    through = []
    screened_group = claims_module._screened_group

    def counted(*args):
        typed = screened_group(*args)
        through.append(typed is not None)
        return typed

    monkeypatch.setattr(claims_module, "_screened_group", counted)
    monkeypatch.setattr(cache, "CHUNK_BYTES", 4096)
    for folder in (data, ROOT / "data"):  # the second analyst's, and the shipped one
        through.clear()
        shutil.rmtree(cache.cache_folder(), ignore_errors=True)
        claims = load_evidence(folder).claims
        assert through and all(through)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(claims_module, "_screened_group", lambda *args: None)
            shutil.rmtree(cache.cache_folder(), ignore_errors=True)
            pd.testing.assert_frame_equal(claims, load_evidence(folder).claims)


def test_an_ordinary_parquet_table_is_screened_in_arrow_and_loads_as_without_it(data, monkeypatch):
    monkeypatch.setenv(cache.CACHE_VARIABLE, "")  # read whole, as a Parquet table always is
    parquet = data / "claims" / "claims.parquet"
    rows = claims_rows(data)
    rows[3]["notes"] += " Second thoughts \u2014 with a dash; a cell over\ntwo lines."
    pd.DataFrame(rows, columns=CLAIM_COLUMNS, dtype=object).to_parquet(parquet, index=False)
    books, sources = load_codebooks(data / "reference"), load_sources(data / "sources")
    screened_load = claims_module._screened_table(parquet, sources, books, True)
    assert screened_load is not None  # every row passed the screen: no rule ran cell by cell
    claims = load_evidence(data, claims_path=parquet).claims
    pd.testing.assert_frame_equal(claims, screened_load)
    monkeypatch.setattr(claims_module, "_screened_table", lambda *args: None)
    pd.testing.assert_frame_equal(claims, load_evidence(data, claims_path=parquet).claims)


def test_a_column_written_as_csv_cells_is_what_pythons_writer_writes():
    """csv_cells quotes what Python's CSV writer quotes, whether the column holds anything to
    quote (tested on its bytes at once) or not, as one array or in chunks."""
    import csv
    import io

    import pyarrow as pa

    from briefing.screen import csv_cells

    columns = [
        ["C0001", "C0002", ""],
        ['says "3,000"', "plain", "two\nlines", "cr\r\nlf", "a,b", ""],
        ["북한군", "ﬁ ligature", "tab\there"],
    ]
    for values in columns:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(values)  # its default line ending: \r\n
        expected = buffer.getvalue()[:-2]
        for cells in (pa.array(values, pa.string()), pa.chunked_array([values[:1], values[1:]])):
            assert ",".join(csv_cells(cells).to_pylist()) == expected
