"""What the browser gets from ``briefing preview``.

Routes, all GET (any other method is refused with 405):

- ``/`` — the newest briefing with a status bar and a small reload script added before
  ``</body>``; while the newest render failed, its problems (``path:line:column:
  message``, or the notebook's traceback) with a link to the last good render;
- ``/last-good`` — the newest good briefing, even while the newest render failed;
- ``/briefing.pdf`` — its PDF, once laid out;
- ``/events`` — server-sent events: ``hello`` on connect (the generation shown and the PDF's
  state), ``rendering``, ``html`` (reload), ``problems`` (reload to see them), ``pdf``;
- ``/files/NAME`` — a file of the newest briefing's folder (the executed notebook, the
  facts); a name that leaves that folder is refused (404).

The reload script and the bar exist only in these pages; the briefing files themselves are
never changed.
"""

from __future__ import annotations

import html
import ipaddress
import json
import queue
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Seconds between keep-alive comments on an idle event stream.
KEEP_ALIVE = 15.0

PAGE_STYLE = """
#briefing-preview{position:fixed;right:0.75rem;bottom:0.75rem;z-index:1000;margin:0;
padding:0.4rem 0.7rem;border-radius:0.4rem;background:#1d2733;color:#fff;
font:13px/1.4 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)}
#briefing-preview a{color:#9cd0ff}
@media print{#briefing-preview{display:none}}
"""

RELOAD_SCRIPT = """
(function () {
  var shown = %(generation)d;
  var status = document.getElementById("briefing-preview-status");
  var pdf = document.getElementById("briefing-preview-pdf");
  function pdfState(state) {
    if (!pdf) return;
    pdf.textContent = {ready: "PDF ready", waiting: "PDF: laying out\\u2026",
                       failed: "PDF failed", off: "PDF off"}[state] || "";
    if (state === "ready") pdf.setAttribute("href", "/briefing.pdf");
    else pdf.removeAttribute("href");
  }
  var events = new EventSource("/events");
  events.addEventListener("hello", function (e) {
    var data = JSON.parse(e.data);
    if (data.generation !== shown) { location.reload(); return; }
    pdfState(data.pdf);
  });
  events.addEventListener("rendering", function () {
    if (status) status.textContent = "Rendering\\u2026";
  });
  events.addEventListener("html", function () { location.reload(); });
  events.addEventListener("problems", function () { location.reload(); });
  events.addEventListener("pdf", function (e) { pdfState(JSON.parse(e.data).pdf); });
})();
"""


def bar(state, page: str) -> str:
    """The status bar and the reload script added to a preview page."""
    if page == "last-good":
        where = 'Last good render · <a href="/">the problems</a>'
    elif state.failure is not None:
        where = "Problems" + (' · <a href="/last-good">last good render</a>' if state.html else "")
    else:
        where = f"Preview of {html.escape(state.as_of)} · rendered in {state.seconds:.1f} s"
    pdf = '<a id="briefing-preview-pdf"></a>' if state.pdf_state != "off" else ""
    script = RELOAD_SCRIPT % {"generation": state.generation}
    return (
        f"<style>{PAGE_STYLE}</style>"
        '<aside id="briefing-preview" aria-label="Preview status">'
        f'<span id="briefing-preview-status">{where}</span> {pdf}</aside>'
        f"<script>{script}</script>"
    )


def with_bar(document: str, state, page: str = "briefing") -> str:
    """``document`` with :func:`bar` inserted before its last ``</body>``."""
    added = bar(state, page)
    at = document.rfind("</body>")
    return document[:at] + added + document[at:] if at >= 0 else document + added


def problems_page(state) -> str:
    """The page shown while the newest render failed."""
    failure = state.failure
    lines = "\n".join(html.escape(line) for line in failure.lines)
    body = f"<pre>{lines}</pre>" if lines else ""
    good = '<p><a href="/last-good">Show the last good render</a></p>' if state.html else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Briefing preview: problems</title></head><body><main>"
        f"<h1>{html.escape(failure.title)}</h1>{body}{good}"
        "<p>Fix the file and save: the preview renders again.</p></main></body></html>"
    )


