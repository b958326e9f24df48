"""The render's snapshot of its inputs: saved, loaded again, read when asked for."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from briefing.errors import InvalidInputError
from briefing.inputs import (
    Snapshot,
    StoredFiles,
    input_exists,
    key,
    list_inputs,
    read_input,
    reading,
    take_snapshot,
)


@pytest.fixture
def inputs(tmp_path) -> dict:
    """A sources folder with a text file, an empty one and a folder named like a source; a
    table; an optional table that is absent."""
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "2024-05-01_report.md").write_text("Troops were seen — near the border.\n")
    (sources / "2024-05-02_empty.md").write_bytes(b"")
    (sources / "2024-05-03_folder.md").mkdir()
    (tmp_path / "claims.csv").write_bytes(b'claim_id,quote\r\nC0001,"a, b"\r\n')
    return {
        "sources": sources,
        "claims": tmp_path / "claims.csv",
        "events": tmp_path / "events.csv",
    }


def test_a_saved_snapshot_reads_back_what_was_taken(inputs, tmp_path):
    taken = take_snapshot(inputs)
    saved = tmp_path / "inputs.snapshot"
    taken.save(saved)
    loaded = Snapshot.load(saved)
    assert isinstance(loaded.files, StoredFiles)  # an index, not the bytes
    assert loaded.covers(inputs["claims"]) and loaded.covers(inputs["events"])
    assert loaded.files.descriptor is None  # asking what it holds reads nothing
    assert dict(loaded.files) == dict(taken.files)
    assert loaded.listings == taken.listings and loaded.absent == taken.absent
    for path in inputs["sources"].iterdir():  # what the disk holds now is not read
        if path.is_file():
            path.write_text("changed after the snapshot")
    with reading(loaded):
        listed = list_inputs(inputs["sources"], "*.md")
        assert [p.name for p in listed] == sorted(p.name for p in inputs["sources"].iterdir())
        assert read_input(listed[0]) == "Troops were seen — near the border.\n".encode()
        assert read_input(listed[1]) == b""
        with pytest.raises(InvalidInputError, match="folder"):
            read_input(listed[2])  # why it could not be read, as taken
        assert read_input(inputs["claims"]).endswith(b'"a, b"\r\n')
        assert not input_exists(inputs["events"])
    loaded.close()
    with reading(loaded):  # closed: a read opens the file again
        assert read_input(inputs["claims"]) == taken.files[str(inputs["claims"].resolve())]
    loaded.close()


def open_snapshots() -> list[str]:
    """Files named ``inputs.snapshot`` this process holds open."""
    held = []
    for entry in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if "inputs.snapshot" in target:
            held.append(target)
    return held


def test_a_snapshot_of_many_small_files_is_saved_in_few_writes(tmp_path, monkeypatch):
    """Small files are written joined into runs of SAVE_RUN bytes or more (a file that
    large alone), so that saving beside a busy thread waits a few times, not once per
    source; what is read back is every file as taken, in order."""
    from briefing import inputs as inputs_module

    monkeypatch.setattr(inputs_module, "SAVE_RUN", 64)
    sources = tmp_path / "sources"
    sources.mkdir()
    sizes = [5, 70, 0, 30, 40, 1, 200, 3, 3]
    for number, size in enumerate(sizes):
        (sources / f"2024-05-{number + 1:02d}_s.md").write_bytes(bytes([65 + number]) * size)
    taken = take_snapshot({"sources": sources})
    runs = list(inputs_module._runs(taken.files.values(), 64))
    assert [len(r) for r in runs] == [5, 70, 70, 1, 200, 6]  # a file of 64 or more alone
    writes = []
    real_open = Path.open

    def counted(self, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        if "w" in (args[0] if args else kwargs.get("mode", "r")):
            write = handle.write
            handle.write = lambda data: writes.append(len(data)) or write(data)
        return handle

    monkeypatch.setattr(Path, "open", counted)
    taken.save(tmp_path / "inputs.snapshot")
    monkeypatch.undo()
    assert len(writes) == 1 + len(runs)  # the index, then each run
    assert dict(Snapshot.load(tmp_path / "inputs.snapshot").files) == dict(taken.files)


def test_a_render_reads_its_snapshot_file_and_lets_go_of_it(tmp_path):
    from briefing.render import render_briefing

    before = open_snapshots()
    briefing = render_briefing(
        as_of="2024-10-24",
        notebook=ROOT / "notebooks" / "briefing.ipynb",
        output_dir=tmp_path / "reports",
        data_dir=ROOT / "data",
        pdf=False,
    )
    assert briefing.html.is_file()
    assert open_snapshots() == before  # no descriptor of a removed staging folder kept
    assert not list((tmp_path / "reports").glob(".*"))  # the staging folder is gone


def test_a_listed_file_is_found_by_any_spelling_of_its_path(tmp_path, monkeypatch):
    # Files of a listed folder are looked up by their folder's resolved path and their name
    # (no system call per file): the same answer as resolving the whole path, for a file
    # that is a link elsewhere, a folder reached through a link, and relative spellings.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "target.md").write_text("linked source\n")
    sources = tmp_path / "data" / "sources"
    sources.mkdir(parents=True)
    (sources / "2024-05-01_a.md").write_text("plain source\n")
    (sources / "2024-05-02_b.md").symlink_to(elsewhere / "target.md")
    (tmp_path / "alias").symlink_to(tmp_path / "data")
    taken = take_snapshot({"sources": sources})
    taken.save(tmp_path / "inputs.snapshot")
    loaded = Snapshot.load(tmp_path / "inputs.snapshot")
    monkeypatch.chdir(tmp_path / "data")
    spellings = [
        *(sources / name for name in ("2024-05-01_a.md", "2024-05-02_b.md")),
        Path("sources/2024-05-02_b.md"),
        Path("../alias/sources/2024-05-01_a.md"),
        tmp_path / "alias" / "sources" / "2024-05-02_b.md",
        Path("sources") / ".." / "sources" / "2024-05-01_a.md",
        Path("sources/missing.md"),
    ]
    for snapshot in (taken, loaded):
        assert [snapshot.key_of(p) for p in spellings] == [key(p) for p in spellings]
    (sources / "2024-05-01_a.md").write_text("changed on disk\n")
    (elsewhere / "target.md").write_text("changed on disk\n")
    with reading(loaded):
        assert read_input(Path("../alias/sources/2024-05-01_a.md")) == b"plain source\n"
        assert read_input(Path("sources/2024-05-02_b.md")) == b"linked source\n"
    loaded.close()


def test_a_saved_snapshot_gives_a_file_in_parts(inputs, tmp_path, monkeypatch):
    # The claims attachment of a render is deflated from the snapshot a part at a time (a
    # million-claim file is never held whole): the parts are the file, each a few bytes here.
    import briefing.inputs
    from briefing.claims import claims_csv_parts
    from briefing.inputs import read_input_parts

    table = tmp_path / "written.csv"
    table.write_bytes("\ufeffclaim_id,quote\nC0001,a\nC0002,b\n".encode())
    taken = take_snapshot({**inputs, "claims": table})
    taken.save(tmp_path / "inputs.snapshot")
    loaded = Snapshot.load(tmp_path / "inputs.snapshot")
    monkeypatch.setattr(briefing.inputs, "PART_BYTES", 5)
    with reading(loaded):
        parts = list(read_input_parts(table))
        assert [len(p) for p in parts] == [5, 5, 5, 5, 5, 5, 4]  # 34 bytes
        assert b"".join(parts) == table.read_bytes()
        assert list(read_input_parts(inputs["claims"]))[-1].endswith(b'"a, b"\r\n')
        with pytest.raises(InvalidInputError, match="folder"):
            list(read_input_parts(inputs["sources"] / "2024-05-03_folder.md"))
        claims = pd.DataFrame({"claim_id": ["C0001", "C0002"]})
        claims.attrs["as_written"] = True
        attached = list(claims_csv_parts(table, claims, ["C0001", "C0002"]))
    assert len(attached) > 1 and b"".join(attached) == b"claim_id,quote\nC0001,a\nC0002,b\n"
    with reading(taken):  # a snapshot in memory: the bytes it holds, whole
        assert list(read_input_parts(table)) == [table.read_bytes()]
    assert list(read_input_parts(table)) == [table.read_bytes()]  # none: from disk
    loaded.close()


def test_input_bytes_give_ranges_of_the_file(inputs, tmp_path):
    # The claims are read a range at a time in a render (from the saved snapshot, by
    # position): every range is the file's, wherever the bytes come from.
    from briefing.inputs import InputBytes

    table = tmp_path / "written.csv"
    table.write_bytes('\ufeffclaim_id,quote\nC0001,a\nC0002,"b, c"\r\n'.encode())
    whole = table.read_bytes()
    taken = take_snapshot({**inputs, "claims": table})
    taken.save(tmp_path / "inputs.snapshot")
    loaded = Snapshot.load(tmp_path / "inputs.snapshot")
    spans = [(0, len(whole)), (0, 3), (5, 17), (17, len(whole) + 9), (len(whole), 99), (9, 4)]
    for snapshot in (loaded, taken, None):
        with reading(snapshot):
            data = InputBytes(table)
            assert len(data) == len(whole)
            assert [data[a:b] for a, b in spans] == [whole[a:b] for a, b in spans]
            with pytest.raises(InvalidInputError, match="folder"):
                InputBytes(inputs["sources"] / "2024-05-03_folder.md")
    loaded.close()


def test_a_kernel_waits_for_the_render_to_read_sources_the_cache_lacks(tmp_path, monkeypatch):
    """A render's kernel that finds no sources of its folder in the cache waits while the
    render reads them (SOURCES_READING beside the snapshot) instead of parsing them too; one
    that finds them, or has no cache, or whose render is not reading them (a snapshot saved
    otherwise), or that is no render's kernel, goes on at once."""
    import threading
    import time

    from briefing import cache, inputs
    from briefing.inputs import SOURCES_READING, wait_for_sources

    sources = tmp_path / "sources"
    sources.mkdir()
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path / "cache"))
    started = time.monotonic()
    wait_for_sources(sources)  # no render's kernel: no wait
    monkeypatch.setitem(inputs._PROCESS, "folder", tmp_path / "render")
    (tmp_path / "render").mkdir()
    wait_for_sources(sources)  # the render is reading none: no wait
    assert time.monotonic() - started < 0.5
    marker = tmp_path / "render" / SOURCES_READING
    marker.touch()
    threading.Timer(0.5, marker.unlink).start()
    wait_for_sources(sources)
    assert not marker.exists() and time.monotonic() - started >= 0.5
    marker.touch()  # read again, but the cache holds them now: at once
    index = cache.SourcesCache.index_of(cache.cache_folder(), sources)
    index.parent.mkdir(parents=True)
    index.write_bytes(b"kept")
    started = time.monotonic()
    wait_for_sources(sources)
    monkeypatch.setenv(cache.CACHE_VARIABLE, "")
    index.unlink()
    wait_for_sources(sources)  # no cache: at once
    assert time.monotonic() - started < 0.5


