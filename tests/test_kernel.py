"""The render's kernel: ready as soon as it has answered on both channels, never hung."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
from concurrent.futures import Future
from pathlib import Path

import pandas as pd
import psutil
import pytest
from conftest import ROOT

from briefing import evidence
from briefing.evidence import data_paths
from briefing.inputs import resolved, take_snapshot
from briefing.kernel import Kernel, ReadyClient

NOTEBOOK = ROOT / "notebooks" / "briefing.ipynb"


async def run(client: ReadyClient, code: str) -> list[str]:
    """Execute ``code``; the plain-text results published on IOPub for that request."""
    request = client.execute(code)
    results = []
    while True:
        message = await client.iopub_channel.get_msg(timeout=30)
        if message["parent_header"].get("msg_id") != request:
            continue
        if message["msg_type"] == "execute_result":
            results.append(message["content"]["data"]["text/plain"])
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return results


async def first_result(manager, code: str = "6 * 7") -> list[str]:
    """Wait for the kernel to be ready, then the results of ``code``."""
    client = manager.client()
    assert isinstance(client, ReadyClient)
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        return await run(client, code)
    finally:
        client.stop_channels()


def test_the_kernel_is_ready_with_both_channels_connected():
    # Ready means the kernel answered kernel_info on the shell channel and IOPub carried
    # that request's idle status: the first execution's output is then never missed.
    with Kernel(NOTEBOOK) as kernel:
        assert asyncio.run(first_result(kernel.manager)) == ["42"]


@pytest.fixture
def temp(monkeypatch):
    """A temporary folder short enough for Unix sockets, made the process's default."""
    folder = Path(tempfile.mkdtemp(prefix="t", dir="/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    shutil.rmtree(folder)


def test_the_kernel_gives_arrow_cs_allocator_unless_told_otherwise(monkeypatch):
    backend = "import pyarrow; pyarrow.default_memory_pool().backend_name"
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    with Kernel(NOTEBOOK) as kernel:
        assert asyncio.run(first_result(kernel.manager, backend)) == ["'system'"]
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")  # a user's choice stands
    with Kernel(NOTEBOOK) as kernel:
        assert asyncio.run(first_result(kernel.manager, backend)) == ["'mimalloc'"]


FREED_IN_A_CELL = """
import ctypes, os, numpy as np, pyarrow as pa
resident = lambda: int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
assert ctypes.CDLL("libc.so.6").mallopt(-1, 2**30)  # M_TRIM_THRESHOLD: free() keeps it all
before = resident()
blocks = [pa.allocate_buffer(64 * 1024) for _ in range(3000)]  # in C's heap, not mapped
for block in blocks:
    np.frombuffer(block, dtype=np.uint8)[:] = 1  # resident once written
grown = resident() - before
del blocks, block
held = resident() - before
"""


def test_memory_a_cell_freed_is_back_with_the_system_by_the_next_cell():
    # A render's kernel hands back what each cell freed (sections of a million claims free
    # hundreds of MB each): ~190 MB freed in one cell no longer counts in the next. Measured
    # from before the cell allocated: glibc's free() sometimes gave part back by itself,
    # and a count from after the free then saw 70 MB (the test failed 1 run in 4); with
    # its own giving back switched off, only the kernel's release after the cell can.
    async def cells(manager) -> list[str]:
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            await run(client, FREED_IN_A_CELL)
            return await run(client, "[n // 2**20 for n in (grown, held, resident() - before)]")
        finally:
            client.stop_channels()

    with Kernel(NOTEBOOK) as kernel:
        [measured] = asyncio.run(cells(kernel.manager))
    grown, held, left = json.loads(measured)
    assert grown > 150 and held > 150  # the cell's blocks, freed but kept by the allocator
    assert left < 20  # ... until the cell ended


def test_the_kernel_talks_over_private_sockets_not_loopback_ports(temp):
    # A port picked free by one process can be taken by another before the kernel binds
    # it (two renders of a series at once: "Address already in use", the kernel dies).
    # The kernel binds Unix sockets in a folder of its own instead, removed once stopped.
    with Kernel(NOTEBOOK) as kernel:
        manager = kernel.manager
        assert asyncio.run(first_result(manager)) == ["42"]
        (folder,) = temp.glob(f"briefing-kernel-{os.getpid()}-*")
        assert folder.stat().st_mode & 0o077 == 0
        channels = [folder / f"k-{n}" for n in range(1, 6)]  # shell, iopub, stdin, control, hb
        assert all(path.is_socket() for path in channels)
        bound = {c.laddr for c in psutil.Process(manager.provisioner.pid).net_connections("unix")}
        assert {str(path) for path in channels} <= bound  # the kernel's, not stale files
        assert manager.get_connection_info()["transport"] == "ipc"
    assert list(temp.iterdir()) == []  # nor its connection file


def test_a_temporary_folder_too_deep_for_a_socket_gets_loopback_tcp(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 100)
    deep.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    with Kernel(NOTEBOOK) as kernel:
        assert kernel.manager.get_connection_info()["transport"] == "tcp"
        assert asyncio.run(first_result(kernel.manager)) == ["42"]
    assert list(deep.iterdir()) == []


def test_socket_folders_of_renders_gone_are_removed_by_the_next_kernel(temp):
    # A render killed outright cannot remove its kernel's sockets (its kernel exits when
    # it sees its parent gone): the next kernel started removes them, and only them.
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = temp / f"briefing-kernel-{gone.pid}-abc"
    alive = temp / f"briefing-kernel-{os.getppid()}-abc"
    other = temp / "briefing-kernel-notes"
    for folder in (stale, alive, other):
        folder.mkdir()
        (folder / "k-1").write_bytes(b"")
    with Kernel(NOTEBOOK):
        pass
    assert sorted(temp.iterdir()) == sorted([alive, other])


def test_waiting_for_a_dead_kernel_fails_instead_of_hanging():
    async def wait(manager) -> None:
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
        finally:
            client.stop_channels()

    with Kernel(NOTEBOOK) as kernel:
        os.kill(kernel.manager.provisioner.pid, signal.SIGKILL)
        with pytest.raises(RuntimeError, match="died"):
            asyncio.run(wait(kernel.manager))


def test_the_kernel_loads_the_evidence_once_the_snapshot_is_saved(tmp_path):
    # A render's kernel starts loading its evidence as soon as the render has saved the
    # snapshot (while the render still plans); the notebook's load_evidence takes that
    # evidence: the snapshot's bytes, not what the disk holds by then.
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    claims = data / "claims" / "claims.csv"
    rows = len(pd.read_csv(claims))
    snapshot = tmp_path / "render" / "inputs.snapshot"
    snapshot.parent.mkdir()

    async def preload(manager) -> list[str]:
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            check = "import briefing.evidence as e; e._PRELOAD['future'].done()"
            waiting = await run(client, check)
            take_snapshot({**data_paths(data), "notebook": NOTEBOOK}).save(snapshot)
            claims.write_text("claim_id\nchanged on disk after the snapshot\n")
            loaded = await run(
                client,
                "named, early = e._PRELOAD['future'].result(timeout=120); "
                f"everything = e.load_evidence({str(data)!r}, validate=False); "
                "everything is early, len(everything.claims), 'future' in e._PRELOAD",
            )
            return waiting + loaded
        finally:
            client.stop_channels()

    with Kernel(NOTEBOOK, snapshot) as kernel:
        assert asyncio.run(preload(kernel.manager)) == ["False", f"(True, {rows}, False)"]


def test_a_notebook_that_loads_other_inputs_does_not_take_the_preloaded_evidence(
    tmp_path, monkeypatch
):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    other = tmp_path / "other.csv"
    shutil.copy(data / "claims" / "claims.csv", other)
    early = Future()
    early.set_result((resolved(data_paths(data)), "preloaded"))
    monkeypatch.setitem(evidence._PRELOAD, "future", early)
    loaded = evidence.load_evidence(data, claims_path=other, validate=False)
    assert isinstance(loaded, evidence.Evidence) and "future" not in evidence._PRELOAD
    assert evidence.ROLES == tuple(data_paths(data))  # the roles a snapshot records
    early = Future()
    early.set_result((resolved(data_paths(data)), "preloaded"))
    monkeypatch.setitem(evidence._PRELOAD, "future", early)
    assert isinstance(evidence.load_evidence(data, validate=True), evidence.Evidence)
    assert evidence.load_evidence(data, validate=False) == "preloaded"  # kept for its own
