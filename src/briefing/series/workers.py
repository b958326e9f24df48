"""Where a series' renders run: a local process pool, or a Dask distributed cluster.

Every render is one task, :func:`render_date`, which never raises: it returns what became
of its date, so that one failed date is reported with its error while the others publish
(an exception would also have to survive pickling between processes, which the package's
errors, built from several arguments, do not). Both engines are driven through the
:class:`concurrent.futures.Executor` interface (Dask's ``Client.get_executor``), so the
series code is the same for both.

``--scheduler`` names the engine: none, the process pool; ``local`` or ``local:N``, a Dask
``LocalCluster`` of N worker processes on 127.0.0.1, started and stopped here; anything
else, the address of a running Dask scheduler (``tcp://host:8786``), whose workers must
see the repository and the output folder at the same paths (a shared file system).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import BriefingError, EnvironmentFailure, ParameterError

LOCAL = re.compile(r"local(?::(\d+))?")
#: How long to wait for a remote scheduler to answer, in seconds.
CONNECT_TIMEOUT = 30


@dataclass(frozen=True)
class Outcome:
    """What became of one date: rendered (``exit_code`` 0) or failed, with its error."""

    subject: str
    day: str
    exit_code: int = 0
    error: str = ""

    @property
    def failed(self) -> bool:
        """Whether the render failed."""
        return self.exit_code != 0


def render_date(subject: str, day: str, **arguments) -> Outcome:
    """Render one dated briefing (:func:`briefing.render.render_briefing`) in a worker.

    Never raises: a failure comes back as an :class:`Outcome` with the error's exit code
    and message, so that the other dates go on.
    """
    from ..render import render_briefing

    try:
        render_briefing(as_of=day, **arguments)
    except BriefingError as exc:
        return Outcome(subject, day, exc.exit_code, " ".join(str(exc).split("\n")[:3]))
    except Exception as exc:  # a worker reports anything; the series goes on
        return Outcome(subject, day, 1, f"{type(exc).__name__}: {exc}")
    return Outcome(subject, day)


def check_scheduler(scheduler: str | None) -> str | None:
    """``scheduler`` if it names an engine (``local[:N]`` or an address), else refused."""
    if scheduler is None:
        return None
    match = LOCAL.fullmatch(scheduler)
    if match and (match[1] is None or int(match[1]) > 0):
        return scheduler
    if re.fullmatch(r"(tcp|tls|inproc|ucx)://\S+", scheduler):
        return scheduler
    raise ParameterError(
        "scheduler",
        f"found {scheduler!r}; expected local, local:N (N worker processes) or a Dask "
        "scheduler's address such as tcp://host:8786",
    )


@contextmanager
def executor(jobs: int | None, scheduler: str | None) -> Iterator[Executor]:
    """The executor a series submits its renders to; everything it started is stopped.

    Parameters
    ----------
    jobs : int, optional
        Parallel renders of the process pool, or workers of ``local`` (default: the
        number of CPU cores).
    scheduler : str, optional
        ``None`` (the process pool), ``local[:N]`` or a Dask scheduler's address.
    """
    scheduler = check_scheduler(scheduler)
    workers = jobs or os.cpu_count() or 1
    if scheduler is None:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
        return
    with _dask_client(scheduler, workers) as client:
        yield client.get_executor(pure=False)


@contextmanager
def _dask_client(scheduler: str, workers: int):
    """A Dask client: of a LocalCluster started here (``local[:N]``), or of an address."""
    import logging

    from distributed import Client, LocalCluster

    match = LOCAL.fullmatch(scheduler)
    if match:
        cluster = LocalCluster(
            n_workers=int(match[1] or workers),
            threads_per_worker=1,  # one render per worker process, as in the pool
            processes=True,
            host="127.0.0.1",  # loopback only
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except OSError as exc:  # refused, unreachable, timed out
        raise EnvironmentFailure(f"reach the Dask scheduler at {scheduler}", exc) from exc
    with client:
        yield client
