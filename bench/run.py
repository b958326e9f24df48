"""Benchmark the briefing render against the hand-written route and a floor; write Markdown.

    python bench/run.py [--runs 5] [--out bench/results.md] [--quick]

Sections (see bench/README.md):

- comparison: ``ours`` (``briefing render``), ``usual`` (papermill + two ``jupyter nbconvert``
  calls in ``.venv-lab``) and ``floor`` (papermill on a one-cell notebook importing pandas
  and matplotlib); one warm-up of each, then ``--runs`` timed runs, alternating A B C A B C;
- scale: synthetic data sets of 1,000, 10,000 and 100,000 claims (``bench/synth.py``);
- series: ``briefing series`` with ``--jobs 1`` against ``--jobs 2`` on 30 dates;
- profile: cProfile of one ``briefing render``, top functions by cumulative time.

Every command runs under ``/usr/bin/time -f "%e %M"`` (wall seconds, peak RSS of the largest
process in KB). Targets are reported as pass/fail, never asserted: the exit status is 0
unless a measured command crashed (or a section could not run at all), 1 then; the results
file is written either way.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LAB = ROOT / ".venv-lab"
VENV_PY = VENV / "bin" / "python"
BRIEFING = VENV / "bin" / "briefing"
SYNTH = ROOT / "bench" / "synth.py"
CRITICAL_PATH = ROOT / "bench" / "critical_path.py"
PREVIEW = ROOT / "bench" / "preview.py"
EXTRACTION = ROOT / "bench" / "extraction.py"
DATA = ROOT / "data"
NOTEBOOK = Path("notebooks") / "briefing.ipynb"
GNU_TIME = "/usr/bin/time"
AS_OF = "2024-10-24"

TARGET_USUAL_OVER_OURS = 2.5  # usual / ours, at least
TARGET_OURS_OVER_FLOOR = 2.0  # ours / floor, at most
TARGET_SERIES_SPEEDUP = 1.6  # jobs 1 / jobs 2, at least
#: The series' engines, by the label results.md gives them: the arguments that pick them.
SERIES_RUNS = {
    "pool, --jobs 1": ["--jobs", "1"],
    "pool, --jobs 2": ["--jobs", "2"],
    "Dask LocalCluster, 2 workers": ["--scheduler", "local:2"],
}
#: Issue 20: a series on a local Dask cluster of 2 workers within this of the pool's time.
TARGET_DASK_RATIO = 1.15
#: Issue 20: a million claims render within 3x the 100,000-claim render, peak tree RSS 2 GB,
#: at most 30 pages; after one changed claim within half the cold time.
MILLION_OVER_100K = 3.0
MILLION_TREE_GB = 2.0
MILLION_PAGES = 30
MILLION_CHANGED_OVER_COLD = 0.5
MILLION_MEMORY_CAP_KB = 14 * 1024**2  # the million render is measured, not killed, up to 14 GB
PREVIEW_HTML_S = 1.0  # save -> HTML reload, median seconds, at most
PREVIEW_HTML_OVER_COLD = 0.35  # ... and at most this share of a cold render
PREVIEW_PDF_OVER_COLD = 0.8  # save -> PDF ready, median, at most this share of a cold render
PREVIEW_IDLE_CPU = 0.02  # share of one core, below
PREVIEW_RSS_GROWTH_MB = 50  # over all the edits, below
SCALE_TIME_FACTOR = 3.0  # render time at most this times ours' median
SCALE_RSS_LIMIT_MB = 1.5 * 1024  # 1.5 GB
SCALE_PAGES_BELOW = 30
#: Renders of each data set in the Scale and Million sections, the median reported: one
#: run on this kind of machine varied by a fifth from the next.
SCALE_REPEATS = 3
OTHER_LOAD_WARNING = 0.15  # other processes' CPU, as a share of one core, worth a warning
PACKAGES = [
    "briefing",
    "pandas",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "weasyprint",
    "pypdf",
    "pandera",
    "jupyterlab",
]
FLOOR_SOURCE = "import pandas\nimport matplotlib"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: What each compared command must have written into its output folder.
EXPECTED = {
    "ours": f"{AS_OF}/briefing-{AS_OF}.pdf",
    "usual": "out.pdf",
    "floor": "floor.ipynb",
}


def log(message: str) -> None:
    """Progress on stderr (the results go to the Markdown file)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- running one command under GNU time, with a watchdog ----------------------------------


@dataclass
class Measurement:
    """One timed command (or pipeline of commands)."""

    seconds: float | None = None  # wall time from GNU time (sum over a pipeline)
    rss_kb: int | None = None  # peak RSS of the largest process (max over a pipeline)
    tree_kb: int | None = None  # peak of the summed RSS of the process tree, sampled
    returncode: int | None = None
    error: str | None = None  # why it failed (non-zero exit, timeout, memory cap)
    timed_out: bool = False
    cpu_s: float = 0.0  # user + system CPU of the command and its children (GNU time)
    other_cpu_s: float = 0.0  # CPU the rest of the machine used meanwhile (from /proc/stat)
    runs: tuple[float, ...] = ()  # each run's seconds, when this is the typical of several

    @property
    def other_load(self) -> float | None:
        """Other processes' CPU while this ran, as a fraction of one core."""
        return self.other_cpu_s / self.seconds if self.seconds else None

    @property
    def ok(self) -> bool:
        return self.error is None


