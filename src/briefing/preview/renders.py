"""What the preview renders, and when.

Every save asks for a render (:meth:`Previewer.request`); requests that arrive while a
render runs become one render after it, of the newest files. A render made stale by a newer
save is cancelled (its kernel is killed) and its result dropped: only the newest request's
render is ever shown. Each render runs on a standby kernel, booted once the previous render's
notebook had run (:class:`briefing.render.Standby`), so it starts with pandas, matplotlib and
the package imported; it is still a fresh kernel, so nothing leaks from one render into the
next. The HTML is shown as soon as it is written; the PDF is laid out after it, in this
process, whose exporters stay warm.
"""

from __future__ import annotations

import ctypes
import gc
import os
import re
import shutil
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import chart_cache
from ..errors import BriefingError, InvalidInputError, NotebookExecutionError

#: ANSI colour codes in an IPython traceback.
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Failure:
    """Why the newest render failed: a title and the lines to show (problems as
    ``path:line:column: message``, or a notebook's traceback)."""

    title: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class State:
    """What the preview shows now.

    ``generation`` counts the renders shown (good or failed); ``html`` is the newest good
    briefing, kept when a later render fails (the last good render, one click away);
    ``pdf`` is its PDF once laid out (``pdf_state``: ``off``, ``waiting``, ``ready`` or
    ``failed``); ``failure`` is set while the newest render failed.
    """

    generation: int = 0
    rendering: bool = False
    as_of: str = ""
    html: Path | None = None
    html_generation: int = 0
    pdf: Path | None = None
    pdf_state: str = "off"
    failure: Failure | None = None
    seconds: float = 0.0
    steps: tuple = ()
    files: Path | None = None


@dataclass
class _Run:
    """The render in progress: its request number, and its kernel (to cancel it)."""

    request: int
    standby: object = None
    cancelled: bool = False
    started: float = field(default_factory=time.monotonic)


class Previewer:
    """Renders the briefing into a temporary folder of its own, one render at a time.

    Parameters
    ----------
    as_of : str or None
        The date to render; ``None``: the newest source date, as ``briefing render``.
    notebook, data_dir : Path
        As for :func:`briefing.render.render_briefing`.
    pdf : bool
        Lay out the PDF after each HTML (``--no-pdf``: not).
    """

    def __init__(self, as_of, notebook: Path, data_dir: Path, pdf: bool = True):
        self.as_of, self.notebook, self.data_dir, self.pdf = as_of, notebook, data_dir, pdf
        self.root = Path(tempfile.mkdtemp(prefix="briefing-preview-"))
        self.renders = self.root / "renders"
        # the kernels it starts draw an unchanged chart from the cache (briefing.chart_cache)
        os.environ[chart_cache.VARIABLE] = str(self.root / "charts")
        self.state = State()
        self.listeners: list = []  # called as listener(event, state) on every change
        self._lock = threading.Condition()
        self._requested = 0  # requests so far
        self._handled = 0  # requests the last started render covers
        self._run: _Run | None = None
        self._standby = None
        self._booting: threading.Thread | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="preview-render", daemon=True)
        self._pdf_thread: threading.Thread | None = None

    # --- control -------------------------------------------------------------------------

    def start(self) -> None:
        """Boot the first kernel and render once."""
        self._boot_next()
        self._thread.start()
        self.request()

    def request(self) -> None:
        """Ask for a render of the files as they are now; a render in progress is stale."""
        with self._lock:
            self._requested += 1
            run = self._run
            if run is not None and not run.cancelled:
                run.cancelled = True
                _kill(run.standby)  # its result would be dropped: stop spending on it
            self._lock.notify_all()

    def stop(self) -> None:
        """Stop rendering, kill every kernel and remove the preview folder."""
        self._stopping.set()
        with self._lock:
            if self._run is not None:
                self._run.cancelled = True
                _kill(self._run.standby)
            self._lock.notify_all()
        if self._thread.is_alive():
            self._thread.join()
        for thread in (self._booting, self._pdf_thread):
            if thread is not None:
                thread.join()
        if self._standby is not None:
            self._standby.discard()
            self._standby = None
        shutil.rmtree(self.root, ignore_errors=True)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every request so far has been rendered (for tests and the bench)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._run is not None or self._handled < self._requested:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._lock.wait(left)
        return True

    # --- the render loop -----------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._lock:
                while self._handled == self._requested and not self._stopping.is_set():
                    self._lock.wait()
                if self._stopping.is_set():
                    return
                self._handled = self._requested
                self._run = _Run(self._handled)
            self._set(rendering=True)
            self._emit("rendering")
            try:
                self._render(self._run)
            finally:
                with self._lock:
                    self._run = None
                    self._lock.notify_all()

    def _render(self, run: _Run) -> None:
        """Render once; show the result unless a newer request made it stale."""
        from ..render import render_briefing

        run.standby = self._take_standby()
        with self._lock:
            if run.cancelled:  # a newer save came while the standby was booting
                _kill(run.standby)
        briefing, failure, steps = None, None, []
        try:
            briefing = render_briefing(
                as_of=self.as_of,
                notebook=self.notebook,
                output_dir=self.renders,
                data_dir=self.data_dir,
                standby=run.standby,
                pdf=False,
                progress=lambda step, seconds: steps.append((step, round(seconds, 3))),
            )
        except InvalidInputError as exc:
            failure = Failure(
                "The data has problems; nothing was rendered",
                tuple(str(p) for p in exc.problems) or (str(exc),),
            )
        except NotebookExecutionError as exc:
            failure = Failure(f"The notebook raised: {exc}", _traceback_of(self.renders))
        except BriefingError as exc:
            failure = Failure(f"The render failed: {exc}")
        except Exception as exc:  # the server survives anything a render does
            lines = tuple(traceback.format_exc().splitlines())
            failure = Failure(f"The render failed: {exc!r}", lines)
        if not self._stopping.is_set():
            # booted now, not while the notebook runs: on two cores the kernel, the
            # validation and a booting kernel would slow each other down
            self._boot_next()
        if run.cancelled or self._stopping.is_set():
            return  # stale: a newer save's render follows
        seconds = round(time.monotonic() - run.started, 3)
        if failure is not None:
            self._set(rendering=False, failure=failure, seconds=seconds, bump=True)
            self._emit("problems")
            release_memory()
            return
        self._set(
            rendering=False,
            failure=None,
            as_of=briefing.as_of,
            html=briefing.html,
            files=briefing.folder,
            pdf=None,
            pdf_state="waiting" if self.pdf else "off",
            seconds=seconds,
            steps=tuple(steps),
            bump=True,
            html_bump=True,
        )
        self._emit("html")
        if self.pdf:
            self._lay_out_pdf(self.state.html_generation, briefing)
        else:
            release_memory()

    def _lay_out_pdf(self, generation: int, briefing) -> None:
        """Lay out the PDF of the briefing just shown, in the background."""

        def work():
            from ..export import html_to_pdf

            try:
                html = briefing.html.read_text(encoding="utf-8")
                data = html_to_pdf(html, (), briefing.as_of)
            except (BriefingError, OSError):
                if self.state.html_generation == generation:
                    self._set(pdf_state="failed")
                    self._emit("pdf")
                return
            target = self.root / f"briefing-{generation}.pdf"
            partial = target.with_suffix(".partial")
            partial.write_bytes(data)
            partial.replace(target)
            if self.state.html_generation != generation:  # a newer HTML is shown already
                target.unlink(missing_ok=True)
                return
            old = self.state.pdf
            self._set(pdf=target, pdf_state="ready")
            if old is not None and old != target:
                old.unlink(missing_ok=True)
            self._emit("pdf")
            release_memory()

        if self._pdf_thread is not None:
            self._pdf_thread.join()  # one layout at a time: they share the fonts
        self._pdf_thread = threading.Thread(target=work, name="preview-pdf", daemon=True)
        self._pdf_thread.start()

    # --- standby kernels -----------------------------------------------------------------

    def _boot_next(self) -> None:
        """Boot the kernel for the next render, in the background."""
        from ..render import Standby

        def boot():
            try:
                standby = Standby(self.notebook, self.renders)
            except (BriefingError, OSError):
                return  # the render that wants it makes its own, and reports the error
            if self._stopping.is_set():
                standby.discard()
            else:
                self._standby = standby

        self._booting = threading.Thread(target=boot, name="preview-boot", daemon=True)
        self._booting.start()

    def _take_standby(self):
        """The booted standby kernel (waiting for its boot), or ``None``."""
        if self._booting is not None:
            self._booting.join()
        standby, self._standby = self._standby, None
        return standby

    # --- state ---------------------------------------------------------------------------

    def _set(self, bump: bool = False, html_bump: bool = False, **changes) -> None:
        with self._lock:
            state = self.state
            if bump:
                changes["generation"] = state.generation + 1
            if html_bump:
                changes["html_generation"] = changes.get("generation", state.generation)
            self.state = replace(state, **changes)

    def _emit(self, event: str) -> None:
        for listener in list(self.listeners):
            listener(event, self.state)


