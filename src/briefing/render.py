"""Render a dated briefing: plan → execute (and validate) → export → publish.

Every input (notebook, codebooks, sources, claims, the analyst's tables) is read once,
into a snapshot (:mod:`briefing.inputs`): those bytes are hashed into the manifest,
validated, executed by the kernel and attached to the PDF, so a file changed during the
render changes nothing in it. papermill executes the briefing notebook with its
parameters; the briefing exporters turn the executed notebook into HTML and PDF.
Everything is written into the render's staging folder and published into
``<output>/<as_of>/`` in one atomic step (:mod:`briefing.publish`), so a failed or killed
run never leaves a half-written briefing and never touches a good one.

Two cores, kept busy: the kernel (:mod:`briefing.kernel`) is started first of all, so
that it boots while this process imports pandas and checks the parameters (that is why
the heavier modules are imported inside functions); the claims and the analyst's tables
are validated in a thread while the notebook executes, and invalid data still stops the
render before anything is published, with the validation problems as the error.
"""

from __future__ import annotations

import gc
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .errors import EnvironmentFailure, NotebookExecutionError, ParameterError, display_path

DEFAULT_NOTEBOOK = Path("notebooks") / "briefing.ipynb"


@dataclass
class Briefing:
    """Paths of one rendered briefing."""

    as_of: str
    folder: Path
    html: Path
    pdf: Path
    notebook: Path
    facts: Path


class Standby:
    """A kernel booting (or booted) for the next render, and that render's staging folder.

    ``briefing preview`` keeps one ready, so that a render after a save starts on a kernel
    that has already imported pandas, matplotlib and the package: the kernel reads its
    inputs from the staging folder's snapshot, which the render writes when it starts.
    :meth:`discard` stops the kernel and removes the folder of a standby never used.
    """

    def __init__(self, notebook: Path | str, output_dir: Path | str):
        from .kernel import Kernel
        from .publish import Staging

        self.staging = Staging(Path(output_dir))
        self.kernel = Kernel(Path(notebook), self.staging.snapshot)
        try:
            self.kernel.start()
        except BaseException:
            self.staging.discard()
            raise

    def discard(self) -> None:
        """Stop the kernel and remove the staging folder (for a standby never rendered)."""
        try:
            self.kernel.stop()
        finally:
            self.staging.discard()


def render_briefing(
    as_of: str | None = None,
    notebook: Path | str = DEFAULT_NOTEBOOK,
    output_dir: Path | str = "reports",
    data_dir: Path | str = "data",
    title: str | None = None,
    marking: str | None = None,
    since: str | None = None,
    provenance: dict | None = None,
    progress=None,
    standby=None,
    pdf: bool = True,
    signer=None,
    signed_by: dict | None = None,
    **overrides,
) -> Briefing:
    """Render the briefing as of a date into ``<output_dir>/<as_of>/``.

    Parameters
    ----------
    as_of : str, optional
        ``YYYY-MM-DD``; default: the newest source date in the data.
    notebook : Path or str
        The parameterised briefing notebook.
    output_dir : Path or str
        Where dated briefing folders go.
    data_dir : Path or str
        The data folder (codebooks, sources, claims).
    title, marking : str, optional
        Override the notebook's defaults.
    since : str, optional
        ``YYYY-MM-DD`` to compare with in "What changed"; default: the previous date on
        which a source was published.
    provenance : dict, optional
        Commit and versions to record instead of the current ones (used by ``verify``).
    progress : callable, optional
        Called as ``progress(step, seconds)`` after each step (plan, execute, validate,
        export, publish; validate runs alongside execute).
    standby : Standby, optional
        A kernel already booted, with its staging folder in ``output_dir``
        (:class:`Standby`, what ``briefing preview`` keeps ready); it is used for this render
        and stopped after it, like a kernel of the render's own.
    pdf : bool
        Write the PDF (default). ``False`` writes the HTML and the facts only: the preview
        lays out its PDF afterwards, from the published HTML.
    signer : briefing.signing.Identity, optional
        Sign the PDF with this identity (:mod:`briefing.signing`); the manifest records
        the signer. Default: unsigned.
    signed_by : dict, optional
        Record this signer in the manifest without signing (what ``verify`` re-renders:
        the signed PDF's first revision, which the signature was appended to).
    **overrides
        ``claims_path``, ``sources_dir``, ``judgments_path``, ``gaps_path``,
        ``events_path``: inputs to use instead of those in ``data_dir`` (see
        :func:`briefing.evidence.data_paths`).

    Returns
    -------
    Briefing

    Raises
    ------
    InvalidInputError
        The data or a parameter is not valid (nothing is written).
    NotebookExecutionError
        The notebook raised; the executed notebook is kept under ``<output_dir>/_failed``.
        Or its kernel could not write a file it writes after the notebook (the listing, the
        facts): that file's traceback is kept there, as ``<name>.failed``.
    ExportError
        HTML or PDF export failed.
    """
    from .inputs import Snapshot
    from .kernel import Kernel
    from .publish import Staging

    threading.Thread(target=_load_weasyprint, name="load-weasyprint", daemon=True).start()
    step = Steps(progress)
    notebook, output_dir = Path(notebook), Path(output_dir)
    mode = 0o777 & ~current_umask()  # read now: it briefly changes the umask, before threads
    staging = standby.staging if standby else Staging(output_dir)
    kernel = standby.kernel if standby else Kernel(notebook, staging.snapshot)
    plan = None
    try:
        with rare_collections(), kernel:
            with step("plan"):
                signed_by = signer.record() if signer is not None else signed_by
                plan = plan_render(
                    as_of, since, title, marking, notebook, Path(data_dir), provenance, overrides,
                    signed_by, staging.snapshot,
                )  # fmt: skip
                plan.snapshot = Snapshot.load(staging.snapshot)  # and the rest of the render:
                # the same bytes, read from the file when wanted, not all held meanwhile
            with ThreadPoolExecutor(1, thread_name_prefix="validate") as pool:
                validation = pool.submit(timed, validate_inputs, plan, pdf)
                validation.add_done_callback(kernel.kill_if_failed)
                seal = _seal(signer, plan) if pdf else None
                return _run(plan, output_dir, staging, kernel, step, validation, mode, pdf, seal)
    except OSError as exc:  # the machine refused: not a folder, read-only, disk full
        raise EnvironmentFailure(f"render into {display_path(output_dir)}", exc) from exc
    finally:
        if plan is not None:
            plan.snapshot.close()
        staging.discard()  # after a publish it holds the retired set, if any


