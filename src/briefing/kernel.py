"""The notebook's kernel: started first, ready as soon as it answers, killed when done.

papermill executes the briefing notebook on a kernel that :class:`Kernel` starts before
anything else, so that it boots (and imports pandas and matplotlib) on one core while
the render plans on the other. Its client knows the kernel is ready as soon as the
kernel has answered on both channels, without jupyter_client's fixed wait. Parent and
kernel talk over Unix sockets in a folder of the kernel's own, not TCP ports on loopback:
jupyter_client picks a free port by binding and closing it, and another process (a
second render of a series, a test) could take that port before the kernel binds it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from contextlib import suppress
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type

#: Run by the kernel as it boots, while the parent plans the render: import the modules
#: the notebook's first cell imports anyway, read the inputs from the render's snapshot
#: (:func:`briefing.inputs.use_render_snapshot`), start loading the evidence as soon as
#: the snapshot is saved (:func:`briefing.evidence.preload_render_evidence`) and hand
#: freed memory back after each cell (:func:`briefing.cache.release_after_each_cell`).
#: Nothing is bound in the user's namespace.
KERNEL_WARM_UP = (
    "import briefing.sections as _warm, briefing.inputs as _inputs, briefing.evidence as _ev, "
    "briefing.cache as _cache; _inputs.use_render_snapshot(); _ev.preload_render_evidence(); "
    "_cache.release_after_each_cell(get_ipython()); del _warm, _inputs, _ev, _cache"
)
#: Quiet, and no IPython history: a render writes nothing into the user's ~/.ipython.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]
#: The environment a kernel does not inherit: the signing identity and its passphrase
#: (``briefing.signing``), which the notebook has no use for and could print.
SIGNING_VARIABLES = "BRIEFING_SIGNER"
#: The logger papermill hands nbclient: it reports the kernel's death.
EXECUTION_LOGGER = "papermill"
#: The longest socket folder used: a Unix socket's path (the folder, then ``/k-1`` to
#: ``/k-5``) must fit in 107 bytes. A deeper temporary folder gets TCP on loopback.
SOCKET_FOLDER_LIMIT = 100
#: The start of a kernel's socket folder's name; the render's process id follows.
SOCKET_PREFIX = "briefing-kernel-"


class Kernel:
    """The notebook's kernel, started as early as possible and stopped as soon as done.

    A kernel takes about a second to boot and import pandas and matplotlib. Started on
    entry, it does so on another core while this process plans the render; papermill
    then executes the notebook on it. It is killed (not asked to shut down: its outputs
    are in) once it has written the files it writes after the notebook (the listing and
    the facts, while the PDF is laid out), and on any error. Once killed because the data was
    invalid, what papermill and nbclient log about its death ("Kernel died while waiting
    for execute reply.") is dropped: the data's problems are the message.
    """

    def __init__(self, notebook: Path, snapshot: Path | None = None):
        self.notebook = notebook
        self.snapshot = snapshot
        self.manager = None
        self.stopping = None
        self.lock = threading.Lock()  # a kernel being stopped is never signalled
        self.killed = False  # by kill_if_failed: the execution's complaints are noise
        self.started = False  # a kernel is started once, then only stopped

    def __enter__(self) -> Kernel:
        logging.getLogger(EXECUTION_LOGGER).addFilter(self.quiet_after_kill)
        self.start()
        return self

    def start(self) -> None:
        """Start the kernel, unless it was started already (a standby kernel, see
        :class:`briefing.render.Standby`) or the notebook is missing (``plan_render``
        reports that)."""
        if self.manager is None and not self.started and self.notebook.is_file():
            self.manager = start_kernel(self.notebook.parent, self.snapshot)
            self.started = True

    def __exit__(self, *exc) -> None:
        try:
            if self.stopping is not None:
                self.stopping.join()
            self.stop()
        finally:
            logging.getLogger(EXECUTION_LOGGER).removeFilter(self.quiet_after_kill)

    def quiet_after_kill(self, record: logging.LogRecord) -> bool:
        """A logging filter: keep a record unless this kernel was killed on purpose."""
        return not self.killed

    def alive(self) -> bool:
        """Whether the kernel process still runs (not stopped, killed or dead)."""
        with self.lock:
            process = getattr(getattr(self.manager, "provisioner", None), "process", None)
            return process is not None and process.poll() is None

    def stop_soon(self) -> None:
        """Stop the kernel in a thread (killing it takes 0.1 s of waiting); joined on exit."""
        self.stopping = threading.Thread(target=self.stop, name="stop-kernel")
        self.stopping.start()

    def kill_if_failed(self, validation) -> None:
        """Kill the kernel at once when ``validation`` (a future) failed: the render is
        over, and papermill then stops within a second instead of finishing the notebook.
        Only signals the process; :meth:`stop` still reaps it and cleans up."""
        if validation.exception() is None:
            return
        self.kill()

    def kill(self) -> None:
        """Kill the kernel process now, quietly (what papermill then logs about its death
        is dropped); :meth:`stop` still reaps it. Also what ``briefing preview`` does to a
        render made stale by a newer save."""
        with self.lock:  # stop() has not taken the manager: the process is not reaped yet
            if self.manager is not None:
                self.killed = True
                with suppress(OSError, AttributeError):
                    os.kill(self.manager.provisioner.pid, signal.SIGKILL)

    def stop(self) -> None:
        """Kill the kernel and remove its connection file (idempotent)."""
        with self.lock:
            manager, self.manager = self.manager, None
        if manager is not None:
            for client in manager.clients:  # papermill's, left open as it does not own us
                client.stop_channels()
            loop = asyncio.new_event_loop()  # of its own: this may run in any thread
            try:
                loop.run_until_complete(manager.shutdown_kernel(now=True))
            finally:
                loop.close()
                manager.remove_sockets()


def start_kernel(cwd: Path, snapshot: Path | None = None):
    """Start a ``python3`` kernel in ``cwd`` that imports the briefing package as it boots.

    With ``snapshot``, the kernel reads its inputs from that file (written by the render
    before the notebook runs) instead of the disk. Returns the (asynchronous) kernel
    manager papermill is then given; it keeps the clients it makes in ``.clients``, so
    that their channels can be closed.
    """
    from jupyter_core.utils import run_sync

    from .cache import CACHE_VARIABLE, cache_folder, use_system_allocator
    from .inputs import SNAPSHOT_VARIABLE

    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
    env = {k: v for k, v in os.environ.items()  # the notebook never sees a signing secret
           if k != SNAPSHOT_VARIABLE and not k.startswith(SIGNING_VARIABLES)}  # fmt: skip
    if snapshot is not None:
        env[SNAPSHOT_VARIABLE] = str(Path(snapshot).resolve())
    env[CACHE_VARIABLE] = str(cache_folder() or "")  # the kernel runs in notebooks/
    use_system_allocator(env)
    manager = Manager(kernel_name="python3", **socket_settings())
    warm_up = f"--IPKernelApp.exec_lines={KERNEL_WARM_UP}"
    try:
        run_sync(manager.start_kernel)(
            cwd=str(cwd), env=env, extra_arguments=[*KERNEL_ARGUMENTS, warm_up]
        )
    except BaseException:
        manager.remove_sockets()
        raise
    return manager


def socket_settings() -> dict:
    """The kernel manager's transport: Unix sockets named ``k-1``, ``k-2``... in a new
    private folder (no other process can take them, unlike a TCP port picked free and
    bound later), or TCP on loopback when the temporary folder's path is too long for a
    socket's. The folder is named after this process; those of processes gone (a killed
    render's, whose kernel then exited) are removed first."""
    sweep_sockets()
    folder = tempfile.mkdtemp(prefix=f"{SOCKET_PREFIX}{os.getpid()}-")
    if len(folder) > SOCKET_FOLDER_LIMIT:
        os.rmdir(folder)
        return {}
    return {"transport": "ipc", "ip": os.path.join(folder, "k")}


def sweep_sockets() -> None:
    """Remove this user's kernel socket folders whose process no longer exists."""
    from .publish import pid_alive

    for folder in Path(tempfile.gettempdir()).glob(f"{SOCKET_PREFIX}*-*"):
        pid = folder.name[len(SOCKET_PREFIX) :].split("-")[0]
        with suppress(OSError):
            mine = pid.isdigit() and folder.lstat().st_uid == os.getuid() and folder.is_dir()
            if mine and not pid_alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)