def test_a_render_file_that_fails_leaves_its_report_and_never_a_pending_file(tmp_path, monkeypatch):
    """A file the kernel fails to write becomes its failed report (with the traceback when
    there is room for it, a plain statement when not): nothing pending is left, so the
    render stops waiting and fails. Asked twice, the file is the last one asked for."""
    from concurrent.futures import wait

    from briefing import inputs
    from briefing.errors import NotebookExecutionError
    from briefing.inputs import finished_render_files, write_render_file

    monkeypatch.setitem(inputs._PROCESS, "folder", tmp_path)

    def finished(name="*"):
        wait([inputs._WRITER[0].submit(lambda: None)])  # the writer is done with the queue
        finished_render_files(tmp_path, lambda: True, name)

    assert write_render_file("twice.txt", lambda: ["first"])
    assert write_render_file("twice.txt", lambda: ["second"])
    finished()
    assert (tmp_path / "twice.txt").read_text() == "second"
    write_render_file("broken.txt", lambda: iter(["half", str(1 / 0)]))
    with pytest.raises(NotebookExecutionError, match="ZeroDivisionError: division by zero"):
        finished("broken.txt")
    assert "Traceback" in (tmp_path / "broken.txt.failed").read_text()
    (tmp_path / "broken.txt.failed").unlink()
    real = Path.write_text

    def full_disk(self, *args, **kwargs):
        if self.name.endswith(".failed"):
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    write_render_file("full.txt", lambda: iter(["half", str(1 / 0)]))
    with pytest.raises(NotebookExecutionError, match="full.txt was not written: it could not"):
        finished()
    assert not list(tmp_path.glob("*.part"))