def _load_weasyprint() -> None:
    """:func:`briefing.export.load_weasyprint`, first thing (its import starts processes)."""
    from .export import load_weasyprint

    load_weasyprint()


def _seal(signer, plan: RenderPlan):
    """The step that signs the finished PDF (``bytes -> bytes``), or ``None``."""
    if signer is None:
        return None
    from .signing import sign_pdf

    return lambda data: sign_pdf(data, signer, plan.as_of, plan.desk)


def _run(
    plan: RenderPlan, output_dir: Path, staging, kernel, step, validation, mode, pdf=True,
    seal=None,
):  # fmt: skip
    """Execute, export and publish a planned render (see :func:`render_briefing`).

    ``validation`` is the future of :func:`validate_inputs`, running meanwhile: the
    notebook executes while the data is validated (invalid data kills the kernel), and
    nothing is published, and no failed notebook kept, unless the data is valid.
    ``staging`` is the render's :class:`~briefing.publish.Staging` folder; ``mode`` is the
    permission of the published folder; ``seal`` signs the PDF (see :func:`_seal`).
    """
    from .export import prewarm
    from .inputs import finished_render_files
    from .manifest import write_manifest
    from .publish import publish

    folder = staging.briefing
    folder.mkdir(mode)
    folder.chmod(mode)
    warm = threading.Thread(target=prewarm, name="prewarm-export", daemon=True)
    warm.start()
    stem = folder / f"briefing-{plan.as_of}"
    try:
        with step("execute"):
            try:
                executed = execute_notebook(
                    plan.notebook_path,
                    stem.with_suffix(".ipynb"),
                    plan.parameters,
                    kernel.manager,
                    plan.notebook,
                )
            except Exception as exc:
                validation.result()  # invalid data explains any failure: report that instead
                if not isinstance(exc, NotebookExecutionError):
                    raise
                kept = keep_failed(stem.with_suffix(".ipynb"), output_dir / "_failed" / plan.as_of)
                message = f"{exc}; the executed notebook is kept in {kept}"
                raise NotebookExecutionError(message) from exc.__cause__
            normalise_notebook(executed, plan.notebook_path, stem.with_suffix(".ipynb"))
        known_claims, seconds = validation.result()  # raises InvalidInputError: nothing published
        step.report("validate", seconds)
        with step("export"):
            warm.join()
            written = staging.snapshot.parent
            try:
                export_briefing(
                    executed, folder, plan.as_of, plan.manifest, known_claims, pdf, seal,
                    written, lambda name: finished_render_files(written, kernel.alive, name),
                )  # fmt: skip
            except NotebookExecutionError as exc:  # a file the kernel did not write
                kept = keep_failed_reports(written, output_dir / "_failed" / plan.as_of)
                raise NotebookExecutionError(f"{exc}{kept}") from None
            kernel.stop_soon()
        with step("publish"):
            write_manifest(plan.manifest, folder)
            published = publish(staging, output_dir / plan.as_of)
    finally:
        warm.join()  # no export work left running behind a failed render
    return briefing_paths(published, plan.as_of)


