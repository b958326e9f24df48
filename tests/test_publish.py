"""Publishing (briefing/publish.py): a briefing reaches ``<output>/<date>/`` whole or not at all.

Issue 14, the publish items: a render killed at any step of its publish leaves the old
briefing or the new one, never a mixture (1); a kill between the two renames of the
fallback publish is undone (2); a sweep removes only its own dead staging folders (3);
the machine refusing is exit 5 and one line (4); a failed render into a new nested
``--output-dir`` leaves only what the README promises (5).

Every render here is real (papermill, nbconvert, WeasyPrint) on the small ``dataset`` of
``conftest``. Kills and file-system faults happen in a subprocess (``KILLER`` below),
which wraps ``os.rename`` (every rename a publish makes, whichever module makes it) and
``briefing.publish.exchange`` where it exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from contextlib import suppress
from pathlib import Path

import pytest
from conftest import ROOT, fixture_claims, tmpfs, write_claims, write_registers, write_source

from briefing.render import render_briefing

AS_OF = "2024-10-24"
NOTEBOOK = ROOT / "notebooks" / "briefing.ipynb"
STAGING = ".briefing-staging-"
#: Run as ``python -c KILLER OUT KILL_AT WHEN FALLBACK LOG render-arguments...``: a
#: ``briefing -q render`` whose renames (and exchanges) touching OUT are numbered from 1
#: and logged one a line into LOG; the KILL_AT-th is preceded (WHEN ``before``) or
#: followed (``after``) by SIGKILL of the process, or fails with EIO instead (``fail``);
#: KILL_AT 0: never. FALLBACK ``1`` makes ``exchange`` fail with EINVAL, as on a file
#: system without RENAME_EXCHANGE.
KILLER = """
import errno, os, signal, sys

out, kill_at, when, fallback, log = sys.argv[1:6]
out, kill_at, calls = os.path.realpath(out), int(kill_at), [0]


def ours(paths):
    return any(os.path.realpath(os.fspath(p)).startswith(out + os.sep) for p in paths)


def counted(function, name):
    def wrapper(*args, **kwargs):
        if not ours(args[:2]):
            return function(*args, **kwargs)
        calls[0] += 1
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{name} {os.fspath(args[0])} {os.fspath(args[1])}\\n")
        if calls[0] == kill_at and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        if calls[0] == kill_at and when == "fail":
            raise OSError(errno.EIO, os.strerror(errno.EIO), os.fspath(args[1]))
        result = function(*args, **kwargs)
        if calls[0] == kill_at and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    return wrapper


def cannot_exchange(first, second):
    raise OSError(errno.EINVAL, os.strerror(errno.EINVAL), os.fspath(second))


os.rename = counted(os.rename, "rename")
try:
    import briefing.publish as publish
except ImportError:  # before issue 14 a publish was renames only
    publish = None
if publish is not None:
    publish.exchange = cannot_exchange if fallback == "1" else counted(publish.exchange, "exchange")
from briefing.cli import main

