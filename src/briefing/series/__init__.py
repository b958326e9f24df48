"""A dated series: one briefing per source date, rendered in parallel, and index pages.

Each date is one task, run by a local process pool or a Dask cluster
(:mod:`briefing.series.workers`); a date whose manifest shows the same inputs, parameters
and signer, with its outputs intact, is skipped. A date that fails is reported with its
error while the others publish (each atomically, by the process that rendered it); the
index pages are written once every date is done (:mod:`briefing.series.index`).

Several data folders (subjects) render in one run, each into its own folder under the
output folder (named after the data folder) with its own index, and a top index linking
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import BriefingError, ParameterError
from ..evidence import data_paths, load_evidence, previous_date, publication_dates
from ..manifest import build_manifest, is_up_to_date
from ..render import DEFAULT_NOTEBOOK, render_parameters
from .index import index_html, index_rows, write_index, write_subjects_index
from .workers import Outcome, check_scheduler, executor, lost_outcome, render_date

__all__ = ["SeriesError", "SeriesResult", "Subject", "index_html", "index_rows", "render_series"]


@dataclass
class Subject:
    """One data folder of a series: where its briefings go, its dates, those to render."""

    name: str
    data_dir: Path
    output_dir: Path
    title: str
    dates: list[str]
    pending: list[str]


@dataclass
class SeriesResult:
    """What a series did: per subject, the dates rendered, skipped and failed; the index.

    ``rendered``, ``skipped`` and ``failed`` name dates (``subject/date`` when the series
    had several subjects); ``failed`` maps each to its exit code and error.
    """

    subjects: list[Subject]
    outcomes: list[Outcome]
    index: Path

    def _label(self, subject: str, day: str) -> str:
        return f"{subject}/{day}" if len(self.subjects) > 1 else day

    @property
    def rendered(self) -> list[str]:
        """The dates rendered now, in order."""
        return [self._label(o.subject, o.day) for o in self.outcomes if not o.failed]

    @property
    def failed(self) -> dict[str, tuple[int, str]]:
        """The dates that failed, in order, with their exit code and error."""
        return {
            self._label(o.subject, o.day): (o.exit_code, o.error) for o in self.outcomes if o.failed
        }

    @property
    def skipped(self) -> list[str]:
        """The dates already up to date."""
        return [
            self._label(s.name, d) for s in self.subjects for d in s.dates if d not in s.pending
        ]


class SeriesError(BriefingError):
    """Some dates of a series failed; the others were published (exit code: that of the
    first failed date's error)."""

    def __init__(self, result: SeriesResult):
        self.result = result
        lines = [f"{label}: {message}" for label, (_, message) in result.failed.items()]
        super().__init__(
            f"{len(result.failed)} of {len(result.outcomes)} date(s) failed; the others were "
            f"published and {result.index} lists them:\n  " + "\n  ".join(lines)
        )
        self.exit_code = next(iter(result.failed.values()))[0]


def pending_dates(
    dates, notebook: Path, output_dir: Path, data_dir: Path, evidence, signer=None
) -> list:
    """The dates whose briefing is missing, was built from other inputs, or was signed by
    another identity than ``signer`` (or signed when it is ``None``, or the reverse)."""
    from ..inputs import read_input, reading, take_snapshot
    from ..parameters import declared_parameters
    from ..render import read_notebook

    pending, paths = [], data_paths(data_dir)
    snapshot = take_snapshot({**paths, "notebook": notebook})  # the inputs, read once
    with reading(snapshot):
        names = declared_parameters(read_notebook(read_input(notebook), notebook))
    for day in dates:
        since = previous_date(evidence, day)
        parameters = render_parameters(
            day, since, None, None, notebook, data_dir, evidence.settings, names, {}
        )
        manifest = build_manifest(
            parameters,
            notebook,
            data_dir,
            paths,
            snapshot=snapshot,
            signer=signer.record() if signer is not None else None,
        )
        if not is_up_to_date(output_dir / day, manifest):
            pending.append(day)
    return pending


def plan_subjects(data_dirs: list[Path], output_dir: Path, notebook: Path, signer) -> list:
    """Each data folder's :class:`Subject`: one folder each under ``output_dir`` when there
    are several (named after the data folder, which must then differ), else ``output_dir``.
    """
    names = [d.resolve().name for d in data_dirs]
    if len(data_dirs) > 1 and len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ParameterError(
            "data_dir",
            f"two data folders are named {twice[0]!r}; expected distinct folder names (each "
            "names its subject's folder of briefings)",
        )
    subjects = []
    for name, data_dir in zip(names, data_dirs, strict=True):
        evidence = load_evidence(data_dir)
        out = output_dir / name if len(data_dirs) > 1 else output_dir
        dates = publication_dates(evidence)
        title = evidence.settings.get("title") or name
        pending = pending_dates(dates, notebook, out, data_dir, evidence, signer)
        subjects.append(Subject(name, data_dir, out, title, dates, pending))
    return subjects


def render_series(
    output_dir: Path | str = "reports",
    data_dir: Path | str | list = "data",
    notebook: Path | str = DEFAULT_NOTEBOOK,
    jobs: int | None = None,
    signer=None,
    scheduler: str | None = None,
    on_done=None,
    on_start=None,
) -> SeriesResult:
    """Render one briefing per source publication date and write the index pages.

    The renders run in fresh worker processes (the process pool spawns them, as Dask
    does): they see the arguments given here and the environment, not state set in the
    calling process, and a script that calls this at its top level must do so under
    ``if __name__ == "__main__":`` (each worker imports the script's main module).

    Parameters
    ----------
    output_dir, notebook : Path or str
        As for :func:`briefing.render.render_briefing`.
    data_dir : Path or str, or a list of them
        The data folder; several: one subject each (see the module's description).
    jobs : int, optional
        Parallel renders (or ``local`` Dask workers); default: the number of CPU cores.
    signer : briefing.signing.Identity, optional
        Sign every PDF with it (see :func:`briefing.render.render_briefing`).
    scheduler : str, optional
        ``local[:N]`` or a Dask scheduler's address (:mod:`briefing.series.workers`);
        default: a local process pool.
    on_start, on_done : callable, optional
        Called with the number of dates to render, then with each :class:`Outcome` as its
        date finishes (what the command line's progress bar shows).

    Returns
    -------
    SeriesResult

    Raises
    ------
    SeriesError
        One or more dates failed (the others are published, the index written).
    """
    from concurrent.futures import as_completed

    check_scheduler(scheduler, signer)  # before any planning: a bad address says so at once
    output_dir, notebook = Path(output_dir).resolve(), Path(notebook).resolve()
    data_dirs = [
        Path(d).resolve() for d in (data_dir if isinstance(data_dir, list) else [data_dir])
    ]
    subjects = plan_subjects(data_dirs, output_dir, notebook, signer)
    tasks = [(s, day) for s in subjects for day in s.pending]
    if on_start:
        on_start(len(tasks))
    outcomes = []
    if tasks:
        with executor(jobs, scheduler) as pool:
            futures = {
                pool.submit(render_date, s.name, day, notebook=notebook, output_dir=s.output_dir,
                            data_dir=s.data_dir, signer=signer): (s.name, day)
                for s, day in tasks
            }  # fmt: skip
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker died, or could not run the task
                    outcome = lost_outcome(*futures[future], exc)
                outcomes.append(outcome)
                if on_done:
                    on_done(outcome)
    order = {(s.name, day): n for n, (s, day) in enumerate(tasks)}
    outcomes.sort(key=lambda o: order[(o.subject, o.day)])
    for subject in subjects:
        write_index(subject.output_dir, subject.dates)
    index = output_dir / "index.html"
    if len(subjects) > 1:
        write_subjects_index(
            output_dir,
            [{"folder": s.name, "title": s.title, "dates": s.dates} for s in subjects],
        )
    result = SeriesResult(subjects, outcomes, index)
    if result.failed:
        raise SeriesError(result)
    return result