@dataclass
class RenderPlan:
    """What a render will do, settled before anything runs.

    ``snapshot`` holds every input as read once (:mod:`briefing.inputs`): the manifest's
    hashes, the validation, the kernel and the PDF's attachment all use these bytes;
    ``notebook`` is the notebook parsed from them, ``notebook_path`` where it was read;
    ``sources`` the sources as planning read them, until :func:`validate_inputs` takes them.
    """

    as_of: str
    paths: dict
    books: dict
    sources: object
    parameters: dict
    manifest: dict
    snapshot: object
    notebook: object
    notebook_path: Path
    desk: str | None = None


def plan_render(
    as_of,
    since,
    title,
    marking,
    notebook: Path,
    data_dir: Path,
    provenance,
    overrides: dict,
    signed_by: dict | None = None,
    save_to: Path | None = None,
) -> RenderPlan:
    """Read every input once, check the parameters against the codebooks and sources;
    raise before anything runs.

    ``save_to``: where to save the snapshot for the kernel (:meth:`briefing.inputs.Snapshot.
    save`), which is written while the sources are parsed; :data:`briefing.inputs.
    SOURCES_READING` is beside it until they are (or planning failed). The claims and the analyst's
    tables are validated later, by :func:`validate_inputs`, while the notebook executes.
    """
    from .evidence import data_paths
    from .inputs import SOURCES_READING, take_snapshot

    unknown = set(overrides) - set(OVERRIDES)
    if unknown:
        raise ParameterError(
            sorted(unknown)[0], "unknown input; expected one of " + ", ".join(OVERRIDES)
        )
    paths = data_paths(data_dir, **overrides)
    if not notebook.is_file():
        raise ParameterError("notebook", f"found {str(notebook)!r}; expected a notebook file")
    snapshot = take_snapshot({**paths, "notebook": notebook})
    read = None
    if save_to is not None:  # the kernel waits while this is there (sources not cached)
        reading_marker = save_to.with_name(SOURCES_READING)
        reading_marker.touch()
        read = partial(_remove, reading_marker)
    with ThreadPoolExecutor(1, thread_name_prefix="save-snapshot") as pool:  # disk, no GIL
        saved = pool.submit(snapshot.save, save_to) if save_to is not None else None
        try:
            plan = _planned(as_of, since, title, marking, notebook, data_dir, provenance,
                            overrides, signed_by, paths, snapshot, read)  # fmt: skip
        finally:
            if read is not None:
                read()  # however planning ended: the kernel waits for no more
        if saved is not None:
            saved.result()
    return plan


def _remove(path: Path) -> None:
    """Remove ``path`` if it is there (a failure to is no render's failure)."""
    with suppress(OSError):
        path.unlink(missing_ok=True)


def _planned(
    as_of, since, title, marking, notebook, data_dir, provenance, overrides, signed_by, paths,
    snapshot, sources_read=None,
) -> RenderPlan:  # fmt: skip
    """:func:`plan_render` once the inputs are read into ``snapshot``; ``sources_read()``
    is called once the sources are (see :data:`briefing.inputs.SOURCES_READING`)."""
    from .inputs import read_input, reading
    from .manifest import build_manifest
    from .parameters import declared_parameters
    from .reference import load_codebooks
    from .settings import read_settings
    from .sources import load_sources

    with reading(snapshot):
        books = load_codebooks(paths["reference"])
        sources = load_sources(paths["sources"])
        if sources_read is not None:
            sources_read()
        settings = read_settings(paths["settings"], books["indicators"])
        node = read_notebook(read_input(notebook), notebook)
    as_of, since = check_dates(as_of, since, sources)
    names = declared_parameters(node)
    parameters = render_parameters(
        as_of, since, title, marking, notebook, data_dir, settings, names, overrides
    )
    check_declared(notebook, parameters, names)
    manifest = build_manifest(
        parameters, notebook, data_dir, paths, provenance, snapshot, signed_by
    )
    import pandera.pandas  # noqa: F401 (now, before threads import in parallel)
    import papermill  # noqa: F401

    return RenderPlan(
        as_of, paths, books, sources, parameters, manifest, snapshot, node, notebook,
        settings.get("desk"),
    )  # fmt: skip