sys.argv = ["briefing", "-q", "render", *sys.argv[6:]]
sys.exit(main())
"""


def make_dataset(data: Path, claim_date: str | None = None) -> Path:
    """The ``dataset`` of conftest, made in ``data``; C0003 dated ``claim_date`` if given."""
    shutil.copytree(ROOT / "data" / "reference", data / "reference")
    write_registers(data / "reference")
    (data / "sources").mkdir(parents=True)
    (data / "claims").mkdir()
    write_source(data / "sources")
    change_claims(data, claim_date=claim_date)
    return data


def change_claims(data: Path, statement: str | None = None, claim_date: str | None = None) -> None:
    """Rewrite the claims table, C0003 with another ``statement`` or ``claim_date``."""
    rows = fixture_claims()
    if statement is not None:
        rows[2]["statement"] = statement
    if claim_date is not None:
        rows[2]["claim_date"] = claim_date
    write_claims(data / "claims" / "claims.csv", rows)


def changed(data: Path) -> Path:
    """The data with one claim worded anew: its briefing differs from the good one."""
    change_claims(data, statement="What happens next is unclear, officials said.")
    return data


def files(folder: Path) -> dict[str, str] | None:
    """``{name: sha256}`` of a briefing folder's files; ``None`` when there is no folder."""
    if not os.path.lexists(folder):
        return None
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def assert_complete(folder: Path) -> None:
    """A briefing folder holds what its manifest lists, with the hashes it records."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    expected = {**manifest["outputs"], "manifest.json": files(folder)["manifest.json"]}
    assert files(folder) == expected and len(expected) == 5, folder


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every path below ``folder`` (relative), with its bytes (``None`` for a folder)."""
    return {
        str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


def render(out: Path, data: Path) -> dict[str, str]:
    """Render normally, in this process; the published briefing's files."""
    render_briefing(notebook=NOTEBOOK, output_dir=out, data_dir=data)
    return files(out / AS_OF)


def cli(out, data, *options, notebook=NOTEBOOK) -> subprocess.CompletedProcess:
    """``briefing -q render`` in a fresh process (no progress lines: stderr is errors only)."""
    command = [sys.executable, "-m", "briefing.cli", "-q", "render", "--output-dir", str(out)]
    command += ["--data-dir", str(data), "--notebook", str(notebook), *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def killed_render(out: Path, data: Path, kill_at: int, when: str, fallback: bool = False):
    """Run ``KILLER``; its return code, the renames and exchanges it made, its stderr."""
    log = out.parent / f"{out.name}.calls"
    log.unlink(missing_ok=True)
    arguments = [str(out), str(kill_at), when, "1" if fallback else "0", str(log)]
    arguments += ["--output-dir", str(out), "--data-dir", str(data), "--notebook", str(NOTEBOOK)]
    errors = out.parent / f"{out.name}.stderr"
    with open(errors, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", KILLER, *arguments],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # its kernel, if still alive, goes with it
        )
        try:
            code = process.wait(timeout=300)
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return code, calls, errors.read_text(encoding="utf-8")


def with_old(out: Path, good) -> Path:
    """``out`` holding a copy of the good briefing (the "old" one)."""
    shutil.copytree(good.parent, out, symlinks=True)
    return out


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """One good briefing of the conftest dataset, rendered once: ``reports/<date>/``."""
    root = tmp_path_factory.mktemp("good")
    out = root / "reports"
    render_briefing(notebook=NOTEBOOK, output_dir=out, data_dir=make_dataset(root / "data"))
    assert sorted(os.listdir(out)) == [AS_OF]
    return out / AS_OF


def assert_only_the_briefing(out: Path) -> None:
    """Nothing in ``out`` but the briefing: no staging folder, nothing retired."""
    assert sorted(os.listdir(out)) == [AS_OF]


@pytest.mark.parametrize("previous", ["first render", "over an old briefing"])
def test_a_kill_at_any_step_of_publish_leaves_the_old_or_the_new_briefing(
    dataset, tmp_path, good, previous
):
    """Issue 14, item 1: kill at every step of publish.

    The render is SIGKILLed before and after each rename and exchange it makes into the
    output folder. Then ``<date>/`` holds exactly the old briefing (or nothing, for a first
    render) or exactly the new one, never a part of one; the next render succeeds and
    leaves no staging folder.
    """
    old = files(good) if previous == "over an old briefing" else None
    data = changed(dataset)

    def output(name: str) -> Path:
        return with_old(tmp_path / name, good) if old else tmp_path / name

    counted = output("counted")
    code, calls, stderr = killed_render(counted, data, 0, "never")
    assert code == 0, stderr
    new = files(counted / AS_OF)
    assert calls and new != old
    assert_complete(counted / AS_OF)
    for number in range(1, len(calls) + 1):
        for when in ("before", "after"):
            out = output(f"killed-{when}-{number}")
            code, *_ = killed_render(out, data, number, when)
            assert code == -signal.SIGKILL, f"not killed {when} {calls[number - 1]}"
            assert files(out / AS_OF) in (old, new), f"killed {when} {calls[number - 1]}"
            if files(out / AS_OF) is not None:
                assert_complete(out / AS_OF)
            assert render(out, data) == new
            assert_only_the_briefing(out)


def test_a_kill_between_the_two_renames_of_the_fallback_is_undone(dataset, tmp_path, good):
    """Issue 14, item 2: the two-step publish where RENAME_EXCHANGE is refused.

    Killed after the old briefing was moved aside and before the new one took its place,
    ``<date>/`` is missing. The next render into that folder moves the old one back as it
    starts, valid data or not; so does a sweep; a render with valid data then publishes
    its complete set.
    """
    old, data = files(good), changed(dataset)
    out = with_old(tmp_path / "reports", good)
    code, calls, _ = killed_render(out, data, 1, "after", fallback=True)
    assert code == -signal.SIGKILL and len(calls) == 1, calls
    assert files(out / AS_OF) is None  # between the two steps: no briefing
    probes = [shutil.copytree(out, tmp_path / name, symlinks=True) for name in ("p1", "p2")]

    invalid = make_dataset(tmp_path / "invalid", claim_date="2024-13-45")
    assert cli(probes[0], invalid).returncode == 2
    assert files(probes[0] / AS_OF) == old  # moved back as the invalid render started
    assert_only_the_briefing(probes[0])

    from briefing.publish import sweep

    sweep(probes[1])
    assert files(probes[1] / AS_OF) == old
    assert_only_the_briefing(probes[1])

    new = render(out, data)
    assert new != old and len(new) == 5
    assert_only_the_briefing(out)


def test_a_failed_second_rename_of_the_fallback_keeps_the_old_briefing(dataset, tmp_path, good):
    """Issue 14, items 2 and 4: the two-step publish, its second rename refused (EIO).

    The render fails with exit 5 in one line; the old briefing, already moved aside, is
    put back byte for byte (the code before issue 14 did: its swap moved it back).
    """
    out = with_old(tmp_path / "reports", good)
    code, calls, stderr = killed_render(out, changed(dataset), 2, "fail", fallback=True)
    assert code == 5 and len(calls) >= 2, stderr  # the refused one, then any putting back
    assert len(stderr.splitlines()) == 1 and "Input/output error" in stderr, stderr
    assert files(out / AS_OF) == files(good)
    assert_only_the_briefing(out)


def marked(folder: Path, pid: int | None = None, host: str | None = None) -> Path:
    """A staging folder with a file in it and, given a pid, this tool's marker."""
    folder.mkdir()
    (folder / "briefing").mkdir()
    (folder / "briefing" / "note.txt").write_text(f"{folder.name}\n", encoding="utf-8")
    if pid is not None:
        marker = f'{{"tool": "briefing render", "pid": {pid}, "host": "{host}"}}'
        (folder / ".briefing-render").write_text(marker, encoding="utf-8")
    return folder


def dead_pid() -> int:
    """The id of a process that has exited (and been waited for)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_sweep_removes_only_its_own_dead_staging_folders(dataset, tmp_path):
    """Issue 14, item 3: sweep removes only what is its own.

    Of (a) ``.retired-x``, (b) ``.staging-123``, (c) a staging folder without marker,
    (d) one whose render still runs, (e) one of a dead render on another host and (f) one of
    a dead render on this host, a render into the folder removes (f) only, and leaves the
    others as they were, content included.
    """
    out, here, dead = tmp_path / "reports", socket.gethostname(), dead_pid()
    out.mkdir()
    marked(out / ".retired-x")  # (a), (b): not named as this tool's staging folders
    marked(out / ".staging-123")
    marked(out / f"{STAGING}999999-abc")  # (c)
    marked(out / f"{STAGING}{os.getpid()}-live", os.getpid(), here)  # (d)
    marked(out / f"{STAGING}{dead}-elsewhere", dead, "elsewhere.invalid")  # (e)
    gone = marked(out / f"{STAGING}{dead}-gone", dead, here)  # (f)
    assert here != "elsewhere.invalid"
    before = {p.name: tree(p) for p in out.iterdir() if p != gone}
    assert len(render(out, dataset)) == 5
    after = {p.name: tree(p) for p in out.iterdir() if p.name != AS_OF}
    assert after == before


def test_output_dir_that_is_a_file_is_exit_5_in_one_line(dataset, tmp_path):
    """Issue 14, item 4 (a): ``--output-dir`` names a regular file: exit 5, one line,
    nothing written."""
    out = tmp_path / "reports"
    out.write_bytes(b"not a folder\n")
    before = sorted(os.listdir(tmp_path))
    result = cli(out, dataset)
    assert result.returncode == 5, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("briefing: ") and "reports" in result.stderr
    assert out.read_bytes() == b"not a folder\n"
    assert sorted(os.listdir(tmp_path)) == before


def test_read_only_output_folder_is_exit_5_and_keeps_the_old_briefing(dataset, tmp_path, good):
    """Issue 14, item 4 (b): the output folder on a read-only file system.

    A read-only chmod is no test as root (root writes through it, checked here), so the
    folder is a tmpfs remounted read-only over a good briefing.
    """
    with tmpfs(tmp_path / "readonly-reports", "10m") as out:
        probe = tmp_path / "chmod-probe"
        probe.mkdir(mode=0o555)
        (probe / "written").touch()  # root is not stopped by permissions
        shutil.copytree(good, out / AS_OF)
        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        result = cli(out, changed(dataset))
        assert result.returncode == 5, result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert "readonly-reports" in result.stderr and "Read-only file system" in result.stderr
        assert files(out / AS_OF) == files(good)
        assert_only_the_briefing(out)


@pytest.mark.parametrize("left", [8, 256], ids=["8 KB left", "256 KB left"])
def test_disk_full_is_exit_5_and_keeps_the_old_briefing(dataset, tmp_path, good, left):
    """Issue 14, item 4 (c): the disk fills up during a render.

    A 1 MiB tmpfs would hold a second briefing of the small dataset, so a file fills it up
    to ``left`` KB: too little for the inputs' snapshot (8 KB) or for the briefing's files
    (256 KB). Exit 5, one line; no staging folder left; the old briefing intact.
    """
    with tmpfs(tmp_path / "small", "1m") as disk:
        out = disk / "reports"
        shutil.copytree(good, out / AS_OF)
        room = os.statvfs(disk)
        filler = disk / "filler"
        filler.write_bytes(b"\0" * (room.f_bavail * room.f_frsize - left * 1024))
        result = cli(out, changed(dataset))
        assert result.returncode == 5, result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert "No space left on device" in result.stderr
        assert files(out / AS_OF) == files(good)
        assert_only_the_briefing(out)
        assert sorted(os.listdir(disk)) == ["filler", "reports"]


def test_invalid_data_into_a_new_nested_output_dir_leaves_nothing(dataset, tmp_path):
    """Issue 14, item 5: ``--output-dir a/b/c``, new, and the data invalid (a claim
    dated 2024-13-45): exit 2, and no ``a/`` at all."""
    change_claims(dataset, claim_date="2024-13-45")
    result = cli("a/b/c", dataset)
    assert result.returncode == 2, result.stderr
    assert "claim_date" in result.stderr
    assert not os.path.lexists(tmp_path / "a")


def test_a_failing_notebook_into_a_new_nested_output_dir_keeps_only_the_notebook(dataset, tmp_path):
    """Issue 14, item 5: ``--output-dir a/b/c``, new, and the notebook raises: exit 3,
    and below ``a/`` only what the README promises, the executed notebook in
    ``a/b/c/_failed/<as_of>/``."""
    result = cli("a/b/c", dataset, notebook=ROOT / "tests" / "notebooks" / "raises.ipynb")
    assert result.returncode == 3, result.stderr
    kept = f"b/c/_failed/{AS_OF}/briefing-{AS_OF}.ipynb"
    assert kept in result.stderr
    assert sorted(tree(tmp_path / "a")) == ["b", "b/c", "b/c/_failed", f"b/c/_failed/{AS_OF}", kept]
