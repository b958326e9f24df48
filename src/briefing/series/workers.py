"""Where a series' renders run: a local process pool, or a Dask distributed cluster.

Every render is one task, :func:`render_date`, which never raises: it returns what became
of its date, so that one failed date is reported with its error while the others publish
(an exception would also have to survive pickling between processes, which the package's
errors, built from several arguments, do not). Both engines are driven through the
:class:`concurrent.futures.Executor` interface (Dask's ``Client.get_executor``), so the
series code is the same for both.

``--scheduler`` names the engine: none, the process pool; ``local`` or ``local:N``, a Dask
``LocalCluster`` of N worker processes on 127.0.0.1 (TLS with a throwaway certificate, no
memory cap), started and stopped here; ``tcp://host:port``, a running Dask scheduler, whose
workers must see the repository and the output folder at the same paths (a shared file
system). A worker that dies fails its date only (exit code 5).
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import BriefingError, EnvironmentFailure, ParameterError

LOCAL = re.compile(r"local(?::(\d+))?")
#: Dask settings of a ``local`` cluster: a date whose worker died is reported, not rendered
#: three times more; and none of the monitoring meant for a dashboard the series never opens,
#: which costs a render's worker CPU while it renders (the statistical profiler samples every
#: thread's stack a hundred times a second; the event loop's tick wakes it fifty times a
#: second; the system monitor reads the machine's counters twice a second). Measured on 12
#: dates of 600 claims: a worker's CPU per render 10–15 % above the process pool's with them,
#: 2–6 % without.
LOCAL_CONFIG = {
    "distributed.scheduler.allowed-failures": 0,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}
#: How the process pool starts its workers: each a fresh interpreter, as Dask's are. A
#: forked worker would inherit every lock another thread of this process held at that
#: moment, with no thread left to release it: a series started while a thread was importing
#: WeasyPrint (a render's own loader, say) left each worker waiting on that import forever.
POOL_START = multiprocessing.get_context("spawn")
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


def check_scheduler(scheduler: str | None, signer=None) -> str | None:
    """``scheduler`` if it names an engine (``local[:N]`` or ``tcp://host:port``), else
    refused; a signing identity is never sent to a remote cluster (Dask's tcp:// carries
    task data unencrypted and unauthenticated: the key and its passphrase would travel)."""
    if scheduler is None:
        return None
    match = LOCAL.fullmatch(scheduler)
    if match and (match[1] is None or int(match[1]) > 0):
        return scheduler
    if re.fullmatch(r"tcp://[^\s/:]+:\d+", scheduler):
        if signer is not None:
            raise ParameterError(
                "signer",
                f"found a signing identity and the remote scheduler {scheduler}; expected "
                "--scheduler local[:N] or no scheduler: the identity is not sent over the "
                "network (sign on this machine, or render unsigned on the cluster)",
            )
        return scheduler
    raise ParameterError(
        "scheduler",
        f"found {scheduler!r}; expected local, local:N (N worker processes) or a Dask "
        "scheduler's address such as tcp://host:8786",
    )


def lost_outcome(subject: str, day: str, error: BaseException) -> Outcome:
    """What became of a date whose worker died (killed for memory, crashed) or could not
    run its task: a failure of the machine (exit code 5), the others go on."""
    reason = f"{type(error).__name__}: {error}".strip()
    return Outcome(subject, day, EnvironmentFailure.exit_code, f"the worker was lost: {reason}")


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
    workers = jobs or os.cpu_count() or 1
    if scheduler is None:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=POOL_START)
        try:
            yield pool
        except BaseException:  # Ctrl-C or a failure: the queued dates are not rendered
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
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
        import dask
        from distributed.security import Security

        with dask.config.set(LOCAL_CONFIG):
            cluster = LocalCluster(
                n_workers=int(match[1] or workers),
                threads_per_worker=1,  # one render per worker process, as in the pool
                processes=True,
                host="127.0.0.1",  # loopback only
                dashboard_address=None,
                silence_logs=logging.ERROR,
                memory_limit=0,  # as the pool: no per-worker cap that kills a large render
                security=Security.temporary(),  # TLS with a certificate of this run only:
            )  # another user of this machine cannot join the cluster or read its tasks
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
    except (ValueError, TypeError) as exc:  # an address Dask cannot use
        raise ParameterError("scheduler", f"{scheduler}: {exc}") from exc
    with client:
        yield client