def render_parameters(
    as_of, since, title, marking, notebook: Path, data_dir: Path, settings: dict, names: set,
    overrides: dict,
) -> dict:  # fmt: skip
    """The parameters a render injects: the date, the comparison date, title and marking
    (given, else the subject's ``briefing.yml``), input overrides, and the subject's
    settings the notebook declares (``names``). What ``series`` compares with a manifest.
    """
    extra = {
        "since": since or "",
        "title": check_text("title", title or settings.get("title")),
        "marking": check_text("marking", marking or settings.get("marking")),
    }
    extra.update({name: overrides.get(name) for name in OVERRIDES})
    for name in SUBJECT_SETTINGS:  # the subject's choices, for a notebook that takes them
        if name in settings and name in names:
            extra[name] = settings[name]
    return injected_parameters(as_of, notebook, data_dir, extra, names)


def read_notebook(data: bytes, path: Path):
    """Parse a notebook's bytes, or raise :class:`ParameterError` naming the file."""
    import nbformat

    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as exc:  # nbformat raises JSON, Unicode and validation errors
        raise ParameterError("notebook", f"{display_path(path)} is not a notebook: {exc}") from exc


def validate_inputs(plan: RenderPlan, pdf: bool = False):
    """Load and validate the claims and the analyst's tables.

    Returns the rows of the claims table known on ``as_of``, as CSV: the PDF's attachment;
    with ``pdf``, as :class:`briefing.export.Deflated`, deflated here (the render validates
    on the core its kernel leaves free) rather than at the end of the export, its parts
    deflated before taken from the cache.

    Raises
    ------
    InvalidInputError
        Every problem, as ``path:line:column: message``.
    """
    from .cache import DeflatedParts, cache_folder, release_memory
    from .claims import claims_csv_parts
    from .evidence import complete_evidence, known_on
    from .export import Deflated
    from .inputs import reading

    keys = ["claim_id", "source_id"]  # all this process needs of the claims: the kernel
    sources, plan.sources = plan.sources, None  # their last use: not held while it runs
    with reading(plan.snapshot):  # reads them whole, from the entries this check keeps
        evidence = complete_evidence(plan.paths, plan.books, sources, columns=keys)
        known = known_on(evidence, plan.as_of, keys).claims["claim_id"]
        claims = evidence.claims
        del evidence, sources  # the texts of every source go before the deflate
        release_memory()
        attachment = claims_csv_parts(plan.paths["claims"], claims, known)
        # deflated as written, a batch of rows at a time, on the core the kernel leaves
        if pdf:
            attachment = Deflated.of_parts(attachment, DeflatedParts(cache_folder()))
        else:
            attachment = b"".join(attachment)
    del claims, known
    release_memory()  # what validation freed is not needed again: the export allocates its own
    return attachment


def timed(function, *args):
    """``(function(*args), seconds it took)``."""
    started = time.perf_counter()
    return function(*args), time.perf_counter() - started


@contextmanager
def rare_collections():
    """Run Python's cyclic garbage collector rarely while a render runs.

    A render allocates millions of short-lived objects (WeasyPrint's boxes, pandas'
    frames, nbformat nodes) and frees nearly all of them by reference counting; the
    collector's frequent passes over everything alive cost about a tenth of the render.
    The previous thresholds come back afterwards, so a long-lived process (a ``briefing
    series`` worker) collects as before between renders.
    """
    old = gc.get_threshold()
    gc.set_threshold(100_000, 1_000, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*old)


class Steps:
    """Time the named steps of a render and report each to ``progress(name, seconds)``."""

    def __init__(self, progress=None):
        self.progress = progress

    @contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        yield
        self.report(name, time.perf_counter() - started)

    def report(self, name: str, seconds: float) -> None:
        """Report a step timed elsewhere."""
        if self.progress is not None:
            self.progress(name, seconds)