def waiting_page() -> str:
    """The page shown before the first render is done."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Briefing preview</title></head><body><main><h1>Rendering the briefing"
        "\u2026</h1></main></body></html>"
    )


def inside(folder: Path | None, name: str) -> Path | None:
    """``folder / name`` if it is a file inside ``folder`` (no ``..``, no link out)."""
    if folder is None or not name or "\0" in name:
        return None
    base = folder.resolve()
    target = (base / name).resolve()
    if target.parent != base and base not in target.parents:
        return None
    return target if target.is_file() else None


class Broker:
    """Hands every event to every connected event stream."""

    def __init__(self):
        self._lock = threading.Lock()
        self._streams: list[queue.Queue] = []

    def connect(self) -> queue.Queue:
        """A queue that receives every event from now on."""
        stream: queue.Queue = queue.Queue()
        with self._lock:
            self._streams.append(stream)
        return stream

    def disconnect(self, stream: queue.Queue) -> None:
        """Stop sending to ``stream``."""
        with self._lock:
            if stream in self._streams:
                self._streams.remove(stream)

    def publish(self, event: str | None, data: dict | None = None) -> None:
        """Send an event (``None``: end every stream)."""
        with self._lock:
            for stream in self._streams:
                stream.put(None if event is None else (event, data or {}))


class Handler(BaseHTTPRequestHandler):
    """One request to the preview server (see the module's docstring)."""

    server_version = "briefing-preview"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        """Quiet: a preview logs nothing per request."""

    def do_GET(self):  # noqa: N802 (the base class's name)
        """Serve one of the routes."""
        preview = self.server.preview
        state = preview.state
        path = unquote(urlsplit(self.path).path)
        if path == "/":
            if state.failure is not None:
                self._send_text(with_bar(problems_page(state), state))
            elif state.html is not None:
                self._send_briefing(state, "briefing")
            else:
                self._send_text(with_bar(waiting_page(), state))
        elif path == "/last-good" and state.html is not None:
            self._send_briefing(state, "last-good")
        elif path == "/briefing.pdf" and state.pdf is not None:
            self._send_file(state.pdf, "application/pdf")
        elif path == "/events":
            self._stream_events()
        elif path.startswith("/files/") and (target := inside(state.files, path[7:])):
            self._send_file(target, _content_type(target))
        else:
            self._send_text("<!DOCTYPE html><title>Not found</title><p>Not found.</p>", 404)

    def _refuse(self):
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _refuse  # noqa: N815

    def _send_briefing(self, state, page: str) -> None:
        try:
            document = state.html.read_text(encoding="utf-8")
        except OSError:  # replaced between the state and the read: the next event reloads
            document = waiting_page()
        self._send_text(with_bar(document, state, page))

    def _send_text(self, text: str, status: int = 200) -> None:
        self._send_bytes(text.encode("utf-8"), "text/html; charset=utf-8", status)

    def _send_file(self, path: Path, content_type: str) -> None:
        try:
            data = path.read_bytes()
        except OSError:
            self._send_text("<!DOCTYPE html><title>Not found</title><p>Not found.</p>", 404)
            return
        self._send_bytes(data, content_type)

    def _send_bytes(self, data: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _stream_events(self) -> None:
        broker = self.server.broker
        stream = broker.connect()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state = self.server.preview.state
        try:
            self._event("hello", {"generation": state.generation, "pdf": state.pdf_state})
            while True:
                try:
                    item = stream.get(timeout=KEEP_ALIVE)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                if item is None:
                    return
                self._event(*item)
        except OSError:  # the page went away
            return
        finally:
            broker.disconnect(stream)

    def _event(self, name: str, data: dict) -> None:
        self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()


def _content_type(path: Path) -> str:
    return {
        ".html": "text/html; charset=utf-8",
        ".json": "application/json",
        ".ipynb": "application/x-ipynb+json",
        ".pdf": "application/pdf",
    }.get(path.suffix, "application/octet-stream")


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that does not print a traceback when a page goes away."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        """Ignore connections the browser dropped; report anything else as usual."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class PreviewServer:
    """The HTTP server of a :class:`~briefing.preview.renders.Previewer`, in a thread."""

    def __init__(self, preview, host: str = "127.0.0.1", port: int = 0):
        self.preview = preview
        self.broker = Broker()
        self.httpd = QuietServer((host, port), Handler)
        self.httpd.preview, self.httpd.broker = preview, self.broker
        self.host, self.port = self.httpd.server_address[:2]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="preview-http", daemon=True
        )
        preview.listeners.append(self._changed)

    @property
    def url(self) -> str:
        """Where the preview is served."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def loopback(self) -> bool:
        """Whether only this machine can connect."""
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"

    def start(self) -> None:
        """Start serving."""
        self._thread.start()

    def stop(self) -> None:
        """End every event stream, stop serving and close the socket."""
        self.broker.publish(None)
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()

    def _changed(self, event: str, state) -> None:
        self.broker.publish(event, {"generation": state.generation, "pdf": state.pdf_state})