class ReadyClient(AsyncKernelClient):
    """A kernel client that is ready as soon as the kernel has answered on both channels.

    jupyter_client's ``wait_for_ready`` then drains the IOPub channel until it has been
    quiet for 0.2 s: a fixed wait before every notebook's first cell. This one asks for
    ``kernel_info`` and is ready when the reply has come on the shell channel and the
    kernel's ``idle`` status for that request on IOPub (so IOPub is connected, and that
    exchange is over); otherwise it asks again, as jupyter_client does.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while not await self._answered(self.kernel_info()):
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _answered(self, request: str) -> bool:
        """Whether the kernel answered ``kernel_info`` request ``request`` on both channels."""
        reply = {"parent_header": {}}
        while reply["parent_header"].get("msg_id") != request:  # skip earlier requests' replies
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                return False
        while True:
            try:  # a subscription may miss what the kernel published before it was made
                message = await self.iopub_channel.get_msg(timeout=0.2)
            except Empty:
                return False
            if (
                message["parent_header"].get("msg_id") == request
                and message["msg_type"] == "status"
                and message["content"]["execution_state"] == "idle"
            ):
                self._handle_kernel_info_reply(reply)
                return True


class Manager(AsyncKernelManager):
    """An asynchronous kernel manager whose clients are :class:`ReadyClient` and are kept
    in ``.clients``, so that their channels can be closed."""

    client_factory = Type(ReadyClient, klass=AsyncKernelClient)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.clients = []

    def client(self, **kwargs):
        client = super().client(**kwargs)
        self.clients.append(client)
        return client

    def remove_sockets(self) -> None:
        """Remove the folder of the kernel's Unix sockets, if it has one (after shutdown)."""
        if self.transport == "ipc":
            shutil.rmtree(os.path.dirname(self.ip), ignore_errors=True)
