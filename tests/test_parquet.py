"""Claims read from Parquet (``--claims PATH.parquet``): the same rules, located by row,
and the same briefing as from the same rows in CSV."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, fixture_claims, write_claims

from briefing.cli import main
from briefing.errors import ClaimValidationError
from briefing.evidence import load_evidence
from briefing.render import render_briefing
from briefing.tables import read_table

NOTEBOOK = ROOT / "notebooks" / "briefing.ipynb"


def as_parquet(csv_path, parquet_path, **retype) -> None:
    """Write the CSV's rows to Parquet as text columns (``retype``: columns given another
    pyarrow type, as a feed or a database export might write them)."""
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name, kind in retype.items():
        at = table.column_names.index(name)
        values = [None if v == "" else int(v) for v in frame[name]]
        table = table.set_column(at, name, pa.array(values, type=kind))
    pq.write_table(table, parquet_path)


def test_parquet_cells_read_as_csv_cells(dataset):
    csv_path = dataset / "claims" / "claims.csv"
    as_parquet(csv_path, dataset / "claims.parquet", quantity_low=pa.int64())
    from_csv, from_parquet = read_table(csv_path), read_table(dataset / "claims.parquet")
    assert from_parquet.header == from_csv.header
    assert from_parquet.problems == []
    assert from_parquet.frame.values.tolist() == from_csv.frame.values.tolist()
    assert list(from_parquet.frame.index) == [1, 2, 3, 4]  # rows, the first row 1


def test_parquet_and_csv_give_the_same_briefing(tmp_path):
    csv_path = tmp_path / "claims.csv"
    csv_path.write_bytes((ROOT / "data" / "claims" / "claims.csv").read_bytes())
    as_parquet(csv_path, tmp_path / "claims.parquet")
    made = {}
    for kind in ("csv", "parquet"):
        made[kind] = render_briefing(
            as_of="2024-11-05", notebook=NOTEBOOK, output_dir=tmp_path / kind,
            data_dir=ROOT / "data", claims_path=tmp_path / f"claims.{kind}",
        )  # fmt: skip
    csv_briefing, parquet_briefing = made["csv"], made["parquet"]
    assert csv_briefing.facts.read_bytes() == parquet_briefing.facts.read_bytes()
    from pypdf import PdfReader

    attached = [PdfReader(b.pdf).attachments["claims.csv"][0] for b in made.values()]
    assert attached[0] == attached[1]
    colophon = 'id="colophon"'
    html = [b.html.read_text(encoding="utf-8") for b in made.values()]
    assert html[0].split(colophon)[0] == html[1].split(colophon)[0]  # all but the colophon
    manifest = json.loads((parquet_briefing.folder / "manifest.json").read_text())
    assert any(name.endswith("claims.parquet") for name in manifest["inputs"])


def test_a_bad_parquet_cell_is_located_by_row_and_column(dataset):
    rows = fixture_claims()
    rows[2]["stance"] = "believes"
    write_claims(dataset / "claims" / "claims.csv", rows)
    as_parquet(dataset / "claims" / "claims.csv", dataset / "claims.parquet")
    with pytest.raises(ClaimValidationError) as caught:
        load_evidence(dataset, claims_path=dataset / "claims.parquet")
    (problem,) = caught.value.problems
    assert str(problem).startswith("data/claims.parquet:3:stance: found 'believes'")


def test_a_file_that_is_not_parquet_is_refused_naming_it(dataset, capsys):
    (dataset / "claims.parquet").write_bytes(b"claim_id,source_id\nC0001,x\n")
    code = main(["validate", "--claims", "data/claims.parquet"])
    assert code == 2
    assert "data/claims.parquet:0:: is not a readable Parquet file" in capsys.readouterr().err


def test_text_that_is_not_utf8_is_located_by_column_and_rows(dataset, capsys):
    cells = pa.array([b"C0001", b"C\xff02"], type=pa.binary()).view(pa.string())
    pq.write_table(pa.table({"claim_id": cells}), dataset / "claims.parquet")
    code = main(["validate", "--claims", "data/claims.parquet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "data/claims.parquet:0:claim_id: in rows 1\u20132: found string" in err
    assert "expected text" in err


def test_a_parquet_file_that_decodes_to_too_much_text_is_refused(dataset, monkeypatch):
    from briefing import inputs

    monkeypatch.setitem(inputs.SIZE_LIMITS, ".parquet", 1_000_000)
    long = "x" * 1000
    table = pa.table({"quote": pa.array([long] * 5000).dictionary_encode()})
    pq.write_table(table, dataset / "big.parquet")  # a few KB on disk, 5 MB of text
    assert (dataset / "big.parquet").stat().st_size < 100_000
    found = read_table(dataset / "big.parquet")
    assert found.frame.empty
    assert "holds more than 1,000,000 bytes of text once decoded" in str(found.problems[0])


def test_a_projected_load_typed_in_parts_is_those_columns_of_the_whole(dataset, monkeypatch):
    # The render's own process keeps only ids and sources of a table read whole: it types
    # the rows a part at a time and projects each. Parts of 3 rows: the same frame.
    from briefing import claims
    from briefing.evidence import data_paths
    from briefing.reference import load_codebooks
    from briefing.sources import load_sources

    rows = fixture_claims()
    rows = rows + [dict(row, claim_id=f"{row['claim_id']}{n}") for n in (1, 2) for row in rows]
    write_claims(dataset / "claims" / "claims.csv", rows)
    as_parquet(dataset / "claims" / "claims.csv", dataset / "claims.parquet")
    paths = data_paths(dataset)
    books, sources = load_codebooks(paths["reference"]), load_sources(paths["sources"])
    monkeypatch.setenv("BRIEFING_CACHE_DIR", "")  # a CSV table is then read whole too
    for path in (dataset / "claims.parquet", paths["claims"]):
        whole = claims.load_claims(path, sources, books)
        monkeypatch.setattr(claims, "TYPED_ROWS", 3)
        some = claims.load_claims(path, sources, books, columns=["source_id", "grade"])
        monkeypatch.undo()
        monkeypatch.setenv("BRIEFING_CACHE_DIR", "")
        assert len(whole) == len(rows) > 3
        pd.testing.assert_frame_equal(some, whole[["claim_id", "source_id", "grade"]])
