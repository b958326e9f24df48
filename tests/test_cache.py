"""The checked-claims cache (issue 20): a re-load re-checks only what changed, and a cached
load is the load without the cache, whatever changed in between.

The second analyst's data set (tests/analysts.py) is cut into many small chunks, loaded
once to fill a cache folder, then edited the way an analyst edits it; every load through
the warm cache must equal a load with the cache off, and the entries written show which
chunks were checked again.
"""

from __future__ import annotations

import contextlib
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from analysts import second_analyst

from briefing import cache
from briefing.errors import ClaimValidationError
from briefing.evidence import load_evidence


@pytest.fixture
def data(tmp_path, monkeypatch):
    """The second analyst's data folder, a cache folder of its own, chunks of ~2 KB."""
    folder = tmp_path / "data"
    second_analyst(folder)
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "CHUNK_BYTES", 2048)
    monkeypatch.setattr(cache, "MARK_EVERY", 2)  # a chunk ends a record or two past 2 KB
    monkeypatch.chdir(tmp_path)
    return folder


def entries() -> set[tuple[str, bytes]]:
    """The cache folder's entries: each one's name and bytes."""
    folder = cache.cache_folder()
    return {(p.name, p.read_bytes()) for p in cache_files(folder)}


def cache_files(folder: Path) -> list[Path]:
    """The entries in ``folder``: Parquet (sources) and Arrow IPC (claims) files, by name."""
    return sorted([*folder.glob("*.parquet"), *folder.glob("*.arrow")])


@contextlib.contextmanager
def cache_off():
    """Within the block, loads read everything afresh (``BRIEFING_CACHE_DIR`` empty)."""
    before = os.environ[cache.CACHE_VARIABLE]
    os.environ[cache.CACHE_VARIABLE] = ""
    try:
        yield
    finally:
        os.environ[cache.CACHE_VARIABLE] = before


def uncached(folder) -> pd.DataFrame:
    """The claims loaded with the cache off."""
    with cache_off():
        return load_evidence(folder).claims