def current_umask() -> int:
    """The process's file-creation mask (read without changing it for long)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_date(name: str, value: str) -> str:
    """Return ``value`` if it is a real ``YYYY-MM-DD`` date, else raise ParameterError."""
    from .sources import parse_date

    if parse_date(str(value)) is None:
        raise ParameterError(name, f"found {value!r}; expected a real date YYYY-MM-DD")
    return str(value)


def check_dates(as_of, since, sources) -> tuple[str, str | None]:
    """Resolve and check the briefing's date and the date it is compared with.

    ``as_of`` defaults to the newest source date and may not precede the first source;
    ``since`` defaults to the previous source date and must precede ``as_of``.
    """
    from .evidence import previous_date, publication_dates

    first, last = publication_dates(sources)[0], publication_dates(sources)[-1]
    as_of = check_date("as_of", as_of or last)
    if as_of < first:
        raise ParameterError(
            "as_of",
            f"found {as_of}, before the first source was published "
            f"({first}); expected {first} or later",
        )
    if as_of > last:
        raise ParameterError(
            "as_of",
            f"found {as_of}, after the newest source ({last}); expected a date from {first} "
            f"to {last} (add the newer sources first)",
        )
    if since:
        since = check_date("since", since)
        if since >= as_of:
            raise ParameterError("since", f"found {since}; expected a date before as_of {as_of}")
    return as_of, since or previous_date(sources, as_of)


#: Settings of ``briefing.yml`` passed to the notebook as parameters of the same name.
SUBJECT_SETTINGS = ("headline_indicators", "review_days")


def check_text(name: str, value: str | None) -> str | None:
    """A title or marking (:func:`briefing.settings.text_problem`), or ``None``."""
    from .settings import text_problem

    if value is not None and (message := text_problem(name, value)):
        raise ParameterError(name, message)
    return value


def declared(notebook: Path) -> set[str]:
    """The parameter names the notebook's ``parameters`` cell declares."""
    import nbformat

    from .parameters import declared_parameters

    return declared_parameters(nbformat.read(str(notebook), as_version=4))


def check_declared(notebook: Path, parameters: dict, names: set[str]) -> None:
    """Refuse parameters that the notebook's ``parameters`` cell (``names``) does not declare."""
    unknown = sorted(set(parameters) - names)
    if unknown:
        raise ParameterError(
            "notebook",
            f"{notebook} does not declare {', '.join(unknown)} in "
            f"its parameters cell; it declares: {', '.join(sorted(names))}",
        )


OVERRIDES = ("claims_path", "sources_dir", "judgments_path", "gaps_path", "events_path")


def injected_parameters(
    as_of: str, notebook: Path, data_dir: Path, extra: dict, names: set[str] | None = None
) -> dict:
    """The parameters papermill injects; paths are relative to the notebook's folder.

    ``extra`` values that are ``None`` are left to the notebook's defaults; input paths in
    it (:data:`OVERRIDES`) are made relative like ``data_dir``. ``names`` are the
    parameters the notebook declares (default: read from ``notebook``).
    """

    def relative(path) -> str:
        return os.path.relpath(Path(path).resolve(), notebook.parent.resolve())

    parameters = {"as_of": as_of, "data_dir": relative(data_dir)}
    for key, value in extra.items():
        if value is not None:
            parameters[key] = relative(value) if key in OVERRIDES else value
    if "validated" in (declared(notebook) if names is None else names):  # render validates
        parameters["validated"] = True
    return parameters


