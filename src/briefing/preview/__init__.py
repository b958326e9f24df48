"""``briefing preview``: the briefing re-rendered in the browser after every save.

A local server renders the briefing once, serves it on ``http://127.0.0.1:N/`` and renders
it again whenever a file under the data folder, ``notebooks/`` or ``src/briefing/`` changes.
Three modules, one question each:

- :mod:`.renders` — what is rendered when: saves in quick succession become one render, a
  render made stale by a newer save is dropped, a standby kernel is kept booted for the
  next render, the HTML is shown first and the PDF follows;
- :mod:`.server` — what the browser gets: the briefing with a small reload script (only in
  the preview page, never in a published briefing), server-sent events, the PDF, the
  problems of a failed render; GET only, nothing outside the preview folder;
- :mod:`.watch` — which saves count, and when the server itself must restart (a change
  under ``src/briefing/``: the new code is imported by a fresh process).

Preview output goes to a temporary folder of its own, never to ``reports/``: published
briefings still come from ``briefing render``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from .renders import Previewer, share_heap
from .server import PreviewServer
from .watch import Watcher

__all__ = ["Previewer", "PreviewServer", "Watcher", "run_preview"]

#: Set by a preview that restarts itself after a change to its own code, so that the new
#: process binds the same port and says it restarted.
RESTART_VARIABLE = "BRIEFING_PREVIEW_RESTARTED"


def run_preview(
    as_of: str | None,
    host: str,
    port: int,
    pdf: bool,
    notebook: Path,
    data_dir: Path,
    say=print,
) -> int:
    """Serve the preview until Ctrl-C (or SIGTERM); return the exit code (0).

    A change under ``src/briefing/`` replaces this process with a fresh one (same
    arguments, same port): the code the server and the kernels imported is the new code.
    """
    share_heap()  # before any thread of the server starts
    previewer = Previewer(as_of=as_of, notebook=notebook, data_dir=data_dir, pdf=pdf)
    server = PreviewServer(previewer, host, port)
    stop = threading.Event()
    restart = threading.Event()
    watcher = Watcher(
        [data_dir, notebook.parent, Path(__file__).resolve().parents[1]],
        previewer.request,
        lambda: (restart.set(), stop.set()),
        ignore=[previewer.root],
    )
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in STOP_SIGNALS}
    try:
        server.start()
        previewer.start()
        watcher.start()
        again = os.environ.get(RESTART_VARIABLE) and " (restarted: src/briefing changed)"
        say(f"briefing preview{again or ''}: {server.url}  (Ctrl-C stops it)")
        if not server.loopback:
            say(f"briefing preview: warning: listening on {host}, not only this machine")
        stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        watcher.stop()
        server.stop()
        previewer.stop()
    if restart.is_set():
        say("briefing preview: src/briefing changed; restarting with the new code")
        os.environ[RESTART_VARIABLE] = "1"
        argv = [*sys.argv[1:], "--port", str(server.port)]  # the page reconnects to it
        os.execv(sys.executable, [sys.executable, "-m", "briefing.cli", *argv])
    return 0


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
