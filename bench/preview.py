"""``briefing preview`` timed from a save to the page's reload; prints JSON.

    .venv/bin/python bench/preview.py [--edits 50] [--measured 12] [--as-of DATE]

On a copy of the shipped data (the repository's files are never touched): cold ``briefing
render`` of the same date three times, then ``briefing preview --port 0`` on the copy,
listening to its event stream like the page does. Each edit rewrites one claim's statement
and times, from the moment the file is written, the ``html`` event (the page reloads) and the
``pdf`` event (the PDF link is ready); the first ``--measured`` edits are reported, all
``--edits`` are made before the process tree's RSS is read again. Then the tree's CPU is read
over ten idle seconds. ``bench/run.py`` turns the JSON into the "Preview" section.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEFING = ROOT / ".venv" / "bin" / "briefing"
CLAIM_LINE = 2  # the first claim of the table (line 1 is the header)


def tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [pid], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pids) -> float:
    """User + system CPU seconds of the processes (those still alive)."""
    total = 0
    for pid in pids:
        try:
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def rss_mb(pids) -> float:
    """Summed resident set of the processes, in MB."""
    total = 0
    for pid in pids:
        try:
            for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Events:
    """The preview's event stream, read in a thread: ``(time, name)`` pairs."""

    def __init__(self, port: int):
        self.seen: list[tuple[float, str]] = []
        self.lock = threading.Condition()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("GET", "/events")
        self.response = connection.getresponse()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.response:
            if line.startswith(b"event:"):
                with self.lock:
                    self.seen.append((time.monotonic(), line[6:].strip().decode()))
                    self.lock.notify_all()

    def after(self, name: str, since: float, timeout: float = 300) -> float | None:
        """When the first ``name`` event after ``since`` came (``None``: not in time)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for when, seen in self.seen:
                    if when >= since and seen == name:
                        return when
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.lock.wait(left)


def edit(claims: Path, n: int) -> float:
    """Rewrite the first claim's statement with a new ending; return when it was written."""
    rows = list(csv.reader(io.StringIO(claims.read_text(encoding="utf-8"))))
    column = rows[0].index("statement")
    row = rows[CLAIM_LINE - 1]
    row[column] = re.sub(r" \(edit \d+\)$", "", row[column]) + f" (edit {n})"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    claims.write_text(out.getvalue(), encoding="utf-8")
    return time.monotonic()


def cold_renders(data: Path, as_of: str, work: Path, runs: int) -> list[float]:
    """Wall seconds of ``briefing render`` of the same date, each into a fresh folder."""
    times = []
    for n in range(runs):
        out = work / f"cold-{n}"
        start = time.monotonic()
        subprocess.run(
            [BRIEFING, "-q", "render", "--data-dir", data, "--as-of", as_of, "--output-dir", out],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        times.append(round(time.monotonic() - start, 3))
        shutil.rmtree(out, ignore_errors=True)
    return times


def newest_date(data: Path) -> str:
    return max(p.name[:10] for p in (data / "sources").glob("*.md"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=50, help="edits in all (default 50)")
    parser.add_argument("--measured", type=int, default=12, help="edits reported (default 12)")
    parser.add_argument("--cold", type=int, default=3, help="cold renders (default 3)")
    parser.add_argument("--idle", type=float, default=10.0, help="idle seconds measured")
    parser.add_argument("--as-of", help="the date (default: the newest source date)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="briefing-bench-preview-"))
    data = work / "data"
    shutil.copytree(ROOT / "data", data)
    as_of = args.as_of or newest_date(data)
    result = {"as_of": as_of, "edits": args.edits}
    process = None
    try:
        result["cold_s"] = cold_renders(data, as_of, work, args.cold)
        env = {**os.environ, "TMPDIR": str(work)}
        process = subprocess.Popen(
            [BRIEFING, "preview", "--port", "0", "--data-dir", data, "--as-of", as_of],
            cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        line = process.stdout.readline()
        port = int(re.search(r":(\d+)/", line)[1])
        events = Events(port)
        started = time.monotonic()
        if events.after("pdf", 0) is None:
            raise SystemExit("the first render did not finish")
        result["first_render_s"] = round(time.monotonic() - started, 3)
        time.sleep(1.0)  # the standby kernel for the next render has booted
        result["rss_start_mb"] = round(rss_mb(tree(process.pid)), 1)
        html, pdf = [], []
        claims = data / "claims" / "claims.csv"
        for n in range(1, args.edits + 1):
            written = edit(claims, n)
            shown = events.after("html", written)
            ready = events.after("pdf", written)
            if shown is None or ready is None:
                raise SystemExit(f"edit {n}: no reload within the timeout")
            if n <= args.measured:
                html.append(round(shown - written, 3))
                pdf.append(round(ready - written, 3))
            time.sleep(0.5)  # a person looks before the next save; the standby boots
        time.sleep(1.0)
        result["html_s"], result["pdf_s"] = html, pdf
        result["rss_end_mb"] = round(rss_mb(tree(process.pid)), 1)
        pids = tree(process.pid)
        before, start = cpu_seconds(pids), time.monotonic()
        time.sleep(args.idle)
        result["idle_cpu"] = round((cpu_seconds(pids) - before) / (time.monotonic() - start), 4)
        process.send_signal(signal.SIGINT)
        result["exit"] = process.wait(120)
        result["html_median_s"] = statistics.median(html)
        result["pdf_median_s"] = statistics.median(pdf)
        result["cold_median_s"] = statistics.median(result["cold_s"])
    finally:
        if process is not None and process.poll() is None:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
