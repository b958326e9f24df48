"""One ``briefing render``, timed stage by stage along its critical path; prints JSON.

    .venv/bin/python bench/critical_path.py --as-of 2024-10-24 --output-dir TMP

Runs the render exactly as ``briefing render`` does (same arguments, same process
layout) and records, in seconds since this process started, when the kernel was launched,
when its first and last cells ran (papermill's own cell timestamps), when the PDF layout
started and ended, and when the render returned. ``bench/run.py`` turns the medians of a
few runs into the "Critical path" table of ``bench/results.md``. Only wrappers are added
around the render's functions; nothing in the package changes.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import os
import sys
import threading
import time


def process_started() -> float:
    """When this process started, on the ``time.time()`` clock (Linux; else: now)."""
    try:
        with open("/proc/self/stat") as handle:
            ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as handle:
            uptime = float(handle.read().split()[0])
    except (OSError, IndexError, ValueError):
        return time.time()
    return time.time() - (uptime - ticks / os.sysconf("SC_CLK_TCK"))


STARTED = process_started()
EVENTS: dict[str, float] = {}


def mark(name: str, when: float | None = None) -> None:
    """Record an event (first occurrence wins), in seconds since the process started."""
    EVENTS.setdefault(name, round((time.time() if when is None else when) - STARTED, 3))


def after(module, name: str, event: str, main_thread_only: bool = False, then=None) -> None:
    """Wrap ``module.name`` to mark ``event`` + ``:start`` and ``:end`` around each call
    (only the main thread's calls if ``main_thread_only``); call ``then()`` after each."""
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        record = not main_thread_only or threading.current_thread() is threading.main_thread()
        if record:
            mark(f"{event}:start")
        try:
            return original(*args, **kwargs)
        finally:
            if record:
                mark(f"{event}:end")
            if then is not None:
                then()

    setattr(module, name, wrapper)


def time_pdf() -> None:
    """Wrap the PDF export once ``briefing.export`` is imported (the render imports it in
    a thread while the notebook runs; importing it here, first, would delay the kernel)."""
    export = sys.modules.get("briefing.export")
    if export is not None and not hasattr(export.html_to_pdf, "__wrapped__"):
        after(export, "html_to_pdf", "pdf", main_thread_only=True)  # not the warm-up's


def cell_times(module) -> None:
    """Mark the first cell's start and the last cell's end from papermill's metadata."""
    original = module.normalise_notebook

    @functools.wraps(original)
    def wrapper(nb, *args, **kwargs):
        runs = [c.metadata.get("papermill", {}) for c in nb.cells]
        starts = [parse(r["start_time"]) for r in runs if r.get("start_time")]
        ends = [parse(r["end_time"]) for r in runs if r.get("end_time")]
        if starts and ends:
            mark("cells:start", min(starts))
            mark("cells:end", max(ends))
        return original(nb, *args, **kwargs)

    module.normalise_notebook = wrapper


def parse(stamp: str) -> float:
    """papermill's UTC ISO timestamp as ``time.time()`` seconds."""
    value = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()


def main(argv: list[str]) -> int:
    mark("python")
    from briefing import cli, kernel, render
    from briefing import publish as publishing

    after(kernel, "start_kernel", "kernel")
    after(render, "plan_render", "plan")
    after(render, "execute_notebook", "execute", then=time_pdf)
    after(render, "export_briefing", "export")
    after(publishing, "publish", "publish")  # render imports it when it publishes
    cell_times(render)
    code = cli.main(["-q", "render", *argv])
    mark("returned")
    print(json.dumps(EVENTS))
    gc.freeze()  # as the briefing command does before it exits
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
