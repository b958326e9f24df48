"""Which saves the preview acts on.

Files are watched with ``watchfiles`` (the Rust ``notify`` library): the changes of one
save, or of a burst of saves, arrive as one batch once the files have been quiet for
:data:`QUIET_MS`. A batch that touches the package's own code (``.py``, templates, styles
under ``src/briefing/``) restarts the server, which imported that code; any other batch asks
for a render. Editor litter (swap and backup files, ``__pycache__``, notebook checkpoints)
is ignored.
"""

from __future__ import annotations

import threading
from pathlib import Path

#: How long the files must be quiet before a batch of changes is handed on.
QUIET_MS = 50
#: The longest a burst of changes is gathered into one batch.
BATCH_MS = 1600
IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".git", ".pytest_cache"}
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".pyc", ".partial")
CODE_SUFFIXES = {".py", ".j2", ".css", ".json", ".mplstyle", ".yml", ".yaml"}


def counts(path: Path, ignore: list[Path]) -> bool:
    """Whether a change to ``path`` should cause anything."""
    if any(part in IGNORED_PARTS for part in path.parts):
        return False
    name = path.name
    if name.startswith((".#", "#")) or name.endswith(IGNORED_SUFFIXES):
        return False
    return not any(path == root or root in path.parents for root in ignore)


def is_code(path: Path, package: Path) -> bool:
    """Whether ``path`` is part of the package's own code (a change restarts the server)."""
    return package in path.parents and path.suffix in CODE_SUFFIXES


class Watcher:
    """Watch ``folders`` in a thread; call ``on_change()`` or ``on_code_change()`` per batch.

    ``folders[-1]`` is the package's own folder (``src/briefing``).
    """

    def __init__(self, folders, on_change, on_code_change, ignore=()):
        self.folders = [Path(f).resolve() for f in folders]
        self.package = self.folders[-1]
        self.on_change, self.on_code_change = on_change, on_code_change
        self.ignore = [Path(p).resolve() for p in ignore]
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="preview-watch", daemon=True)

    def start(self) -> None:
        """Start watching; returns once the watch is set up."""
        self._thread.start()
        self._ready.wait(5)

    def stop(self) -> None:
        """Stop watching (within :data:`QUIET_MS` or so)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def handle(self, paths) -> None:
        """Act on one batch of changed paths."""
        changed = [Path(p) for p in paths if counts(Path(p), self.ignore)]
        if any(is_code(p, self.package) for p in changed):
            self.on_code_change()
        elif changed:
            self.on_change()

    def _watch(self) -> None:
        from watchfiles import watch

        existing = [str(f) for f in self.folders if f.exists()]
        self._ready.set()
        for batch in watch(
            *existing,
            stop_event=self._stop,
            step=QUIET_MS,
            debounce=BATCH_MS,
            rust_timeout=200,
            yield_on_timeout=False,
            raise_interrupt=False,
        ):
            self.handle(path for _, path in batch)
