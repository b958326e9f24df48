"""Publishing: a briefing reaches ``<output>/<date>/`` complete, in one atomic step.

A render works in a staging folder of its own inside the output folder::

    <output>/.briefing-staging-<pid>-<random>/
        .briefing-render    the marker: this tool's, with the render's pid and host
        inputs.snapshot     the inputs as read once (see :mod:`briefing.inputs`)
        briefing/           the new briefing, complete before it is published

Publishing exchanges ``briefing/`` with ``<output>/<date>/`` by ``renameat2`` with
``RENAME_EXCHANGE`` (Linux 3.15+; ext4, xfs, btrfs, tmpfs): the kernel swaps the two names
in one step, so at every instant ``<date>/`` is the complete old set or the complete new
one, whatever kills the process or cuts the power (the files are flushed to disk first).
The old set, now in the staging folder, is deleted with it. A first briefing of a date
is a plain ``rename`` (atomic too: before it there was none).

Where the file system cannot exchange (NFS, some FUSE mounts), the old set is moved into
the staging folder and the new one into place: two steps, and the marker names the
date, so that a kill between them is undone by the next render into that folder, which
moves the old set back as it starts. Sweeps (as a render starts, and as it publishes)
remove only staging folders that carry this marker, whose render is gone (same host, no
such process); nothing else in the output folder is touched.

Why an exchange rather than a versioned folder behind a symbolic link swapped atomically:
``reports/<date>/`` stays a real folder, which a reader's file manager, a zip of
``reports/`` and a web server all treat alike, and nothing needs cleaning but the
retired set.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import socket
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path

from .errors import EnvironmentFailure, display_path

PREFIX = ".briefing-staging-"
MARKER = ".briefing-render"
TOOL = "briefing render"
RENAME_EXCHANGE = 2
AT_FDCWD = -100


class Staging:
    """A render's own folder inside the output folder (see the module's docstring).

    Creating it creates the output folder and its missing parents; :meth:`discard` removes
    the staging folder and, after a failed first render, every folder it created.
    """

    def __init__(self, output_dir: Path):
        self.output_dir = Path(output_dir)
        self.created = _missing_parents(self.output_dir)
        try:
            if os.path.lexists(self.output_dir) and not self.output_dir.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "it is not a folder", str(output_dir))
            self.output_dir.mkdir(parents=True, exist_ok=True)
            with locked(self.output_dir):  # a briefing a killed publish moved aside is back
                sweep(self.output_dir)
            self.root = Path(
                tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=self.output_dir)
            )
            self.write_marker()
        except OSError as exc:
            self.root = None
            self.discard()
            action = f"write the output folder {display_path(output_dir)}"
            # name the folder the user gave, not the staging folder mkdtemp never made
            error = type(exc)(exc.errno, exc.strerror, str(output_dir)) if exc.errno else exc
            raise EnvironmentFailure(action, error) from exc
        self.briefing = self.root / "briefing"
        self.snapshot = self.root / "inputs.snapshot"

    def write_marker(self, target: str = "") -> None:
        """Mark the folder as this render's (and, when publishing, the date it replaces)."""
        marker = {"tool": TOOL, "pid": os.getpid(), "host": socket.gethostname()}
        if target:
            marker["target"] = target
        partial = self.root / (MARKER + ".partial")
        partial.write_text(json.dumps(marker), encoding="utf-8")
        partial.replace(self.root / MARKER)

    def discard(self) -> None:
        """Remove the staging folder, and the folders a failed first render created."""
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
        for folder in reversed(self.created):  # the deepest first; a folder in use is kept
            with suppress(OSError):
                folder.rmdir()


def _missing_parents(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, the outermost first."""
    missing = []
    for candidate in [folder, *folder.parents]:
        if os.path.lexists(candidate):
            break
        missing.append(candidate)
    return missing[::-1]


@contextmanager
def locked(folder: Path):
    """Hold the exclusive lock on an output folder (``flock`` on the folder itself)."""
    import fcntl

    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield handle
    finally:
        os.close(handle)


def publish(staging: Staging, target: Path) -> Path:
    """Make ``staging.briefing`` the briefing at ``target``, atomically.

    An exclusive lock on the output folder serialises concurrent renders: each publishes
    a complete set, the last one wins, and files are never interleaved. Under the lock,
    what killed renders left is swept first (:func:`sweep`).
    """
    flush_tree(staging.briefing)
    with locked(target.parent) as handle:
        sweep(target.parent)
        staging.write_marker(target.name)
        swap(staging.briefing, target, staging.root / "retired")
        os.fsync(handle)  # the new name is on disk
    return target


def swap(new: Path, target: Path, retired: Path) -> None:
    """Put ``new`` at ``target``; what was there ends up at ``new`` (or ``retired``)."""
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    try:
        exchange(new, target)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
            raise
        os.rename(target, retired)  # two steps; a kill between is undone by sweep()
        try:
            os.rename(new, target)
        except OSError:
            os.rename(retired, target)  # a publish that fails changes nothing
            raise


def exchange(first: Path, second: Path) -> None:
    """Swap two paths in one step (``renameat2(..., RENAME_EXCHANGE)``).

    Raises ``OSError`` (``EINVAL``, ``ENOSYS``) where the system cannot.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    result = function(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(second))


def flush_tree(folder: Path) -> None:
    """Write a folder's files and the folder itself through to disk."""
    for path in folder.iterdir():
        if path.is_file():
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sweep(folder: Path) -> None:
    """Clear what killed renders left in an output folder (call under its lock).

    Only staging folders carrying this tool's marker are touched, and only when the
    render that made them is gone (its host is this one and its process no longer
    exists). One killed between the two steps of a non-atomic publish gets its old set
    moved back first.
    """
    for path in folder.glob(PREFIX + "*"):
        marker = read_marker(path)
        if marker is None or marker["host"] != socket.gethostname() or pid_alive(marker["pid"]):
            continue
        retired, target = path / "retired", folder / marker.get("target", "")
        if marker.get("target") and retired.is_dir() and not os.path.lexists(target):
            os.rename(retired, target)
        shutil.rmtree(path, ignore_errors=True)


def read_marker(folder: Path) -> dict | None:
    """A staging folder's marker, or ``None`` when it is not a folder this tool made."""
    if folder.is_symlink() or not folder.is_dir():
        return None
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    valid = isinstance(marker, dict) and marker.get("tool") == TOOL
    pid = marker.get("pid") if valid else None
    if not isinstance(pid, int) or pid <= 0 or "host" not in marker:
        return None
    return marker


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (any user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # not a valid pid at all
        return False
    return True


def replace_file(target: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``target`` whole: into a file beside it, flushed to disk, then
    renamed over it, so that a reader (or a crash) never sees half of it. ``mode`` is the
    new file's permissions. A failed write leaves ``target`` as it was and no file behind."""
    target = Path(target)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