def claims_rows(folder) -> tuple[list[str], list[list[str]]]:
    """The claims table's header and rows."""
    with (folder / "claims" / "claims.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def write_claims_rows(folder, header, rows) -> None:
    """Write the claims table back as a spreadsheet would."""
    with (folder / "claims" / "claims.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def warm(folder) -> tuple[pd.DataFrame, set[str]]:
    """Load through a cache filled from the current data; return the claims and entries."""
    claims = load_evidence(folder).claims
    return claims, entries()


def test_a_warm_load_equals_a_load_without_the_cache(data):
    cold, written = warm(data)
    assert len(written) > 10  # the table spans many chunks
    again = load_evidence(data).claims
    assert entries() == written  # nothing checked again
    pd.testing.assert_frame_equal(again, uncached(data))
    pd.testing.assert_frame_equal(cold, again)
    pieces = {name: getattr(pa.array(again[name].array), "num_chunks", 1)
              for name in again.columns
              if isinstance(again[name].array, pd.arrays.ArrowExtensionArray)}  # fmt: skip
    assert pieces and set(pieces.values()) == {1}  # the chunks' rows joined in one piece


@pytest.mark.parametrize(("ending", "inside"), [("\r\n", "\n"), ("\r", "\n"), ("\n", "\r")])
def test_lines_are_counted_as_the_csv_reader_counts_them(data, ending, inside):
    header, rows = claims_rows(data)
    at = header.index("notes")
    for row in rows[::7]:
        row[at] = row[at] + inside + "A second line of notes."  # a cell over two lines
    with (data / "claims" / "claims.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator=ending).writerows([header, *rows])
    cold, written = warm(data)
    assert len(written) > 10 or ending == "\r"  # chunks end at LFs: CR alone, read whole
    pd.testing.assert_frame_equal(load_evidence(data).claims, uncached(data))
    pd.testing.assert_frame_equal(cold, uncached(data))
    assert cold["line"].iloc[-1] == 1 + len(rows) + len(rows[::7])  # the last record's line


def test_chunks_checked_a_few_at_a_time_give_the_whole_tables_answer(data, monkeypatch):
    from briefing import claims as claims_module

    monkeypatch.setattr(claims_module, "GROUP_BYTES", 4096)  # two chunks or so at a time
    cold, written = warm(data)
    assert len(written) > 10
    pd.testing.assert_frame_equal(cold, uncached(data))
    header, rows = claims_rows(data)
    at = header.index("claim_date")
    rows[-1][at] = "2024-13-01"  # a problem in the last group; the first one is clean
    rows[1][at] = "yesterday"  # and one in the first
    write_claims_rows(data, header, rows)
    for entry in cache.cache_folder().glob("claims-*.arrow"):
        entry.unlink()  # every chunk checked afresh, group by group
    with pytest.raises(ClaimValidationError) as error:
        load_evidence(data)
    found = [(p.line, p.column) for p in error.value.problems]
    assert found == [(3, "claim_date"), (1 + len(rows), "claim_date")]


def test_a_changed_quote_is_checked_again_in_its_chunk_only(data):
    _, before = warm(data)
    header, rows = claims_rows(data)
    at, statement = header.index("quote"), header.index("statement")
    row = next(r for r in rows[len(rows) // 2 :] if "troop movements continue" in r[at])
    original = row[at]
    row[at] = original.replace("continue near", "continue right near")
    write_claims_rows(data, header, rows)
    with pytest.raises(ClaimValidationError) as error:
        load_evidence(data)  # the new quote is not in the source: found, with its line
    line = 2 + rows.index(row)
    assert [(p.line, p.column) for p in error.value.problems] == [(line, "quote")]
    row[at] = original.removesuffix(" near the border.")  # a shorter span of the source
    row[statement] = row[statement] + " (shortened)"
    write_claims_rows(data, header, rows)
    claims, after = warm(data)
    assert len(after - before) == 1  # one chunk checked and kept again
    pd.testing.assert_frame_equal(claims, uncached(data))
    assert row[at] in claims["quote"].tolist()


def test_a_changed_source_is_noticed_by_every_chunk_that_cites_it(data):
    claims, before = warm(data)
    source_id = claims["source_id"].iloc[len(claims) // 2]
    path = data / "sources" / f"{source_id}.md"
    front, _, text = path.read_text(encoding="utf-8").partition("---\n")[2].partition("---\n")
    path.write_text(f"---\n{front}---\nA new first paragraph.\n\n{text}", encoding="utf-8")
    shifted, after = warm(data)  # every quote of that source now starts further in
    citing = claims[claims["source_id"] == source_id]
    assert 1 <= len(after - before) < len(before)
    pd.testing.assert_frame_equal(shifted, uncached(data))
    moved = shifted.set_index("claim_id").loc[citing["claim_id"], "quote_start"]
    assert (moved.to_numpy() > citing["quote_start"].to_numpy()).all()

    quote = citing["quote"].iloc[0]
    path.write_text(path.read_text(encoding="utf-8").replace(quote, "(withdrawn)"), "utf-8")
    with pytest.raises(ClaimValidationError) as error:
        load_evidence(data)
    assert [(p.line, p.column) for p in error.value.problems] == [
        (int(citing["line"].iloc[0]), "quote")
    ]


def test_an_earlier_publication_date_is_noticed(data):
    header, rows = claims_rows(data)
    row = rows[len(rows) // 2]
    path = data / "sources" / f"{row[header.index('source_id')]}.md"
    text = path.read_text(encoding="utf-8")
    published = next(line for line in text.splitlines() if line.startswith("published:"))
    row[header.index("claim_date")] = published.split(":")[1].strip()  # said the day it ran
    write_claims_rows(data, header, rows)
    warm(data)
    path.write_text(text.replace(published, "published: 2020-01-01"), encoding="utf-8")
    with pytest.raises(ClaimValidationError) as error:
        load_evidence(data)
    assert [(p.line, p.column) for p in error.value.problems] == [
        (2 + len(rows) // 2, "claim_date")
    ]


def test_a_deleted_claim_is_gone_and_a_repeated_id_across_chunks_is_found(data):
    header, rows = claims_rows(data)
    warm(data)
    citing = "".join(p.read_text() for p in data.glob("*/*.csv") if p.parent.name != "claims")
    gone = rows.pop(next(n for n in range(len(rows) // 3, len(rows)) if rows[n][0] not in citing))
    write_claims_rows(data, header, rows)
    claims, _ = warm(data)
    assert gone[0] not in claims["claim_id"].tolist()
    assert len(claims) == len(rows)
    pd.testing.assert_frame_equal(claims, uncached(data))

    rows[-1][0] = rows[0][0]  # the last chunk repeats the first chunk's id
    write_claims_rows(data, header, rows)
    with pytest.raises(ClaimValidationError) as error:
        load_evidence(data)
    assert [(p.line, p.column) for p in error.value.problems] == [(1 + len(rows), "claim_id")]


def test_a_quote_character_inside_an_unquoted_cell_does_not_misplace_a_cut(data):
    header, rows = claims_rows(data)
    notes = header.index("notes")
    for row in rows[::7]:
        row[notes] = row[notes] + " Grade per the desk's 5\" rule."  # one bare quote
    write_claims_rows(data, header, rows)
    claims, _ = warm(data)
    pd.testing.assert_frame_equal(claims, uncached(data))
    pd.testing.assert_frame_equal(load_evidence(data).claims, claims)


def test_a_damaged_entry_is_not_used(data):
    claims, written = warm(data)
    folder = cache.cache_folder()
    for n, (name, _) in enumerate(sorted(written)):
        entry = folder / name
        blob = bytearray(entry.read_bytes())
        if n % 2:
            del blob[len(blob) // 2 :]  # truncated
        else:
            blob[len(blob) // 3] ^= 0xFF  # one byte flipped
        entry.write_bytes(bytes(blob))
    pd.testing.assert_frame_equal(load_evidence(data).claims, claims)


def test_a_cache_folder_that_cannot_be_written_is_not_used(data, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(blocked / "cache"))
    pd.testing.assert_frame_equal(load_evidence(data).claims, uncached(data))
    assert not (blocked / "cache").exists()


def test_a_render_through_a_warm_cache_is_the_render_without_one(tmp_path, monkeypatch):
    """Real renders of the second analyst's data: cache off, cold, warm, byte for byte."""
    from conftest import ROOT

    from briefing.render import render_briefing

    folder = tmp_path / "data"
    facts = second_analyst(folder)
    outputs, kept = {}, {}
    for label, setting in (("off", ""), ("cold", str(tmp_path / "cache")), ("warm", None)):
        if setting is not None:
            monkeypatch.setenv(cache.CACHE_VARIABLE, setting)
        if label == "warm":  # what the cold render (its process and its kernel) kept
            kept = {p: (p.stat().st_ino, p.read_bytes()) for p in entries_in(tmp_path)}
        briefing = render_briefing(
            as_of=facts["as_of"], notebook=ROOT / "notebooks" / "briefing.ipynb",
            output_dir=tmp_path / label, data_dir=folder,
        )  # fmt: skip
        outputs[label] = [p.read_bytes() for p in (briefing.html, briefing.pdf, briefing.facts)]
    assert any((tmp_path / "cache").glob("sources-*.arrow"))
    assert outputs["cold"] == outputs["off"]
    assert outputs["warm"] == outputs["off"]
    # the warm render wrote nothing (each file as it was, not written again: reads mark it
    # used, its time changes): its process and its kernel (which runs in notebooks/
    # and spells the data folder otherwise) found every source and claim already kept
    assert {p: (p.stat().st_ino, p.read_bytes()) for p in entries_in(tmp_path)} == kept


def entries_in(tmp_path) -> list:
    """The files of the cache folder below ``tmp_path``."""
    return cache_files(tmp_path / "cache")


def test_sources_through_the_cache_are_the_sources_read_afresh(data):
    from briefing.errors import SourceValidationError
    from briefing.sources import load_sources

    folder = data / "sources"
    cold = load_sources(folder)
    assert list(cache.cache_folder().glob("sources-*.arrow"))
    pd.testing.assert_frame_equal(load_sources(folder), cold)  # warm
    path = sorted(folder.glob("*.md"))[3]
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(title, "title: A retitled report"), encoding="utf-8")
    retitled = load_sources(folder)
    assert "A retitled report" in retitled["title"].tolist()
    with cache_off():
        afresh = load_sources(folder)
    pd.testing.assert_frame_equal(retitled, afresh)
    path.write_text(text.replace(title, "title:"), encoding="utf-8")  # now broken
    with pytest.raises(SourceValidationError) as error:
        load_sources(folder)
    assert [(p.path.rsplit("/", 1)[-1], p.column) for p in error.value.problems] == [
        (path.name, "title")
    ]


def indexed(folder: Path):
    """The sources of ``folder`` as the cache's index alone gives them, or ``None``."""
    from briefing import sources

    store = cache.SourcesCache(cache.cache_folder(), folder, sources.FIELDS)
    return sources._indexed_sources(store, folder)


def test_unchanged_sources_come_from_the_index_a_column_at_a_time(data):
    """When every source file is in the index as it is now, and nothing else is, the
    sources' frame is made from the index's columns (no source read row by row): the
    same frame as read afresh. A source gone or new is noticed, the index brought up to
    date, and the next load takes the quick way again."""
    from briefing import sources

    folder = data / "sources"
    with cache_off():
        afresh = sources.load_sources(folder)
    assert indexed(folder) is None  # no index yet
    pd.testing.assert_frame_equal(sources.load_sources(folder), afresh)
    assert indexed(folder) is not None
    pd.testing.assert_frame_equal(sources.load_sources(folder), afresh)
    gone = sorted(folder.glob("*.md"))[2]
    text = gone.read_bytes()
    gone.unlink()
    assert indexed(folder) is None  # the index holds one more
    with cache_off():
        fewer = sources.load_sources(folder)
    assert len(fewer) == len(afresh) - 1
    pd.testing.assert_frame_equal(sources.load_sources(folder), fewer)
    assert indexed(folder) is not None  # the index brought up to date
    pd.testing.assert_frame_equal(sources.load_sources(folder), fewer)
    gone.write_bytes(text)  # back, and another source's text changed
    changed = sorted(folder.glob("*.md"))[5]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA paragraph added.\n")
    assert indexed(folder) is None
    with cache_off():
        edited = sources.load_sources(folder)
    assert "A paragraph added." in edited["text"].iloc[5] and len(edited) == len(afresh)
    pd.testing.assert_frame_equal(sources.load_sources(folder), edited)
    assert indexed(folder) is not None


def test_entries_of_another_version_of_the_code_are_removed(data):
    folder = cache.cache_folder()
    folder.mkdir(parents=True)
    kinds = [
        ("claims", ".parquet"),
        ("claims", ".arrow"),
        ("sources", ".parquet"),
        ("sources", ".arrow"),
    ]
    stale = [folder / f"{kind}-0000000000000000-feed{suffix}" for kind, suffix in kinds]
    for path in stale:
        path.write_bytes(b"written by another version of the package")
    other = folder / "README.txt"
    other.write_text("not an entry")
    warm(data)
    assert not any(path.exists() for path in stale) and other.exists()
    kept = cache_files(folder)
    assert kept and all(p.name.split("-")[1] == cache.code_key().hex()[:16] for p in kept)


def aged(folder: Path, days: float) -> None:
    """Make every entry in ``folder`` look last used ``days`` ago."""
    then = time.time() - days * 86400
    for path in cache_files(folder) + sorted(folder.glob("*.deflated")):
        os.utime(path, (then, then))


def test_entries_left_unused_for_weeks_are_removed_when_the_cache_next_writes(data):
    """A table edited day after day leaves the entry of each chunk as it was: after
    KEEP_DAYS unused it goes, when a later run writes an entry; the entries still read
    are all there, checked again if need be (the load then equals a load without them)."""
    _, before = warm(data)
    folder = cache.cache_folder()
    aged(folder, cache.KEEP_DAYS + 1)
    header, rows = claims_rows(data)
    at = header.index("statement")
    rows[len(rows) // 2][at] += " (revised)"
    write_claims_rows(data, header, rows)
    cache._prune.cache_clear()  # as in the next render's process
    claims, after = warm(data)
    names = lambda found: {name for name, _ in found}  # noqa: E731
    assert len(names(before) - names(after)) == len(names(after) - names(before)) == 1
    assert len(after) == len(before)  # nothing piles up: the old chunk's entry is gone
    pd.testing.assert_frame_equal(claims, uncached(data))
    assert all(p.stat().st_mtime > time.time() - 3600 for p in cache_files(folder))


def test_an_entry_read_is_kept_however_long_ago_it_was_written(tmp_path):
    """Reading an entry marks it used: only the entries no run has read or written for
    KEEP_DAYS go, whatever their age."""
    store = cache.DeflatedParts(tmp_path)
    store.put("read", b"deflated bytes read")
    store.put("unread", b"deflated bytes never read again")
    aged(tmp_path, cache.KEEP_DAYS + 1)
    cache._prune.cache_clear()
    assert store.get("read") == b"deflated bytes read"
    store.put("new", b"deflated bytes")  # the first write of a run prunes
    assert store.get("read") is not None and store.get("new") is not None
    assert store.get("unread") is None
    assert len(list(tmp_path.glob("*.deflated"))) == 2


def test_a_load_of_some_columns_is_those_columns_of_the_whole_load(data):
    """What the render's own process loads (ids and sources only) is checked as ever and
    keeps whole entries: the kernel's whole load then reads them."""
    from briefing.claims import load_claims
    from briefing.evidence import data_paths
    from briefing.reference import load_codebooks
    from briefing.sources import load_sources

    paths = data_paths(data)
    books, sources = load_codebooks(paths["reference"]), load_sources(paths["sources"])
    some = load_claims(paths["claims"], sources, books, columns=["source_id"])  # fills it
    assert list(some.columns) == ["claim_id", "source_id"]
    written = entries()
    whole = load_claims(paths["claims"], sources, books)
    assert entries() == written  # nothing checked again: the entries hold every column
    pd.testing.assert_frame_equal(whole, uncached(data))
    pd.testing.assert_frame_equal(some, whole[["claim_id", "source_id"]])
    again = load_claims(paths["claims"], sources, books, columns=["source_id"])
    pd.testing.assert_frame_equal(again, some)
    with cache_off():
        pd.testing.assert_frame_equal(
            load_claims(paths["claims"], sources, books, columns=["source_id"]), some
        )
    header, rows = claims_rows(data)
    rows[5][header.index("source_id")] = "no-such-source"
    write_claims_rows(data, header, rows)
    with pytest.raises(ClaimValidationError):
        load_claims(paths["claims"], sources, books, columns=["source_id"])


def test_a_kernels_load_takes_what_the_render_kept_meanwhile(data, monkeypatch):
    """A render's kernel loads (without checking) while the render's own process checks
    the same table and keeps each group: the kernel goes last to first and looks each group
    up again first, so what the other kept by then is not parsed twice."""
    from briefing import claims as claims_module

    monkeypatch.setattr(claims_module, "GROUP_BYTES", 4096)  # many groups
    fresh_group = claims_module._fresh_group
    calls = []

    def the_render_checks_meanwhile(path, raw, chunks, sources, books, validate):
        calls.append(validate)
        if calls == [False]:  # the kernel's first group: the render's check runs meanwhile
            load_evidence(data)
        return fresh_group(path, raw, chunks, sources, books, validate)

    monkeypatch.setattr(claims_module, "_fresh_group", the_render_checks_meanwhile)
    claims = load_evidence(data, validate=False).claims
    assert calls.count(True) > 5 and calls.count(False) == 1  # only its own first group
    pd.testing.assert_frame_equal(claims, uncached(data))


def test_the_renders_check_takes_what_its_kernel_kept_meanwhile(data, monkeypatch):
    """The other way round: what the kernel parsed and anchored (its rows passing every
    rule) is kept, and the render's own check, meeting it, does not parse it again."""
    from briefing import claims as claims_module

    monkeypatch.setattr(claims_module, "GROUP_BYTES", 4096)  # many groups
    fresh_group = claims_module._fresh_group
    calls = []

    def counted(path, raw, chunks, sources, books, validate):
        calls.append(validate)
        return fresh_group(path, raw, chunks, sources, books, validate)

    monkeypatch.setattr(claims_module, "_fresh_group", counted)
    kernels = load_evidence(data, validate=False).claims  # first, alone: it keeps every group
    assert calls and set(calls) == {False} and len(entries()) > 10
    checked = load_evidence(data).claims
    assert set(calls) == {False}  # the check parsed nothing again
    pd.testing.assert_frame_equal(checked, uncached(data))
    pd.testing.assert_frame_equal(kernels, checked)


def test_a_kernel_keeps_no_rows_that_break_a_rule(data, monkeypatch):
    """A kernel loads without checking; a chunk holding a row that breaks a rule is never
    kept, so the render's check still finds the problem, with its line."""
    from briefing import claims as claims_module

    monkeypatch.setattr(claims_module, "GROUP_BYTES", 4096)
    header, rows = claims_rows(data)
    rows[-1][header.index("stance")] = "perhaps"  # not in the codebook; the kernel types it
    write_claims_rows(data, header, rows)
    load_evidence(data, validate=False)  # a kernel does not judge: the render's check does
    assert len(entries()) > 10  # the clean chunks were kept
    with pytest.raises(ClaimValidationError) as error:
        load_evidence(data)
    found = [(p.line, p.column) for p in error.value.problems]
    assert found == [(1 + len(rows), "stance")]


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_chunks_read_a_window_at_a_time_are_the_whole_files(data, ending):
    """A render reads the claims table a window at a time, never whole: the chunks (their
    ranges, lines and keys) are those of the whole file, however small the window, even
    one smaller than a chunk or than a record."""
    header, rows = claims_rows(data)
    at = header.index("notes")
    for row in rows[::5]:
        row[at] = row[at] + "\n" + "A long second line of notes, with a comma. " * 80
    with (data / "claims" / "claims.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator=ending).writerows([header, *rows])
    raw = (data / "claims" / "claims.csv").read_bytes()
    body = cache.header_end(raw, 0)
    whole = cache.chunks_of(raw, body, b"context", window=len(raw))
    assert len(whole) > 10
    for window in (100, 2048, 3000, 50_000):
        assert cache.chunks_of(raw, body, b"context", window=window) == whole
    assert [(c.begin, c.end) for c in whole] == cache.record_chunks(raw, body)


def test_a_render_never_reads_the_claims_table_whole(data, tmp_path, monkeypatch):
    """Under a render's saved snapshot the claims are read in ranges of a window or a group
    of chunks, and load as they do from the file itself."""
    from briefing import claims as claims_module
    from briefing import inputs

    monkeypatch.setattr(cache, "WINDOW_BYTES", 8192)
    monkeypatch.setattr(claims_module, "GROUP_BYTES", 4096)
    monkeypatch.setattr(claims_module, "HEAD_BYTES", 1024)
    paths = {"claims": data / "claims" / "claims.csv", "sources": data / "sources"}
    inputs.take_snapshot(paths).save(tmp_path / "inputs.snapshot")
    loaded = inputs.Snapshot.load(tmp_path / "inputs.snapshot")
    parts, read = [], inputs.StoredFiles.parts

    def reads(self, name, size, begin=0, end=None):
        if name.endswith("claims.csv"):
            parts.append(len(b"".join(read(self, name, size, begin, end))))
        return read(self, name, size, begin, end)

    monkeypatch.setattr(inputs.StoredFiles, "parts", reads)
    with inputs.reading(loaded):
        claims = load_evidence(data).claims
    loaded.close()
    size = paths["claims"].stat().st_size
    assert len(parts) > 10 and sum(parts) > size and max(parts) <= 3 * 8192 < size
    pd.testing.assert_frame_equal(claims, uncached(data))


RELEASED = """
import os
from briefing.cache import release_memory, use_system_allocator

use_system_allocator()  # as the command does first
import numpy as np, pyarrow as pa

def resident():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

assert pa.default_memory_pool().backend_name == "system"
blocks = [pa.allocate_buffer(64 * 1024) for _ in range(3000)]  # in C's heap, not mapped
for block in blocks:
    np.frombuffer(block, dtype=np.uint8)[:] = 1  # resident once written
last = pa.allocate_buffer(1024)  # kept: the heap's top is in use, so nothing is returned
del blocks
held = resident()
release_memory()
print(held - resident())
"""


def test_memory_freed_by_a_load_goes_back_to_the_system():
    # Arrow's memory comes from C's heap, and what a load frees there stays with the
    # process unless handed back: the render calls release_memory after loading and after
    # validating.
    env = {k: v for k, v in os.environ.items() if k != cache.ALLOCATOR_VARIABLE}
    done = subprocess.run(
        [sys.executable, "-c", RELEASED], env=env, capture_output=True, text=True, check=True
    )
    assert int(done.stdout) > 150 * 2**20, done.stdout


JOINED = """
import json, os, threading, time
from briefing.cache import typed_frame, use_system_allocator

use_system_allocator()  # as the command and a render's kernel do first
import pyarrow as pa

def resident():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

big = pa.allocate_buffer(8 << 20)  # freed, as after any load: C's heap then takes
del big  # blocks of a few hundred KB itself (glibc raises its mmap threshold)
names = "abcdefgh"
metadata = {b"briefing.dtypes": json.dumps(dict.fromkeys(names, "string[pyarrow]"))}
tables = [
    pa.table({name: pa.array([f"{name}{i:05d}" * 25] * 2000) for name in names},
             metadata=metadata)
    for i in range(200)
]  # 200 entries' rows, 8 columns of 60 MB, each piece a block of C's heap
held, peak = resident(), [0]

def sample():
    while not done:
        peak[0] = max(peak[0], resident())
        time.sleep(0.002)

done = False
sampler = threading.Thread(target=sample)
sampler.start()
frame = typed_frame(tables)
done = True
sampler.join()
print(len(frame), held, max(peak[0], resident()))
"""


def test_joining_the_entries_never_holds_them_and_the_frame_at_once():
    # The entries of a million claims are read, then joined a column at a time: what each
    # column's pieces held goes back to the system before the next columns are joined,
    # so the join adds little to what the entries held (it used to add all of it).
    env = {k: v for k, v in os.environ.items() if k != cache.ALLOCATOR_VARIABLE}
    done = subprocess.run(
        [sys.executable, "-c", JOINED], env=env, capture_output=True, text=True, check=True
    )
    rows, held, peak = (int(n) for n in done.stdout.split())
    assert rows == 400_000
    assert peak - held < 200 * 2**20, (held >> 20, peak >> 20)  # not the 480 MB again


def test_an_entry_reads_back_its_columns_and_refuses_damage():
    import pyarrow as pa

    table = pa.table({"claim_id": ["C1", "C2"], "line": [2, 3], "quote": ["a", None]})
    data = cache.entry_bytes(table.replace_schema_metadata({b"k": b"v"}))
    whole = cache.entry_table(data)
    assert whole.equals(table) and whole.schema.metadata == {b"k": b"v"}
    assert cache.entry_table(data, ["quote", "claim_id"]).column_names == ["quote", "claim_id"]
    with pytest.raises(KeyError):
        cache.entry_table(data, ["claim_id", "notes"])
    for damaged in (data[:-1], data[: len(data) // 2], bytes([data[0] ^ 1]) + data[1:], b""):
        with pytest.raises(ValueError):
            cache.entry_table(damaged)


def test_a_claim_edited_longer_leaves_the_chunks_after_it_as_they_were(monkeypatch):
    """Chunks end before records their first bytes mark, not a fixed size past their start:
    a row made longer in place (records all about as long) changes its own chunk's key and
    no other's, however many chunks follow."""
    monkeypatch.setattr(cache, "CHUNK_BYTES", 20_000)
    rows = [
        f"C{i:06d},2024-10-24_src_{i // 40:04d},said {i * 7919 % 10007:05d}\n" for i in range(40000)
    ]
    header = "claim_id,source_id,statement\n"
    data = (header + "".join(rows)).encode()
    before = cache.chunks_of(data, len(header), b"context", window=200_000)
    assert len(before) >= 10
    assert [c.key for c in before] == [
        c.key for c in cache.chunks_of(data, len(header), b"context", window=10**8)
    ]  # the same chunks, whatever the window read at a time
    for at in (5, 9000, 21000):
        edited = list(rows)
        edited[at] = edited[at].replace("said", "said at length, and more than before,")
        after = cache.chunks_of(
            (header + "".join(edited)).encode(), len(header), b"context", window=200_000
        )
        assert len({c.key for c in after} - {c.key for c in before}) == 1, at
