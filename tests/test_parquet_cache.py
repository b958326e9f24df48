"""The checked-claims cache for a Parquet claims table (issue 20): its chunks are ranges of
rows, keyed by their cells; a re-load re-checks only what changed, a cached load is the
load without the cache, and the render's check and its kernel share the work.

The second analyst's data set (tests/analysts.py), written to Parquet a few rows to a
chunk, then edited the way an analyst edits the table and written again (a feed rewrites
the whole file).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_cache import cache_off, claims_rows, data, entries, write_claims_rows  # noqa: F401
from test_parquet import as_parquet

from briefing import claims as claims_module
from briefing.claims import claims_csv, load_claims
from briefing.errors import ClaimValidationError
from briefing.evidence import data_paths, load_evidence
from briefing.reference import load_codebooks
from briefing.sources import load_sources


@pytest.fixture
def table(data, monkeypatch):  # noqa: F811
    """The second analyst's claims as ``claims.parquet``, five rows to a chunk, about two
    chunks to a group."""
    monkeypatch.setattr(claims_module, "PARQUET_CHUNK_ROWS", 5)
    monkeypatch.setattr(claims_module, "GROUP_BYTES", 4096)
    path = data / "claims" / "claims.parquet"
    as_parquet(data / "claims" / "claims.csv", path)
    return path


def load(data, path, validate=True) -> pd.DataFrame:  # noqa: F811
    """The claims of ``data`` read from ``path``."""
    return load_evidence(data, claims_path=path, validate=validate).claims


def uncached(data, path) -> pd.DataFrame:  # noqa: F811
    """The claims read from ``path`` with the cache off."""
    with cache_off():
        return load(data, path)


def rewrite(data, path, header, rows) -> None:  # noqa: F811
    """Write ``rows`` back, to the CSV and to ``path`` (Parquet)."""
    write_claims_rows(data, header, rows)
    as_parquet(data / "claims" / "claims.csv", path)


def test_a_parquet_table_through_the_cache_is_the_load_without_it(data, table):  # noqa: F811
    cold = load(data, table)
    written = entries()
    assert len(written) > 20  # many chunks
    again = load(data, table)
    assert entries() == written  # nothing checked again
    pd.testing.assert_frame_equal(again, uncached(data, table))
    pd.testing.assert_frame_equal(cold, again)
    assert cold["line"].tolist() == list(range(1, len(cold) + 1))  # rows, numbered from 1

    shuffled = pq.read_table(table)  # the same cells, the columns in another order
    pq.write_table(shuffled.select(shuffled.column_names[::-1]), table)
    pd.testing.assert_frame_equal(load(data, table), cold)
    assert entries() == written


def test_a_changed_parquet_claim_is_checked_again_in_its_chunk_only(data, table):  # noqa: F811
    load(data, table)
    before = entries()
    header, rows = claims_rows(data)
    at, statement = header.index("quote"), header.index("statement")
    n = next(n for n in range(len(rows) // 2, len(rows)) if "continue near" in rows[n][at])
    original = rows[n][at]
    rows[n][at] = original.replace("continue near", "continue right near")
    rewrite(data, table, header, rows)
    with pytest.raises(ClaimValidationError) as error:
        load(data, table)  # the new quote is not in its source: found, with its row
    assert [(p.line, p.column) for p in error.value.problems] == [(n + 1, "quote")]
    rows[n][at] = original.removesuffix(" near the border.")
    rows[n][statement] += " (shortened)"
    rewrite(data, table, header, rows)
    claims = load(data, table)
    assert len(entries() - before) == 1  # one chunk checked and kept again
    pd.testing.assert_frame_equal(claims, uncached(data, table))
    assert rows[n][at] in claims["quote"].tolist()


def test_chunks_changed_far_apart_get_their_own_rows(data, table, monkeypatch):  # noqa: F811
    """Two edits far apart: the chunks not in the cache, not next to each other, are
    checked as one group, each with its own rows (a kernel, which does not check for
    repeated ids, would otherwise take one chunk's rows for another's, and keep them)."""
    monkeypatch.setattr(claims_module, "GROUP_BYTES", 1 << 20)  # every missed chunk at once
    load(data, table)
    before = entries()
    header, rows = claims_rows(data)
    at = header.index("statement")
    for n in (1, len(rows) - 2):
        rows[n][at] += " (revised)"
    rewrite(data, table, header, rows)
    kernels = load(data, table, validate=False)
    assert len(entries() - before) == 2
    pd.testing.assert_frame_equal(kernels, uncached(data, table))
    pd.testing.assert_frame_equal(load(data, table), kernels)  # and from what it kept


def test_a_changed_source_and_a_deleted_parquet_claim_are_noticed(data, table):  # noqa: F811
    claims = load(data, table)
    before = entries()
    source_id = claims["source_id"].iloc[len(claims) // 2]
    path = data / "sources" / f"{source_id}.md"
    front, _, text = path.read_text(encoding="utf-8").partition("---\n")[2].partition("---\n")
    path.write_text(f"---\n{front}---\nA new first paragraph.\n\n{text}", encoding="utf-8")
    shifted = load(data, table)  # every quote of that source now starts further in
    assert 1 <= len(entries() - before) < len(before)
    pd.testing.assert_frame_equal(shifted, uncached(data, table))
    citing = claims[claims["source_id"] == source_id]
    moved = shifted.set_index("claim_id").loc[citing["claim_id"], "quote_start"]
    assert (moved.to_numpy() > citing["quote_start"].to_numpy()).all()

    header, rows = claims_rows(data)
    cited = "".join(p.read_text() for p in data.glob("*/*.csv") if p.parent.name != "claims")
    gone = rows.pop(next(n for n in range(len(rows) // 3, len(rows)) if rows[n][0] not in cited))
    rewrite(data, table, header, rows)
    fewer = load(data, table)
    assert gone[0] not in fewer["claim_id"].tolist() and len(fewer) == len(rows)
    pd.testing.assert_frame_equal(fewer, uncached(data, table))

    rows[-1][0] = rows[0][0]  # the last chunk repeats the first chunk's id
    rewrite(data, table, header, rows)
    with pytest.raises(ClaimValidationError) as error:
        load(data, table)
    assert [(p.line, p.column) for p in error.value.problems] == [(len(rows), "claim_id")]


def counting(monkeypatch, during=None) -> list[bool]:
    """Count each group a Parquet load checks and anchors (``validate`` of each call);
    ``during(calls)`` runs first on each call."""
    fresh_group = claims_module._ParquetChunks.fresh_group
    calls = []

    def counted(self, chunks, sources, books, validate):
        calls.append(validate)
        if during:
            during(calls)
        return fresh_group(self, chunks, sources, books, validate)

    monkeypatch.setattr(claims_module._ParquetChunks, "fresh_group", counted)
    return calls


def test_the_renders_check_and_its_kernel_share_a_parquet_tables_chunks(data, table, monkeypatch):  # noqa: F811
    """A render's kernel loads (without checking) while the render's own process checks
    the same table: each looks a group up before parsing it, so nothing is done twice;
    the kernel starts at the middle (rows are decoded in order, not read by position)."""

    def the_render_checks_meanwhile(calls):
        if calls == [False]:  # the kernel's first group: the render's check runs meanwhile
            load(data, table)

    calls = counting(monkeypatch, the_render_checks_meanwhile)
    kernels = load(data, table, validate=False)
    assert calls.count(True) > 5 and calls.count(False) == 1  # only its own first group
    pd.testing.assert_frame_equal(kernels, uncached(data, table))


def test_the_renders_check_takes_what_its_kernel_kept_of_a_parquet_table(data, table, monkeypatch):  # noqa: F811
    calls = counting(monkeypatch)
    kernels = load(data, table, validate=False)  # alone: it keeps every group it passed
    assert calls and set(calls) == {False}
    checked = load(data, table)
    assert set(calls) == {False}  # the check parsed nothing again
    pd.testing.assert_frame_equal(checked, kernels)


def test_a_kernel_keeps_no_parquet_rows_that_break_a_rule(data, table):  # noqa: F811
    header, rows = claims_rows(data)
    rows[-1][header.index("stance")] = "perhaps"  # not in the codebook; the kernel types it
    rewrite(data, table, header, rows)
    load(data, table, validate=False)  # a kernel does not judge: the render's check does
    assert len(entries()) > 20  # the clean chunks were kept
    with pytest.raises(ClaimValidationError) as error:
        load(data, table)
    assert [(p.line, p.column) for p in error.value.problems] == [(len(rows), "stance")]


def test_a_parquet_tables_attachment_is_the_same_csv_tables(data, table):  # noqa: F811
    """The PDF's attachment of the claims known on a date: decoded a chunk at a time from
    Parquet, the same bytes as from the same rows in CSV, formulas made inert."""
    header, rows = claims_rows(data)
    rows[3][header.index("notes")] = "=HYPERLINK(1)"
    rewrite(data, table, header, rows)
    paths = data_paths(data)
    books, sources = load_codebooks(paths["reference"]), load_sources(paths["sources"])
    from_csv = load_claims(paths["claims"], sources, books)
    from_parquet = load_claims(table, sources, books)
    some = from_csv["claim_id"].iloc[::3]
    for ids in (some, from_csv["claim_id"]):
        assert claims_csv(table, from_parquet, ids) == claims_csv(paths["claims"], from_csv, ids)
    attached = claims_csv(table, from_parquet, some).decode()
    assert attached.count("\n") == 1 + len(some) and "'=HYPERLINK(1)" in attached
    assert pa.csv.read_csv(pa.py_buffer(attached.encode())).num_rows == len(some)