def share_heap() -> None:
    """Have the server's threads share one C heap instead of one each.

    glibc gives each new thread a heap of its own (up to eight per core); every PDF is laid
    out in a new thread, and memory a finished thread's heap still holds is seldom reused.
    One shared heap halves what the server keeps after a render (measured over 50 saves).
    Called before the server starts its threads; elsewhere than glibc, nothing happens.
    """
    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1)
    except (AttributeError, OSError):
        pass


#: glibc's ``mallopt`` parameter for the most heaps ("arenas") threads may use.
M_ARENA_MAX = -8


def release_memory() -> None:
    """Collect the garbage of a render and hand freed memory back to the system.

    A long-lived server renders again and again: the documents WeasyPrint laid out hold
    reference cycles, and the C allocator keeps what each render's threads freed, so the
    server would grow by a few megabytes a render. Called once a render's PDF is out (or
    its HTML, without a PDF), off the path to the page's reload.
    """
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)  # glibc: return free heap pages to the system
    except (AttributeError, OSError):
        pass  # another C library: what it keeps, it keeps


def _kill(standby) -> None:
    """Kill a render's kernel (the render then fails fast, and is dropped)."""
    if standby is not None:
        standby.kernel.kill()


def _traceback_of(renders: Path) -> tuple[str, ...]:
    """The traceback of the failing cell, from the notebook a failed render kept, or of a
    file its kernel failed to write (a ``.failed`` report), whichever it kept last."""
    import nbformat

    from ..inputs import FAILED_SUFFIX

    found = [*(renders / "_failed").glob("*/*.ipynb"), *(renders / "_failed").glob(
        f"*/*{FAILED_SUFFIX}")]  # fmt: skip
    kept = sorted(found, key=lambda p: p.stat().st_mtime)
    if not kept:
        return ()
    if kept[-1].suffix == FAILED_SUFFIX:
        return tuple(kept[-1].read_text(encoding="utf-8", errors="replace").splitlines())
    try:
        notebook = nbformat.read(kept[-1], as_version=4)
    except Exception:  # a notebook half-written by a killed kernel: nothing to show
        return ()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                lines = [f"In [{cell.get('execution_count')}]:", *cell.source.splitlines(), ""]
                lines += ANSI.sub("", "\n".join(output.get("traceback", []))).splitlines()
                return tuple(lines)
    return ()