def typical(measured: list[Measurement]) -> Measurement:
    """The run of median time of several runs of one command (the first that failed, if
    one did), with the largest peak RSS of them all and every run's seconds (``runs``)."""
    failed = [m for m in measured if not m.ok]
    if failed:
        return failed[0]
    middle = sorted(measured, key=lambda m: m.seconds)[len(measured) // 2]
    return replace(
        middle,
        rss_kb=max(m.rss_kb or 0 for m in measured) or None,
        tree_kb=max(m.tree_kb or 0 for m in measured) or None,
        runs=tuple(m.seconds for m in measured),
    )


def spread(m: Measurement) -> str:
    """A typical run's seconds and, when there were several, their range: ``7.88 (7.5–8.9)``."""
    if len(m.runs) < 2:
        return secs(m.seconds)
    return f"{secs(m.seconds)} ({secs(min(m.runs))}–{secs(max(m.runs))})"


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (/proc/stat)."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    guest = sum(fields[8:10])  # already counted in user and nice
    return (sum(fields) - idle - guest) / os.sysconf("SC_CLK_TCK")


def _process_table() -> dict[int, tuple[int, int]]:
    """Every visible process: pid -> (parent pid, RSS in KB)."""
    table, page_kb = {}, os.sysconf("SC_PAGE_SIZE") // 1024
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read().decode("ascii", "replace")
            fields = stat[stat.rindex(")") + 2 :].split()
            table[int(name)] = (int(fields[1]), int(fields[21]) * page_kb)
        except (OSError, ValueError, IndexError):
            continue
    return table


def _descendants(root: int, table: dict[int, tuple[int, int]]) -> list[int]:
    """``root`` and every process below it (kernels start their own session, so walk ppids)."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def kill_tree(root: int) -> None:
    """SIGKILL ``root`` and its descendants, each by its pid."""
    for pid in reversed(_descendants(root, _process_table())):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run_timed(
    argv,
    cwd: Path,
    log_path: Path,
    timeout: float | None = None,
    memory_cap_kb: int | None = None,
    env: dict | None = None,
) -> Measurement:
    """Run ``argv`` under ``/usr/bin/time -f "%e %M"``; kill it past ``timeout`` or the cap."""
    argv = [str(a) for a in argv]
    time_file = log_path.with_suffix(".time")
    offset = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("ab") as output:
        header = ("$ " + shlex.join(argv) + "\n").encode()
        output.write(header)
        output.flush()
        busy_before = machine_busy_seconds()
        process = subprocess.Popen(
            [GNU_TIME, "-o", str(time_file), "-f", "%e %M %U %S", *argv],
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        start, tree_peak, killed = time.monotonic(), 0, None
        try:
            while process.poll() is None:
                table = _process_table()
                tree = sum(table.get(p, (0, 0))[1] for p in _descendants(process.pid, table))
                tree_peak = max(tree_peak, tree)
                if timeout is not None and time.monotonic() - start > timeout:
                    killed = f"timed out after {timeout:.0f} s (killed)"
                elif memory_cap_kb is not None and tree > memory_cap_kb:
                    killed = (
                        f"used more than {memory_cap_kb / 1024**2:.1f} GB in total "
                        "(killed to protect the machine)"
                    )
                if killed:
                    kill_tree(process.pid)
                    process.wait()
                    break
                time.sleep(0.25)
        except BaseException:
            kill_tree(process.pid)
            process.wait()
            raise
    busy = machine_busy_seconds() - busy_before
    measurement = Measurement(tree_kb=tree_peak or None, returncode=process.returncode)
    try:
        last = [line for line in time_file.read_text().splitlines() if line.strip()][-1]
        seconds, rss, user, system = last.split()
        measurement.seconds, measurement.rss_kb = float(seconds), int(rss)
        measurement.cpu_s = float(user) + float(system)
        measurement.other_cpu_s = max(0.0, busy - measurement.cpu_s)
    except (OSError, IndexError, ValueError):
        measurement.seconds = round(time.monotonic() - start, 2)
    if killed:
        measurement.error, measurement.timed_out = killed, True
        measurement.seconds = round(time.monotonic() - start, 2)
    elif process.returncode != 0:
        with log_path.open("rb") as handle:
            handle.seek(offset + len(header))
            text = ANSI.sub("", handle.read().decode("utf-8", "replace"))
        tail = [line.strip() for line in text.splitlines() if line.strip()][-8:]
        measurement.error = f"exit {process.returncode}: " + " | ".join(tail)
    return measurement


def run_pipeline(steps, log_path: Path, **options) -> Measurement:
    """Run ``(argv, cwd)`` steps in turn: the sum of their times, the max of their RSS."""
    total = Measurement(seconds=0.0, rss_kb=0, tree_kb=0, returncode=0)
    for argv, cwd in steps:
        step = run_timed(argv, cwd, log_path, **options)
        total.seconds += step.seconds or 0.0
        total.rss_kb = max(total.rss_kb or 0, step.rss_kb or 0)
        total.tree_kb = max(total.tree_kb or 0, step.tree_kb or 0)
        total.cpu_s += step.cpu_s
        total.other_cpu_s += step.other_cpu_s
        total.returncode = step.returncode
        if not step.ok:
            total.error, total.timed_out = step.error, step.timed_out
            break
    total.seconds = round(total.seconds, 2)
    return total


# --- helpers ------------------------------------------------------------------------------


def mb(kb: int | None) -> str:
    return "–" if kb is None else f"{kb / 1024:.0f}"


def secs(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def load(measurements) -> str:
    """The largest share of a core that other processes used during these measurements."""
    loads = [m.other_load for m in measurements if m.other_load is not None]
    return f"{max(loads) * 100:.0f} %" if loads else "–"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**pass**" if ok else "**FAIL**")


def capture(argv, cwd: Path = ROOT) -> str:
    """stdout of a quick, untimed command ('' if it fails)."""
    try:
        done = subprocess.run(
            [str(a) for a in argv],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def versions(python: Path) -> dict:
    """Python and package versions in the environment of ``python``."""
    script = (
        "import json, sys, importlib.metadata as m\n"
        "out = {'python': sys.version.split()[0]}\n"
        f"for name in {PACKAGES!r}:\n"
        "    try:\n        out[name] = m.version(name)\n"
        "    except m.PackageNotFoundError:\n        out[name] = None\n"
        "print(json.dumps(out))\n"
    )
    text = capture([python, "-c", script]) if python.exists() else ""
    return json.loads(text) if text else {}


def machine() -> dict:
    model = memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return {
        "nproc": capture(["nproc"]) or str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
    }


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def tree_state(bench) -> str:
    """The source tree's state, and a warning when it changed during the run."""
    now = git_state()
    if now == bench.tree_at_start:
        return now
    return (
        f"**changed during the run**: {bench.tree_at_start} at the start, {now} at the end "
        "(someone edited or committed while the benchmark ran; sections mix versions)"
    )


def git_state() -> str:
    """The commit and whether tracked files differ from it (read-only git calls)."""
    commit = capture(["git", "--no-optional-locks", "rev-parse", "--short", "HEAD"])
    if not commit:
        return "unknown (not a git checkout)"
    dirty = capture(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"])
    if not dirty:
        return f"{commit} (clean)"
    diff = subprocess.run(
        ["git", "--no-optional-locks", "diff", "HEAD"], cwd=ROOT, capture_output=True, check=False
    ).stdout
    return f"{commit} with uncommitted changes to tracked files (diff sha1 {sha1(diff)[:10]})"


def pdf_facts(pdf: Path) -> tuple[int | None, int | None]:
    """Page count (pypdf) and size in bytes of a PDF."""
    if not pdf.is_file():
        return None, None
    try:
        from pypdf import PdfReader

        pages = len(PdfReader(str(pdf)).pages)
    except ImportError:
        text = capture(
            [VENV_PY, "-c", f"import pypdf; print(len(pypdf.PdfReader({str(pdf)!r}).pages))"]
        )
        pages = int(text) if text.isdigit() else None
    return pages, pdf.stat().st_size


def newest_source_date(sources: Path) -> str:
    """The newest publication date of synthetic sources (their ids start with it)."""
    return max(path.name[:10] for path in sources.glob("*.md"))


def folder_bytes(folder: Path) -> int:
    """The bytes of every file below ``folder`` (0 when it is missing)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def change_one_claim(claims: Path) -> None:
    """Rewrite one claim's statement, as an analyst's edit would: a row in the middle of the
    table (the first whole record past half its bytes), made longer, so that the rows after
    it move (a cache that cut the table at fixed offsets would check them all again)."""
    data = claims.read_bytes()
    header = next(csv.reader([data[: data.index(b"\n")].decode("utf-8")]))
    start = data.index(b"\n", len(data) // 2) + 1
    while True:  # a line that is one whole record of the table (not part of a quoted cell)
        end = data.index(b"\n", start) + 1
        cells = next(csv.reader([data[start:end].decode("utf-8")]), [])
        if len(cells) == len(header) and cells[0].startswith("C"):
            break
        start = end
    at = header.index("statement")
    cells[at] += " (revised)"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    claims.write_bytes(data[:start] + buffer.getvalue().encode("utf-8") + data[end:])


def change_one_parquet_claim(claims_csv: Path, parquet: Path) -> None:
    """Rewrite one claim's statement (:func:`change_one_claim`, in the CSV table) and write
    the Parquet table again from it, as a feed rewrites its whole file."""
    from synth import write_parquet

    change_one_claim(claims_csv)
    written = write_parquet(claims_csv)
    if written != parquet:
        written.replace(parquet)


def synth(
    claims: int, out: Path, dates: int | None = None, seed: int = 0, parquet: bool = False
) -> float:
    """Generate a data set with bench/synth.py; return the seconds it took."""
    argv = [
        sys.executable,
        str(SYNTH),
        "--claims",
        str(claims),
        "--out",
        str(out),
        "--seed",
        str(seed),
    ]
    if dates:
        argv += ["--dates", str(dates)]
    if parquet:
        argv.append("--parquet")
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


# --- the benchmark ------------------------------------------------------------------------


@dataclass
class Bench:
    runs: int
    quick: bool
    work: Path
    scale_timeout: float
    series_timeout: float
    memory_cap_kb: int
    problems: list[str] = field(default_factory=list)
    crashed: bool = False
    commands: dict[str, list[str]] = field(default_factory=dict)
    comparison: dict[str, list[Measurement]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    scale: list[dict] = field(default_factory=list)
    scale_error: str | None = None
    series: dict = field(default_factory=dict)
    million: dict = field(default_factory=dict)
    profile: dict = field(default_factory=dict)
    critical: list[tuple[Measurement, dict]] = field(default_factory=list)
    preview: dict = field(default_factory=dict)
    extraction: str = ""
    counter: int = 0
    keep: bool = False
    tree_at_start: str = ""

    @property
    def repeats(self) -> int:
        """Renders of each size in the Scale and Million sections: one in a quick run."""
        return 1 if self.quick else SCALE_REPEATS

    def discard(self, folder: Path, ok: bool) -> None:
        """Delete a run's outputs, unless it failed and ``--keep`` was given."""
        if ok or not self.keep:
            shutil.rmtree(folder, ignore_errors=True)

    def fresh(self, name: str) -> Path:
        """A new, empty folder for one run's outputs."""
        self.counter += 1
        folder = self.work / f"{self.counter:03d}-{name}"
        folder.mkdir(parents=True)
        return folder

    def cold_cache(self) -> Path:
        """An empty claims cache (``BRIEFING_CACHE_DIR``, inherited by every command the
        bench runs from now on): the next render checks every claim, as on a first run."""
        folder = self.fresh("cache")
        os.environ["BRIEFING_CACHE_DIR"] = str(folder)
        return folder

    def problem(self, section: str, message: str, crash: bool = True) -> None:
        log(f"{section}: {message}")
        self.problems.append(f"{section}: {message}")
        self.crashed = self.crashed or crash

    # comparison ---------------------------------------------------------------

    def floor_notebook(self) -> Path:
        path = self.work / "FLOOR.ipynb"
        notebook = {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "id": "floor",
                    "metadata": {},
                    "outputs": [],
                    "source": FLOOR_SOURCE,
                }
            ],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
        return path

    def steps(self, name: str, out: Path, floor: Path) -> list:
        lab = LAB / "bin"
        if name == "ours":
            return [([BRIEFING, "render", "--as-of", AS_OF, "--output-dir", out], ROOT)]
        if name == "usual":
            executed = out / "out.ipynb"
            return [
                (
                    [
                        lab / "papermill",
                        NOTEBOOK,
                        executed,
                        "-p",
                        "as_of",
                        AS_OF,
                        "-p",
                        "data_dir",
                        DATA,
                        "--cwd",
                        "notebooks",
                    ],
                    ROOT,
                ),
                ([lab / "jupyter", "nbconvert", "--to", "html", "--no-input", executed], ROOT),
                ([lab / "jupyter", "nbconvert", "--to", "briefing_pdf", executed], ROOT),
            ]
        return [([VENV / "bin" / "papermill", "-k", "python3", floor, out / "floor.ipynb"], ROOT)]

    def run_comparison(self) -> None:
        names = ["ours", "usual", "floor"]
        if not (LAB / "bin" / "papermill").exists():
            names.remove("usual")
            self.notes.append(f"`usual` skipped: {LAB.relative_to(ROOT)} has no papermill.")
        floor = self.floor_notebook()
        for name in names:
            example = self.steps(name, Path("TMP"), Path("FLOOR.ipynb"))
            self.commands[name] = [
                shlex.join(_shown(argv)).replace("ABSOLUTE_DATA", '"$PWD/data"')
                for argv, _ in example
            ]
        order = [] if self.quick else [(name, True) for name in names]
        order += [(name, False) for _ in range(self.runs) for name in names]
        for name in names:
            self.comparison[name] = []
        for index, (name, warm_up) in enumerate(order, start=1):
            out = self.fresh(name)
            self.cold_cache()  # every run checks every claim, as before the cache existed
            result = run_pipeline(
                self.steps(name, out, floor),
                self.work / f"{name}.log",
                memory_cap_kb=self.memory_cap_kb,
            )
            label = "warm-up" if warm_up else "run"
            log(
                f"{index}/{len(order)} {name} {label}: {secs(result.seconds)} s, "
                f"{mb(result.rss_kb)} MB" + (f" ({result.error})" if result.error else "")
            )
            if not result.ok:
                self.problem(f"comparison/{name} {label}", result.error)
            elif not (out / EXPECTED[name]).is_file():
                result.error = f"exited 0 but wrote no {EXPECTED[name]}"
                self.problem(f"comparison/{name} {label}", result.error)
            if not warm_up:
                self.comparison[name].append(result)
            self.discard(out, result.ok)

    def median(self, name: str) -> float | None:
        times = [m.seconds for m in self.comparison.get(name, []) if m.ok]
        return statistics.median(times) if times else None

    # scale --------------------------------------------------------------------

    def run_scale(self, sizes: list[int]) -> None:
        self.commands["scale"] = [
            "python bench/synth.py --claims N --out DIR",
            "briefing render --data-dir DIR --claims DIR/claims.csv --sources DIR/sources "
            "--judgments DIR/judgments.csv --output-dir TMP --as-of NEWEST",
        ]
        help_text = capture([BRIEFING, "render", "--help"])
        missing = [o for o in ("--claims", "--sources", "--judgments") if o not in help_text]
        if missing:
            self.scale_error = (
                f"`briefing render` has no {', '.join(missing)} option(s) yet, so the "
                "synthetic data sets cannot be rendered; scale section not measured"
            )
            self.problem("scale", self.scale_error)
            return
        skip_reason = None
        for n in sizes:
            row = {"claims": n}
            self.scale.append(row)
            if skip_reason:
                row["error"] = skip_reason
                continue
            data = self.work / f"scale-{n}"
            row["synth_s"] = synth(n, data)
            row["sources"] = len(list((data / "sources").glob("*.md")))
            row["as_of"] = newest_source_date(data / "sources")
            out = self.fresh(f"scale-{n}")
            log(f"scale {n}: rendering {row['sources']} sources as of {row['as_of']}")
            argv = [
                BRIEFING, "render", "--data-dir", data, "--claims", data / "claims.csv",
                "--sources", data / "sources", "--judgments", data / "judgments.csv",
                "--output-dir", out, "--as-of", row["as_of"],
            ]  # fmt: skip
            log_path, cap = self.work / f"scale-{n}.log", self.memory_cap_kb
            render = partial(run_timed, argv, ROOT, log_path, self.scale_timeout, cap)
            colds, changes = [], []
            for _ in range(self.repeats):  # each: from an empty cache, then one claim changed
                self.cold_cache()
                colds.append(render())
                if not colds[-1].ok:
                    break
                change_one_claim(data / "claims.csv")  # again, with the cache it filled
                changes.append(render())
            result = row["m"] = typical(colds)
            if changes:
                row["changed"] = typical(changes)
            row["pages"], row["pdf_bytes"] = pdf_facts(
                out / row["as_of"] / f"briefing-{row['as_of']}.pdf"
            )
            log(
                f"scale {n}: {secs(result.seconds)} s, {mb(result.rss_kb)} MB, "
                f"{row['pages']} pages" + (f" ({result.error})" if result.error else "")
            )
            if result.timed_out:
                self.problem(f"scale {n}", result.error, crash=False)
                skip_reason = f"not run: the {n:,}-claim render was stopped ({result.error})"
            elif not result.ok:
                self.problem(f"scale {n}", result.error)
            self.discard(out, result.ok)
            self.discard(data, result.ok)

    # a million claims ------------------------------------------------------------

    def run_million(self, n: int) -> None:
        """Issue 20: n claims from CSV cold, again after one changed claim, from Parquet."""
        data = self.work / f"million-{n}"
        synth_s = synth(n, data, parquet=True)
        as_of = newest_source_date(data / "sources")
        self.million = {"claims": n, "synth_s": synth_s, "as_of": as_of, "runs": []}
        self.commands["million"] = [
            f"python bench/synth.py --claims {n} --out DIR --parquet",
            "briefing render --data-dir DIR --claims DIR/claims.csv (then DIR/claims.parquet) "
            "--sources DIR/sources --judgments DIR/judgments.csv --output-dir TMP --as-of NEWEST",
        ]
        out = self.fresh("million")
        runs = (
            ("CSV, cold", data / "claims.csv"),
            ("CSV, one claim changed", data / "claims.csv"),
            ("Parquet, cold", data / "claims.parquet"),
            ("Parquet, one claim changed", data / "claims.parquet"),
        )
        measured: dict[str, list] = {label: [] for label, _ in runs}
        failed = False
        for _ in range(self.repeats):
            for label, claims in runs:
                if label.endswith("cold"):
                    self.cold_cache()
                if label == "CSV, one claim changed":
                    change_one_claim(claims)  # the cache holds what the cold run checked
                if label == "Parquet, one claim changed":
                    change_one_parquet_claim(data / "claims.csv", claims)
                log(f"million: {n:,} claims, {label}")
                result = run_timed(
                    [BRIEFING, "-q", "render", "--data-dir", data, "--claims", claims,
                     "--sources", data / "sources", "--judgments", data / "judgments.csv",
                     "--output-dir", out, "--as-of", as_of],
                    ROOT,
                    self.work / f"million-{label.replace(', ', '-').replace(' ', '-')}.log",
                    timeout=self.scale_timeout,
                    memory_cap_kb=max(self.memory_cap_kb, MILLION_MEMORY_CAP_KB),
                )  # fmt: skip
                pages, size = pdf_facts(out / as_of / f"briefing-{as_of}.pdf")
                measured[label].append((result, pages, size, folder_bytes(out / as_of)))
                log(f"million {label}: {secs(result.seconds)} s, tree {mb(result.tree_kb)} MB")
                if not result.ok:
                    self.problem(f"million {label}", result.error, crash=not result.timed_out)
                    failed = True
                    break
            if failed:
                break
        for label, found in measured.items():
            if found:
                _, pages, size, outputs = found[-1]
                result = typical([m for m, *_ in found])
                self.million["runs"].append((label, result, pages, size, outputs))
        self.discard(out, True)
        self.discard(data, True)

    # series -------------------------------------------------------------------

    def run_series(self, claims: int, dates: int) -> None:
        base = self.work / "series"
        data = base / "data"
        synth(claims, data, dates=dates)  # with its own reference/ (actors, indicators)
        (data / "claims").mkdir()
        (data / "judgments").mkdir()
        (data / "claims.csv").rename(data / "claims" / "claims.csv")
        (data / "judgments.csv").rename(data / "judgments" / "judgments.csv")
        for extra in ("gaps.csv", "events.csv"):
            (data / extra).unlink()
        count = len({p.name[:10] for p in (data / "sources").glob("*.md")})
        self.series = {"claims": claims, "dates": count, "runs": {}}
        self.commands["series"] = [
            f"python bench/synth.py --claims {claims} --dates {dates} --out DATA "
            "(laid out as DATA/reference, sources, claims/claims.csv, judgments/judgments.csv)",
            "briefing series --output-dir TMP1 --jobs 1 --data-dir DATA",
            "briefing series --output-dir TMP2 --jobs 2 --data-dir DATA",
            "briefing series --output-dir TMP3 --scheduler local:2 --data-dir DATA",
        ]
        for jobs, engine in SERIES_RUNS.items():
            out = self.fresh(f"series-{jobs.replace(':', '-')}")
            log(f"series: {count} dates, {jobs}")
            result = run_timed(
                [BRIEFING, "-q", "series", "--output-dir", out, *engine, "--data-dir", data],
                ROOT,
                self.work / f"series-{jobs.replace(':', '-')}.log",
                timeout=self.series_timeout,
                memory_cap_kb=self.memory_cap_kb,
            )
            rendered = len(list(out.glob("*/briefing-*.pdf")))
            self.series["runs"][jobs] = (result, rendered)
            self.series["bytes"] = folder_bytes(out)
            log(
                f"series {jobs}: {secs(result.seconds)} s, {rendered} briefings"
                + (f" ({result.error})" if result.error else "")
            )
            if not result.ok:
                self.problem(f"series {jobs}", result.error, crash=not result.timed_out)
            self.discard(out, result.ok)
        self.discard(base, all(m.ok for m, _ in self.series["runs"].values()))

    # profile ------------------------------------------------------------------

    def run_critical_path(self) -> None:
        """Time one render stage by stage (``bench/critical_path.py``), a few times."""
        self.commands["critical path"] = [
            shlex.join(_shown([VENV_PY, CRITICAL_PATH, "--as-of", AS_OF, "--output-dir", "TMP"]))
        ]
        for index in range(1 if self.quick else 3):
            out = self.fresh("critical")
            log_path = self.work / f"critical-{index}.log"
            argv = [VENV_PY, CRITICAL_PATH, "--as-of", AS_OF, "--output-dir", out]
            result = run_timed(argv, ROOT, log_path, memory_cap_kb=self.memory_cap_kb)
            log(f"critical path {index + 1}: {secs(result.seconds)} s")
            self.discard(out, result.ok)
            if not result.ok:
                self.problem("critical path", result.error)
                return
            lines = log_path.read_text(encoding="utf-8").splitlines()
            events = [json.loads(line) for line in lines if line.startswith("{")]
            if not events:
                self.problem("critical path", "the script printed no timings")
                return
            self.critical.append((result, events[-1]))

    def run_preview(self) -> None:
        """Save -> reload timings of ``briefing preview`` (``bench/preview.py``)."""
        edits, measured = (3, 3) if self.quick else (50, 12)
        argv = [VENV_PY, PREVIEW, "--edits", str(edits), "--measured", str(measured)]
        if self.quick:
            argv += ["--cold", "1", "--idle", "2"]
        self.commands["preview"] = [shlex.join(_shown(argv))]
        log_path = self.work / "preview.log"
        result = run_timed(argv, ROOT, log_path, memory_cap_kb=self.memory_cap_kb)
        log(f"preview: {secs(result.seconds)} s")
        if not result.ok:
            self.problem("preview", result.error)
            return
        lines = log_path.read_text(encoding="utf-8").splitlines()
        found = [json.loads(line) for line in lines if line.startswith("{")]
        if not found:
            self.problem("preview", "the script printed no timings")
            return
        self.preview = found[-1]

    def run_extraction(self) -> None:
        """How well ``briefing propose`` drafts the shipped claims (``bench/extraction.py``)."""
        argv = [VENV_PY, EXTRACTION]
        self.commands["extraction"] = [shlex.join(_shown(argv))]
        self.extraction = capture(argv)
        log("extraction: measured" if self.extraction else "extraction: no result")
        if not self.extraction.startswith("## Extraction"):
            self.problem("extraction", "bench/extraction.py printed no section")

    def run_profile(self) -> None:
        prof = self.work / "render.prof"
        out = self.fresh("profile")
        argv = [
            VENV_PY,
            "-m",
            "cProfile",
            "-o",
            prof,
            BRIEFING,
            "render",
            "--as-of",
            AS_OF,
            "--output-dir",
            out,
        ]
        self.commands["profile"] = [
            shlex.join(
                _shown(
                    [
                        VENV_PY,
                        "-m",
                        "cProfile",
                        "-o",
                        "PROF",
                        BRIEFING,
                        "render",
                        "--as-of",
                        AS_OF,
                        "--output-dir",
                        "TMP",
                    ]
                )
            )
        ]
        log("profile: cProfile of one render")
        result = run_timed(argv, ROOT, self.work / "profile.log", memory_cap_kb=self.memory_cap_kb)
        self.profile["m"] = result
        shutil.rmtree(out, ignore_errors=True)
        if not result.ok or not prof.exists():
            self.problem("profile", result.error or "no profile written")
            return
        text = capture([VENV_PY, "-c", PROFILE_SCRIPT, prof, ROOT])
        if not text:
            self.problem("profile", "could not read the profile")
            return
        self.profile.update(json.loads(text))


PROFILE_SCRIPT = r"""
import json, pstats, sys, site
from pathlib import Path
stats = pstats.Stats(sys.argv[1])
root = sys.argv[2]
prefixes = sorted({*site.getsitepackages(), root + "/src", root}, key=len, reverse=True)
def where(key):
    path, line, name = key
    for prefix in prefixes:
        if path.startswith(prefix + "/"):
            path = path[len(prefix) + 1:]
            break
    return f"{path}:{line}({name})" if line else name
rows = sorted(stats.stats.items(), key=lambda item: item[1][3], reverse=True)
top = [{"function": where(k), "ncalls": v[1], "primitive": v[0], "tottime": v[2],
        "cumtime": v[3]} for k, v in rows[:15]]
stages = {}
for k, v in rows:
    if k[0].endswith("briefing/render.py") or k[0].endswith("briefing/evidence.py") \
            or k[0].endswith("briefing/export.py"):
        stages.setdefault(k[2], v[3])
print(json.dumps({"total": stats.total_tt, "top": top, "stages": stages}))
"""


def _shown(argv) -> list[str]:
    """A command for the results: paths inside the repository made relative to it."""
    shown = []
    for part in argv:
        text = str(part)
        if text == str(DATA):
            shown.append("ABSOLUTE_DATA")
            continue
        if text.startswith(str(ROOT) + "/"):
            text = text[len(str(ROOT)) + 1 :]
        shown.append(text)
    return shown


# --- the report ---------------------------------------------------------------------------


def report(bench: Bench, started: str, elapsed: float, argv: list[str]) -> str:
    info = machine()
    ours_v, lab_v = versions(VENV_PY), versions(LAB / "bin" / "python")
    lines = [
        "# Benchmark results",
        "",
        f"Generated {started} by `python bench/run.py {shlex.join(argv)}` in {elapsed / 60:.1f} "
        f"min; source tree: {tree_state(bench)}. Mode: {'quick' if bench.quick else 'full'}, "
        f"{bench.runs} timed run(s) per command"
        + ("" if bench.quick else " after one warm-up of each")
        + ".",
        "",
        *disturbance_warning(bench),
        "## Machine",
        "",
        f"- CPUs (nproc): {info['nproc']}",
        f"- CPU model: {info['cpu']}",
        f"- memory: {info['memory']}",
        f"- OS: {info['os']}",
        "",
        "## Versions",
        "",
        "| package | .venv (ours, floor) | .venv-lab (usual) |",
        "|---|---|---|",
    ]
    for name in ["python", *PACKAGES]:
        lines.append(f"| {name} | {ours_v.get(name) or '–'} | {lab_v.get(name) or '–'} |")
    lines += [
        "",
        "## Comparison",
        "",
        f"The shipped data as of {AS_OF}, each run into a fresh temporary folder with an "
        "empty claims cache (`BRIEFING_CACHE_DIR`: ours checks every claim each time), commands "
        "alternating (ours, usual, floor, ours, …). Wall time and peak RSS from "
        '`/usr/bin/time -f "%e %M"`; for `usual` (three processes) the sum of the times and '
        "the largest RSS. GNU time's RSS is that of the largest single process (the kernel or "
        "its parent), not their sum; *tree RSS* is the peak of the summed RSS of the whole "
        "process tree, sampled every 0.25 s. *Other load* is the CPU time the rest of the "
        "machine used meanwhile, as a share of one core (the largest over the runs; the "
        "watchdog's own sampling is part of it).",
        "",
        "| command | median s | min–max s | peak RSS MB | tree RSS MB | other load | runs ok |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, results in bench.comparison.items():
        good = [m for m in results if m.ok]
        if good:
            times = [m.seconds for m in good]
            lines.append(
                f"| {name} | {statistics.median(times):.2f} | {min(times):.2f}–{max(times):.2f}"
                f" | {mb(max(m.rss_kb or 0 for m in good))} | "
                f"{mb(max(m.tree_kb or 0 for m in good))} | {load(good)} | "
                f"{len(good)}/{len(results)} |"
            )
        else:
            lines.append(f"| {name} | – | – | – | – | – | 0/{len(results)} |")
    lines += [""] + [f"- {note}" for note in bench.notes] + ([""] if bench.notes else [])
    ours, usual, floor = bench.median("ours"), bench.median("usual"), bench.median("floor")
    lines += ["### Ratios", "", "| ratio | value | target | result |", "|---|---|---|---|"]
    if ours and usual:
        r = usual / ours
        lines.append(
            f"| usual / ours | {r:.2f} | ≥ {TARGET_USUAL_OVER_OURS} | "
            f"{verdict(r >= TARGET_USUAL_OVER_OURS)} |"
        )
    else:
        lines.append(f"| usual / ours | – | ≥ {TARGET_USUAL_OVER_OURS} | n/a (not measured) |")
    if ours and floor:
        r = ours / floor
        lines.append(
            f"| ours / floor | {r:.2f} | ≤ {TARGET_OURS_OVER_FLOOR} | "
            f"{verdict(r <= TARGET_OURS_OVER_FLOOR)} |"
        )
    else:
        lines.append(f"| ours / floor | – | ≤ {TARGET_OURS_OVER_FLOOR} | n/a (not measured) |")
    lines += critical_path_section(bench, ours, floor)
    lines += scale_section(bench, ours) + million_section(bench) + series_section(bench)
    lines += preview_section(bench)
    if bench.extraction:
        lines += ["", *bench.extraction.rstrip().splitlines()]
    lines += profile_section(bench)
    lines += [
        "",
        "## Commands",
        "",
        "Run from the repository root; TMP is a fresh temporary folder for each run.",
        "",
        "```sh",
    ]
    for name, commands in bench.commands.items():
        lines.append(f"# {name}")
        lines += commands
    lines += ["```", "", "## Problems", ""]
    lines += [f"- {p}" for p in bench.problems] or ["None: every command exited 0."]
    if bench.problems and not bench.keep:
        lines += ["", "Run again with `--keep` to keep the logs and the outputs of failed runs."]
    return "\n".join(lines) + "\n"


def disturbance_warning(bench: Bench) -> list[str]:
    """A warning when other processes used the CPU while commands were timed."""
    measured = [m for results in bench.comparison.values() for m in results]
    measured += [row["m"] for row in bench.scale if row.get("m")]
    measured += [m for m, _ in bench.series.get("runs", {}).values()]
    measured += [bench.profile["m"]] if bench.profile.get("m") else []
    loads = [m.other_load for m in measured if m.other_load is not None]
    if not loads or max(loads) < OTHER_LOAD_WARNING:
        return []
    return [
        f"**Warning:** other processes used up to {max(loads) * 100:.0f} % of a core while "
        "commands were being timed (the *other load* columns: CPU time the rest of the machine "
        "used, from `/proc/stat`, as a share of one core). Timings from such runs are "
        "disturbed; run again on a quiet machine.",
        "",
    ]


def scale_section(bench: Bench, ours: float | None) -> list[str]:
    limit_s = SCALE_TIME_FACTOR * ours if ours else None
    lines = [
        "",
        "## Scale",
        "",
        "Synthetic data sets from `bench/synth.py` (seed 0), rendered as of the newest "
        "source date, no warm-up, with an empty claims cache; then again after one claim's "
        "statement changed, with the cache that render filled; "
        f"{bench.repeats} time(s) each, the median shown (the range in brackets; peak RSS: "
        "the largest). Limits (on the first render): time ≤ "
        + (
            f"{limit_s:.1f} s ({SCALE_TIME_FACTOR:g}× ours' median)"
            if limit_s
            else f"{SCALE_TIME_FACTOR:g}× ours' median (not measured)"
        )
        + f", peak RSS ≤ {SCALE_RSS_LIMIT_MB / 1024:g} GB, pages < {SCALE_PAGES_BELOW}. "
        f"A render is stopped after {bench.scale_timeout:.0f} s.",
        "",
    ]
    if bench.scale_error:
        return lines + [f"**Not measured:** {bench.scale_error}."]
    lines += [
        "| claims | sources | synth s | render s | peak RSS MB | tree RSS MB | other load | pages "
        "| PDF MB | one claim changed s | changed / cold | time | RSS | pages |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in bench.scale:
        m: Measurement | None = row.get("m")
        if m is None:
            lines.append(
                f"| {row['claims']:,} | – | – | – | – | – | – | – | – | – | – | n/a | n/a | n/a |"
            )
            continue
        time_ok = None if limit_s is None or m.seconds is None else m.seconds <= limit_s
        if m.timed_out:
            time_ok = False
        rss_ok = None if m.rss_kb is None else m.rss_kb / 1024 <= SCALE_RSS_LIMIT_MB
        if m.timed_out and "GB" in (m.error or ""):
            rss_ok = False
        pages = row.get("pages")
        pages_ok = None if pages is None else pages < SCALE_PAGES_BELOW
        size = row.get("pdf_bytes")
        changed: Measurement | None = row.get("changed")
        again = changed.seconds if changed is not None and changed.ok else None
        share = f"{again / m.seconds:.2f}" if again and m.ok and m.seconds else "–"
        lines.append(
            f"| {row['claims']:,} | {row['sources']:,} | {row['synth_s']:.1f} | "
            f"{spread(m)}{' (stopped)' if m.timed_out else ''} | {mb(m.rss_kb)} | "
            f"{mb(m.tree_kb)} | {load([m])} | {pages if pages is not None else '–'} | "
            f"{'–' if size is None else f'{size / 1024**2:.2f}'} | "
            f"{spread(changed) if again else '–'} | {share} | "
            f"{verdict(time_ok)} | {verdict(rss_ok)} | {verdict(pages_ok)} |"
        )
    notes = [
        f"- {row['claims']:,} claims: {row.get('error') or row['m'].error}"
        for row in bench.scale
        if row.get("error") or (row.get("m") and row["m"].error)
    ]
    return lines + ([""] + notes if notes else [])


def million_section(bench: Bench) -> list[str]:
    """Issue 20's table: a million claims cold, after one changed claim, from Parquet; then
    what a 10M-claim table and an 18,000-render day would need, from the measured costs."""
    lines = ["", "## A million claims", ""]
    million = bench.million
    if not million.get("runs"):
        return lines + ["**Not measured** (see Problems)."]
    base = max((r for r in bench.scale if r.get("m") and r["m"].ok), default=None,
               key=lambda r: r["claims"])  # fmt: skip
    base_s = base["m"].seconds if base else None
    lines += [
        f"`bench/synth.py --claims {million['claims']:,} --parquet` ({million['synth_s']:.1f} s), "
        f"rendered as of {million['as_of']}: cold from CSV (an empty claims cache), again after "
        "one claim's statement changed (a row in the middle of the table, made longer; the "
        "cache the cold render filled), then the same two "
        "from Parquet (the file written again after the change, as a feed rewrites it). Tree "
        "RSS is the peak of the render and its kernel together; each of the four runs "
        f"{bench.repeats} time(s) over, in turn, the median shown (the range in brackets; "
        "tree RSS: the largest). Targets (issue 20): cold ≤ "
        f"{MILLION_OVER_100K:g}× the {base['claims']:,}-claim render of the Scale section "
        f"({secs(base_s)} s), tree RSS ≤ {MILLION_TREE_GB:g} GB, ≤ {MILLION_PAGES} pages; "
        f"after one changed claim ≤ {MILLION_CHANGED_OVER_COLD:g}× cold."
        if base
        else "(no Scale row to compare with)",
        "",
        "| run | render s | CPU s | tree RSS MB | pages | PDF MB | outputs MB | time | RSS "
        "| pages |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    colds = {}  # the cold render of each format
    for label, m, pages, size, outputs in million["runs"]:
        kind, _, run = label.partition(", ")
        if run == "cold":
            colds[kind] = m.seconds if m.ok else None
        if run == "one claim changed":
            cold = colds.get(kind)
            time_ok = None if not (cold and m.ok) else m.seconds <= MILLION_CHANGED_OVER_COLD * cold
        else:
            time_ok = None if not (base_s and m.ok) else m.seconds <= MILLION_OVER_100K * base_s
        rss_ok = None if m.tree_kb is None else m.tree_kb / 1024**2 <= MILLION_TREE_GB
        pages_ok = None if pages is None else pages <= MILLION_PAGES
        lines.append(
            f"| {label} | {spread(m)} | {m.cpu_s:.1f} | {mb(m.tree_kb)} | "
            f"{pages if pages is not None else '–'} | "
            f"{'–' if size is None else f'{size / 1024**2:.1f}'} | {outputs / 1024**2:.0f} | "
            f"{verdict(time_ok)} | {verdict(rss_ok)} | {verdict(pages_ok)} |"
        )
    return lines + paper_estimates(bench)


def paper_estimates(bench: Bench) -> list[str]:
    """What a 10M-claim table and an 18,000-render day would need, from measured costs."""
    runs = bench.million.get("runs") or []
    cold = next((r for r in runs if r[0] == "CSV, cold" and r[1].ok), None)
    two = (bench.series.get("runs") or {}).get("pool, --jobs 2")
    lines = ["", "On paper, from the measured costs above (linear extrapolation):", ""]
    if cold:
        _, m, _, _, outputs = cold
        n = bench.million["claims"]
        per_row_ms = m.seconds / n * 1000
        tree_gb = (m.tree_kb or 0) / 1024**2
        lines.append(
            f"- **10,000,000 claims** in one briefing: at {per_row_ms:.3f} ms and "
            f"{tree_gb / n * 1e6:.2f} GB per million rows as measured, about "
            f"{m.seconds * 10 / 60:.0f} min and {tree_gb * 10:.0f} GB of memory for one render, "
            f"{outputs * 10 / 1024**3:.1f} GB of outputs per briefing (the HTML lists every "
            "claim, the facts file every figure, the PDF attaches the known claims): not one "
            "two-core machine's job as built. The loading is columnar and chunked already; "
            "what grows with the table is the sections' per-claim work and the outputs, so "
            "it needs aggregates kept per cache chunk and outputs that list every claim "
            "only in a file of their own."
        )
    if two and two[0].ok and two[1]:
        m, rendered = two
        per_render = m.seconds * 2 / rendered  # core-seconds per briefing, two workers
        tree_per_worker = (m.tree_kb or 0) / 1024**2 / 2
        per_briefing_mb = bench.series.get("bytes", 0) / rendered / 1024**2
        day = 18_000
        core_hours = day * per_render / 3600
        lines.append(
            f"- **18,000 renders a day** (50 subjects × a year of dates) of the series' size "
            f"({bench.series['claims']} claims): {per_render:.1f} core-seconds each as measured "
            f"(pool, 2 jobs) → {core_hours:.0f} core-hours, i.e. {core_hours / 24:.1f} "
            f"worker cores busy around the clock or {core_hours / 8:.0f} for an 8-hour window; "
            f"≈ {tree_per_worker:.1f} GB of memory per worker; {per_briefing_mb:.1f} MB of "
            f"outputs per briefing → {day * per_briefing_mb / 1024:.0f} GB a day, "
            f"{day * per_briefing_mb * 365 / 1024**2:.1f} TB a year on the shared file system."
        )
    return lines + [""] if len(lines) > 3 else lines[:-3]


def _status(m: Measurement) -> str:
    """A short status for a table cell (the full error is under Problems)."""
    if m.ok:
        return "ok"
    return (m.error if m.timed_out else m.error.split(":")[0]) + " (see Problems)"


def series_section(bench: Bench) -> list[str]:
    lines = ["", "## Series", ""]
    series = bench.series
    if not series.get("runs"):
        return lines + ["**Not measured** (see Problems)."]
    lines += [
        f"`briefing series` on a synthetic data set of {series['claims']} claims over "
        f"{series['dates']} publication dates (one briefing per date), each into a fresh "
        f"output folder; stopped after {bench.series_timeout:.0f} s.",
        "",
        "| renders on | time s | CPU s | peak RSS MB | tree RSS MB | other load | briefings "
        "| status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for jobs, (m, rendered) in series["runs"].items():
        lines.append(
            f"| {jobs} | {secs(m.seconds)} | {m.cpu_s:.1f} | {mb(m.rss_kb)} | {mb(m.tree_kb)} | "
            f"{load([m])} | {rendered}/{series['dates']} | {_status(m)} |"
        )
    runs = series["runs"]
    one, two = runs.get("pool, --jobs 1"), runs.get("pool, --jobs 2")
    dask = runs.get("Dask LocalCluster, 2 workers")
    lines += _ratio_line("Speed-up jobs 1 → 2", "Speed-up", one, two, TARGET_SERIES_SPEEDUP, "≥")
    lines += _ratio_line("Dask (2 workers) / process pool (2 jobs)", "Dask / pool", dask, two,
                         TARGET_DASK_RATIO, "≤")  # fmt: skip
    return lines


def _ratio_line(label: str, short: str, top, bottom, target: float, sense: str) -> list[str]:
    """A blank line and ``label: **r×** (target ≥|≤ t): verdict.``, from two series runs
    (``(measurement, briefings)``), or that the ratio was not measured."""
    if top and bottom and top[0].ok and bottom[0].ok and bottom[0].seconds:
        ratio = top[0].seconds / bottom[0].seconds
        met = ratio >= target if sense == "≥" else ratio <= target
        return ["", f"{label}: **{ratio:.2f}×** (target {sense} {target}): {verdict(met)}."]
    return ["", f"{short}: not measured (target {sense} {target}): n/a."]


def preview_section(bench: Bench) -> list[str]:
    lines = ["", "## Preview", ""]
    p = bench.preview
    if not p:
        return lines + ["**Not measured** (see Problems)."]
    html, pdf, cold = p["html_median_s"], p["pdf_median_s"], p["cold_median_s"]
    growth = p["rss_end_mb"] - p["rss_start_mb"]
    rows = [
        ("save → HTML reload, median s", f"{html:.2f} ({min(p['html_s']):.2f}–"
         f"{max(p['html_s']):.2f})", f"≤ {PREVIEW_HTML_S}", html <= PREVIEW_HTML_S),
        ("save → HTML reload / cold render", f"{html / cold:.2f}",
         f"≤ {PREVIEW_HTML_OVER_COLD}", html / cold <= PREVIEW_HTML_OVER_COLD),
        ("save → PDF ready, median s", f"{pdf:.2f} ({min(p['pdf_s']):.2f}–"
         f"{max(p['pdf_s']):.2f})", "", None),
        ("save → PDF ready / cold render", f"{pdf / cold:.2f}",
         f"≤ {PREVIEW_PDF_OVER_COLD}", pdf / cold <= PREVIEW_PDF_OVER_COLD),
        ("idle CPU, share of one core", f"{p['idle_cpu'] * 100:.2f} %",
         f"< {PREVIEW_IDLE_CPU * 100:.0f} %", p["idle_cpu"] < PREVIEW_IDLE_CPU),
        (f"tree RSS growth over {p['edits']} edits, MB",
         f"{growth:.1f} ({p['rss_start_mb']:.0f} → {p['rss_end_mb']:.0f})",
         f"< {PREVIEW_RSS_GROWTH_MB}", growth < PREVIEW_RSS_GROWTH_MB),
    ]  # fmt: skip
    lines += [
        f"`bench/preview.py` on a copy of the shipped data as of {p['as_of']}: first the cold "
        f"`briefing render` of that date ({len(p['cold_s'])} run(s), median {cold:.2f} s, "
        f"{', '.join(f'{t:.2f}' for t in p['cold_s'])}), then `briefing preview` in the same "
        f"run (first render and PDF {p['first_render_s']:.2f} s). Each edit rewrites one "
        "claim's statement; times run from the file's write to the `html` event of the page's "
        f"event stream (the page reloads) and to the `pdf` event, over the first "
        f"{len(p['html_s'])} of {p['edits']} edits (0.5 s apart). Idle CPU: the server and its "
        "kernels over ten idle seconds after the edits. Tree RSS: the server and its kernels, "
        "after the first render and after the last edit.",
        "",
        "| measure | value | target | result |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {value} | {target or '–'} | {verdict(ok) if ok is not None else '–'} |"
        for name, value, target, ok in rows
    ]
    return lines


#: The critical path of a render: (label, from event, to event); "wall" is the process end.
CRITICAL_STAGES = [
    ("start the process, launch the kernel", None, "kernel:end"),
    ("kernel boots, imports pandas, matplotlib and the package", "kernel:end", "cells:start"),
    ("the notebook's cells (five charts)", "cells:start", "cells:end"),
    ("notebook written, HTML exported", "cells:end", "pdf:start"),
    ("PDF: WeasyPrint lays out, draws, tags and writes", "pdf:start", "pdf:end"),
    ("publish and exit", "pdf:end", "wall"),
]


def critical_path_section(bench: Bench, ours: float | None, floor: float | None) -> list[str]:
    """Where one render's wall time goes, stage by stage, against the floor."""
    lines = ["", "## Critical path", ""]
    if not bench.critical:
        return lines + ["**Not measured** (see Problems)."]

    def at(events: dict, wall: float, name: str | None) -> float:
        return 0.0 if name is None else wall if name == "wall" else events[name]

    runs = [(m.seconds, events) for m, events in bench.critical]
    try:
        stages = [
            (label, statistics.median(at(e, w, end) - at(e, w, start) for w, e in runs))
            for label, start, end in CRITICAL_STAGES
        ]
    except KeyError as missing:
        return lines + [f"**Not measured**: the render reported no {missing} event."]
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(m.cpu_s for m, _ in bench.critical)
    lines += [
        f"`bench/critical_path.py` runs `briefing render --as-of {AS_OF}` with timers around "
        f"its stages (median of {len(runs)} run(s); {wall:.2f} s wall). Each stage needs the "
        "one before it: the cells need the kernel, the export needs the executed notebook. "
        "Planning, validating the claims and warming up the exporters run alongside, on the "
        "other core, and are not on this path.",
        "",
        "| stage | s | × floor |",
        "|---|---|---|",
    ]
    total = sum(seconds for _, seconds in stages)
    for label, seconds in [*stages, ("**total**", total)]:
        share = f"{seconds / floor:.2f}" if floor else "–"
        lines.append(f"| {label} | {seconds:.2f} | {share} |")
    if floor:
        budget = TARGET_OURS_OVER_FLOOR * floor
        ready = stages[0][1] + stages[1][1]
        lines += [
            "",
            f"The kernel is ready {ready:.2f} s after the start, {ready / floor:.2f} × the "
            f"floor ({floor:.2f} s: papermill, a kernel, pandas and matplotlib). The target "
            f"(ours ≤ {TARGET_OURS_OVER_FLOOR:g} × floor = {budget:.2f} s) would leave "
            f"{budget - ready:.2f} s for the cells, the export and the exit, which take "
            f"{total - ready:.2f} s; the PDF alone takes {stages[4][1]:.2f} s. The render "
            f"used {cpu:.2f} s of CPU (both processes), so on two cores it cannot take less "
            f"than {cpu / 2:.2f} s ({cpu / 2 / floor:.2f} × floor) however it is scheduled.",
        ]
    if ours:
        lines += ["", f"(The comparison's median for ours was {ours:.2f} s.)"]
    return lines


def profile_section(bench: Bench) -> list[str]:
    lines = ["", "## Profile", ""]
    prof = bench.profile
    if not prof.get("top"):
        return lines + ["**Not measured** (see Problems)."]
    m = prof["m"]
    lines += [
        f"cProfile of the parent process of one `briefing render --as-of {AS_OF}` "
        f"({secs(m.seconds)} s wall under the profiler). The notebook's cells run in the "
        "kernel, a separate process that cProfile does not see: in the parent that time "
        "shows as papermill waiting (`execute_notebook`). Top 15 by cumulative time:",
        "",
        "| # | cumulative s | own s | calls | function |",
        "|---|---|---|---|---|",
    ]
    for index, row in enumerate(prof["top"], start=1):
        calls = (
            f"{row['ncalls']}/{row['primitive']}"
            if row["ncalls"] != row["primitive"]
            else str(row["ncalls"])
        )
        name = row["function"].replace("|", "\\|")
        lines.append(
            f"| {index} | {row['cumtime']:.2f} | {row['tottime']:.2f} | {calls} | `{name}` |"
        )
    stages = prof.get("stages", {})
    wanted = [
        "load_evidence",
        "execute_notebook",
        "normalise_notebook",
        "export_briefing",
        "from_notebook_node",
        "html_to_pdf",
        "build_manifest",
        "publish",
    ]
    found = [(name, stages[name]) for name in wanted if name in stages]
    if found:
        lines += [
            "",
            "Stages of `render_briefing` (cumulative s): "
            + "; ".join(f"`{name}` {seconds:.2f}" for name, seconds in found)
            + ".",
        ]
    return lines


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "bench" / "results.md",
        help="Markdown results file (default bench/results.md)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny inputs, one run, no warm-up (for tests)"
    )
    parser.add_argument(
        "--scale-timeout",
        type=float,
        default=900,
        metavar="S",
        help="stop a scale render after S seconds (default 900)",
    )
    parser.add_argument(
        "--series-timeout",
        type=float,
        default=1800,
        metavar="S",
        help="stop a series run after S seconds (default 1800)",
    )
    parser.add_argument(
        "--memory-cap",
        type=float,
        default=None,
        metavar="GB",
        help="kill a command whose process tree exceeds GB "
        "(default: 8 GB or half the machine's memory, if less)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder and logs")
    args = parser.parse_args(argv)
    if not Path(GNU_TIME).exists():
        print(f"bench: {GNU_TIME} (GNU time) is needed", file=sys.stderr)
        return 2
    if not BRIEFING.exists():
        print(f"bench: {BRIEFING} is missing; run make venv", file=sys.stderr)
        return 2
    runs = 1 if args.quick else max(1, args.runs)
    half = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**31
    cap_gb = args.memory_cap or min(8.0, half)
    work = Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    bench = Bench(
        runs, args.quick, work, args.scale_timeout, args.series_timeout, int(cap_gb * 1024**2)
    )
    bench.keep, bench.tree_at_start = args.keep, git_state()
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    start = time.monotonic()
    sections = [
        ("comparison", bench.run_comparison),
        ("scale", lambda: bench.run_scale([200] if args.quick else [1000, 10000, 100000])),
        ("series", lambda: bench.run_series(*((15, 3) if args.quick else (600, 30)))),
        ("million", lambda: bench.run_million(300 if args.quick else 1_000_000)),
        ("critical path", bench.run_critical_path),
        ("preview", bench.run_preview),
        ("extraction", bench.run_extraction),
        ("profile", bench.run_profile),
    ]
    try:
        for name, run in sections:
            try:
                run()
            except Exception:
                bench.problem(
                    name, "crashed: " + traceback.format_exc().strip().replace("\n", " | ")
                )
        text = report(bench, started, time.monotonic() - start, argv)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    finally:
        if args.keep:
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if bench.crashed else 0


if __name__ == "__main__":
    sys.exit(main())