def execute_notebook(notebook: Path, output: Path, parameters: dict, manager=None, node=None):
    """Execute ``notebook`` with papermill into ``output``; return the executed notebook.

    ``node`` is the notebook as already read (a render reads it once); default: read
    ``notebook``. ``manager`` is a started kernel (see :class:`Kernel`); without one
    papermill starts and stops its own. On failure ``output`` holds the executed notebook and a
    :class:`NotebookExecutionError` names the failing cell and the error.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .kernel import KERNEL_ARGUMENTS

    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
    try:
        return papermill.execute_notebook(
            str(notebook) if node is None else node,
            str(output),
            parameters=parameters,
            kernel_name="python3",
            # papermill would chdir this whole process (threads validating relative paths
            # included) to start its own kernel there; a given kernel already runs there
            cwd=None if manager is not None else str(notebook.parent),
            progress_bar=False,
            log_output=False,
            # one write at the end (or on failure), not one after every cell: the render
            # publishes nothing half-done, so the intermediate files served no one
            request_save_on_cell_execute=False,
            extra_arguments=KERNEL_ARGUMENTS,
            km=manager,
        )
    except PapermillExecutionError as exc:
        raise NotebookExecutionError(
            f"the notebook raised in cell {exc.exec_count} ({exc.ename}: {exc.evalue})"
        ) from exc


def keep_failed(executed: Path, failed_dir: Path) -> Path:
    """Copy a failed run's executed notebook (or other report) into ``failed_dir`` for
    diagnosis."""
    failed_dir.mkdir(parents=True, exist_ok=True)
    kept = failed_dir / executed.name
    shutil.copyfile(executed, kept)
    return kept


def keep_failed_reports(written: Path, failed_dir: Path) -> str:
    """Copy the reports of the files the kernel failed to write (their tracebacks, see
    :func:`briefing.inputs.write_render_file`) from the render's folder ``written`` into
    ``failed_dir``; ``"; its traceback is kept in …"`` for the message, or ``""``."""
    from .inputs import FAILED_SUFFIX

    kept = [keep_failed(report, failed_dir) for report in sorted(written.glob("*" + FAILED_SUFFIX))]
    return f"; its traceback is kept in {kept[0]}" if kept else ""


VOLATILE_KEYS = ("start_time", "end_time", "duration")


def normalise_notebook(nb, source: Path, path: Path) -> None:
    """Strip what varies between runs from an executed notebook and write it to ``path``.

    Timings and timestamps go; the injected cell gets a fixed id; paths are recorded
    relative, so the same inputs give the same bytes in any clone.
    """
    import nbformat

    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for key in VOLATILE_KEYS + ("exception",):
            cell.metadata.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    run = nb.metadata.get("papermill", {})
    for key in VOLATILE_KEYS:
        run.pop(key, None)
    run["input_path"] = f"{source.parent.name}/{source.name}"
    run["output_path"] = path.name
    nbformat.write(nb, str(path))


def export_briefing(
    executed, folder: Path, as_of: str, manifest: dict, claims, pdf: bool = True,
    seal=None, written: Path | None = None, finished=None,
) -> None:  # fmt: skip
    """Write ``briefing-<as_of>.html`` and ``.pdf`` from the executed notebook into ``folder``.

    ``written`` is the folder where the render's kernel writes what is too large for the
    notebook (:func:`briefing.inputs.write_render_file`); ``finished(name)`` waits until it
    has written ``name`` (``"*"``: all; :func:`briefing.inputs.finished_render_files`).
    The HTML is laid out once and the PDF made from it first, meanwhile: the PDF prints
    only what the notebook shows. The HTML file then gets the listing of every claim the
    kernel wrote, if it did (see :func:`briefing.export.write_html`), as soon as it has,
    while it may still write the facts. The PDF carries ``claims`` (the rows of the claims
    table known on ``as_of``) and the manifest (without output hashes) as attachments. The
    facts (:mod:`briefing.facts`) the kernel wrote, or else the notebook displayed, are
    written as ``briefing-<as_of>.json``. ``seal``, when given, signs the finished PDF
    (:func:`briefing.signing.sign_pdf`).
    """
    from .export import html_exporter, html_to_pdf, write_html
    from .facts import FACTS_FILE, extract_facts
    from .manifest import manifest_json
    from .markup import LISTING_FILE

    resources = {"briefing_manifest": manifest}
    html, _ = html_exporter().from_notebook_node(executed, resources)
    if pdf:
        attachments = [
            ("claims.csv", claims, f"The claims known on {as_of} (rows of data/claims/claims.csv)"),
            (
                "manifest.json",
                manifest_json(manifest).encode("utf-8"),
                "Parameters, input hashes and provenance of this briefing",
            ),
        ]
        data = html_to_pdf(html, attachments, as_of)
        (folder / f"briefing-{as_of}.pdf").write_bytes(seal(data) if seal else data)
    if finished is not None:
        finished(LISTING_FILE)  # the kernel may still write the facts while this copies
    listing = written / LISTING_FILE if written is not None else None
    write_html(html, listing, folder / f"briefing-{as_of}.html")
    if finished is not None:
        finished("*")
    target = folder / f"briefing-{as_of}.json"
    if written is not None and (written / FACTS_FILE).is_file():
        os.replace(written / FACTS_FILE, target)  # what the kernel wrote (the same disk)
    elif (facts := extract_facts(executed)) is not None:  # displayed (a notebook of old)
        target.write_text(facts, encoding="utf-8")


def briefing_paths(folder: Path, as_of: str) -> Briefing:
    """The :class:`Briefing` of a published folder."""
    stem = folder / f"briefing-{as_of}"
    return Briefing(
        as_of,
        folder,
        stem.with_suffix(".html"),
        stem.with_suffix(".pdf"),
        stem.with_suffix(".ipynb"),
        stem.with_suffix(".json"),
    )
