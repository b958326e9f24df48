"""``briefing preview``: real renders on a real server on loopback, a real browser.

No timing is asserted: waits have generous deadlines and only say how long to wait.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, fixture_claims, write_claims

from briefing.preview.renders import Previewer
from briefing.preview.server import PreviewServer, inside
from briefing.preview.watch import Watcher, counts

NOTEBOOK = ROOT / "notebooks" / "briefing.ipynb"
CHECKERS = ROOT / "tools" / "checkers"
WAIT = 120  # seconds: a deadline for slow machines, never a measurement


def edit_statement(data: Path, text: str, **cells) -> None:
    """Rewrite the fixture claims with the first claim's statement (and ``cells``) changed."""
    rows = fixture_claims()
    rows[0].update(statement=text, **cells)
    write_claims(data / "claims" / "claims.csv", rows)


def get(server, path: str) -> tuple[int, str]:
    """GET ``path`` from a running preview server."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=WAIT)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


@pytest.fixture
def preview(dataset):
    """A previewer with its server on loopback, on the fixture data, rendered once."""
    previewer = Previewer(as_of=None, notebook=NOTEBOOK, data_dir=dataset, pdf=False)
    server = PreviewServer(previewer, "127.0.0.1", 0)
    server.start()
    previewer.start()
    assert previewer.wait_idle(WAIT)
    yield previewer, server, dataset
    server.stop()
    previewer.stop()


# --- what is rendered when ---------------------------------------------------------------


def test_the_newest_save_wins_and_a_stale_render_is_dropped(preview):
    previewer, server, data = preview
    first = previewer.state
    assert first.failure is None and first.html is not None
    edit_statement(data, "Statement saved first.")
    previewer.request()
    time.sleep(0.3)  # the first save's render is under way
    for n in range(5):  # a burst of saves while it runs
        edit_statement(data, f"Statement saved last {n}.")
        previewer.request()
    assert previewer.wait_idle(WAIT)
    state = previewer.state
    html = state.html.read_text(encoding="utf-8")
    assert "Statement saved last 4." in html and "Statement saved first." not in html
    # the burst became one render after the (dropped or shown) first one: at most two shown
    assert first.generation < state.generation <= first.generation + 2


def test_problems_replace_the_briefing_and_the_last_good_render_stays(preview):
    previewer, server, data = preview
    edit_statement(data, "A good statement.")
    previewer.request()
    assert previewer.wait_idle(WAIT)
    edit_statement(data, "Broken.", quote="words that are not in the source")
    previewer.request()
    assert previewer.wait_idle(WAIT)
    status, page = get(server, "/")
    assert status == 200 and "claims/claims.csv:2:quote:" in page
    assert 'href="/last-good"' in page
    status, good = get(server, "/last-good")
    assert status == 200 and "A good statement." in good
    edit_statement(data, "Fixed again.")
    previewer.request()
    assert previewer.wait_idle(WAIT)
    status, page = get(server, "/")
    assert "Fixed again." in page and "claims.csv:2:quote" not in page


def test_a_notebook_that_raises_shows_the_cell_and_its_traceback(dataset, tmp_path):
    broken = tmp_path / "notebooks" / "briefing.ipynb"
    broken.parent.mkdir()
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if "sections.figures" in "".join(c["source"]))
    cell["source"] = ["raise RuntimeError('a cell that fails on purpose')"]
    broken.write_text(json.dumps(notebook), encoding="utf-8")
    previewer = Previewer(as_of=None, notebook=broken, data_dir=dataset, pdf=False)
    server = PreviewServer(previewer, "127.0.0.1", 0)
    server.start()
    previewer.start()
    try:
        assert previewer.wait_idle(WAIT)
        status, page = get(server, "/")
        assert "The notebook raised" in page and "RuntimeError" in page
        assert "a cell that fails on purpose" in page and "Traceback" in page
    finally:
        server.stop()
        previewer.stop()


def test_the_pdf_follows_the_html(dataset):
    previewer = Previewer(as_of=None, notebook=NOTEBOOK, data_dir=dataset, pdf=True)
    seen = []
    previewer.listeners.append(lambda event, state: seen.append((event, state.pdf_state)))
    server = PreviewServer(previewer, "127.0.0.1", 0)
    server.start()
    previewer.start()
    try:
        deadline = time.monotonic() + WAIT
        while ("pdf", "ready") not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen.index(("html", "waiting")) < seen.index(("pdf", "ready"))
        connection = http.client.HTTPConnection(server.host, server.port, timeout=WAIT)
        connection.request("GET", "/briefing.pdf")
        response = connection.getresponse()
        assert response.status == 200 and response.read().startswith(b"%PDF-")
    finally:
        server.stop()
        previewer.stop()


# --- the server --------------------------------------------------------------------------


def test_nothing_outside_the_preview_folder_is_served(preview, tmp_path):
    previewer, server, _ = preview
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    name = previewer.state.html.name
    assert get(server, f"/files/{name}")[0] == 200
    for path in (
        "/files/../secret.txt",
        "/files/%2e%2e/%2e%2e/secret.txt",
        "/files/..%2F..%2Fsecret.txt",
        f"/files/{tmp_path / 'secret.txt'}",
        "/../../etc/passwd",
        "/files/",
    ):
        status, body = get(server, path)
        assert status == 404 and "secret" not in body
    assert inside(previewer.state.files, "../secret.txt") is None
    assert inside(previewer.state.files, name) is not None


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_only_get_is_served(preview, method):
    _, server, _ = preview
    connection = http.client.HTTPConnection(server.host, server.port, timeout=WAIT)
    connection.request(method, "/", body=b"x")
    response = connection.getresponse()
    assert response.status == 405 and response.getheader("Allow") == "GET"


def test_the_reload_script_is_only_in_the_preview_page(preview):
    previewer, server, _ = preview
    _, page = get(server, "/")
    assert 'new EventSource("/events")' in page
    published = previewer.state.html.read_text(encoding="utf-8")
    assert "<script" not in published and "EventSource" not in published


def test_events_say_hello_then_html_after_a_save(preview):
    previewer, server, data = preview
    connection = http.client.HTTPConnection(server.host, server.port, timeout=WAIT)
    connection.request("GET", "/events")
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    names = []

    def read():
        for line in response:
            if line.startswith(b"event:"):
                names.append(line[6:].strip().decode())

    threading.Thread(target=read, daemon=True).start()
    edit_statement(data, "Seen through the event stream.")
    previewer.request()
    assert previewer.wait_idle(WAIT)
    deadline = time.monotonic() + WAIT
    while "html" not in names and time.monotonic() < deadline:
        time.sleep(0.05)
    assert names[0] == "hello" and "rendering" in names and "html" in names


# --- which saves count --------------------------------------------------------------------


def test_a_burst_of_saves_is_one_batch_and_code_restarts(tmp_path):
    data, package = tmp_path / "data", tmp_path / "src" / "briefing"
    data.mkdir()
    package.mkdir(parents=True)
    changes, restarts = [], []
    watcher = Watcher([data, package], lambda: changes.append(1), lambda: restarts.append(1))
    watcher.start()
    try:
        time.sleep(0.5)  # the watch is set up
        for n in range(20):
            (data / "claims.csv").write_text(f"save {n}\n", encoding="utf-8")
        deadline = time.monotonic() + WAIT
        while not changes and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # anything further would have arrived by now
        assert len(changes) == 1 and not restarts
        (package / "sections.py").write_text("x = 1\n", encoding="utf-8")
        while not restarts and time.monotonic() < deadline:
            time.sleep(0.05)
        assert restarts == [1] and len(changes) == 1
    finally:
        watcher.stop()


def test_editor_litter_is_ignored():
    here = Path("/repo/data/claims")
    assert counts(here / "claims.csv", [])
    for name in (".claims.csv.swp", "claims.csv~", ".#claims.csv", "x.partial"):
        assert not counts(here / name, [])
    assert not counts(Path("/repo/src/briefing/__pycache__/x.pyc"), [])
    assert not counts(Path("/tmp/preview/renders/x.html"), [Path("/tmp/preview")])


# --- the command: Ctrl-C, and the browser -------------------------------------------------


def start_command(data: Path, tmp: Path, *extra: str):
    """``briefing preview`` as a user starts it, with its own TMPDIR; returns the process
    and its address once it is rendered."""
    env = {**os.environ, "TMPDIR": str(tmp)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "briefing.cli",
            "preview",
            "--port",
            "0",
            "--data-dir",
            str(data),
            "--notebook",
            str(NOTEBOOK),
            *extra,
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, line
    return process, int(match[1])


def descendants(pid: int) -> list[int]:
    """The process ids below ``pid`` (bench/preview.py's reading of /proc)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from preview import tree
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return tree(pid)[1:]


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_leaves_no_kernel_no_socket_no_folder(dataset, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    process, port = start_command(dataset, tmp)
    try:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
            connection.request("GET", "/")
            if "Rendering the briefing" not in connection.getresponse().read().decode():
                break
            time.sleep(0.2)
        kernels = descendants(process.pid)
        while not kernels and time.monotonic() < deadline:  # booted once the page is shown
            time.sleep(0.1)
            kernels = descendants(process.pid)
        assert kernels  # the standby kernel for the next render is up
        process.send_signal(signal.SIGINT)
        assert process.wait(WAIT) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not [pid for pid in kernels if alive(pid)]
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass
    assert list(tmp.iterdir()) == []


@pytest.mark.skipif(
    not (CHECKERS / "node_modules" / "playwright-core").is_dir() or not shutil.which("node"),
    reason="make check-outputs installs the browser tools (tools/install-checkers.sh)",
)
def test_in_a_browser_the_page_follows_every_save(dataset, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    process, port = start_command(dataset, tmp, "--no-pdf")
    browser = subprocess.Popen(
        ["node", str(CHECKERS / "preview.mjs"), f"http://127.0.0.1:{port}/"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def expect(text: str) -> None:
        browser.stdin.write(json.dumps({"expect": text}) + "\n")
        browser.stdin.flush()
        answer = browser.stdout.readline().strip()
        assert answer == "seen", f"{text!r}: {answer}"

    try:
        expect("3,000 troops sent.")  # the fixture's first statement, rendered at start
        edit_statement(dataset, "Edited on disk, shown without a reload.")
        expect("Edited on disk, shown without a reload.")
        edit_statement(dataset, "Broken.", quote="words that are not in the source")
        expect("claims/claims.csv:2:quote:")
        edit_statement(dataset, "Fixed, the briefing is back.")
        expect("Fixed, the briefing is back.")
    finally:
        browser.stdin.close()
        browser.wait(WAIT)
        process.send_signal(signal.SIGINT)
        process.wait(WAIT)
