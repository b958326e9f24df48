"""Charts drawn once per content: the SVG of a chart whose inputs did not change.

``briefing preview`` renders the briefing again after every save, each time in a fresh
kernel. Most saves change no chart (a statement, a quote, a grade's note), yet every render
would draw all of them again, most of a preview render's time. With the environment
variable :data:`VARIABLE` naming a folder (the preview sets it for its kernels), a chart's
SVG is kept there under a key made of everything it is drawn from: the chart function, its
arguments, the code that draws and writes it and the matplotlib version. Same key, same
bytes: the cache holds no state of a render, only what the same inputs would draw again.
``briefing render`` never sets the variable, so a published briefing is always drawn afresh.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import cache
from pathlib import Path

#: The folder of the cache; unset (the default), charts are always drawn.
VARIABLE = "BRIEFING_CHART_CACHE"
#: How many charts the folder keeps; the least recently used go first.
KEEP = 64


def folder() -> Path | None:
    """The cache's folder, or ``None`` when charts are not cached."""
    value = os.environ.get(VARIABLE)
    return Path(value) if value else None


@cache
def code_stamp() -> bytes:
    """What the drawing code is: the chart module, the markup that writes SVG, the house
    style and matplotlib's version."""
    import matplotlib

    here = Path(__file__).parent
    digest = hashlib.sha256(matplotlib.__version__.encode())
    for name in ("charts.py", "markup.py", "briefing.mplstyle"):
        digest.update((here / name).read_bytes())
    return digest.digest()


def key(draw, args: tuple) -> str:
    """The key of ``draw(*args)``: equal keys draw equal charts."""
    digest = hashlib.sha256(code_stamp())
    digest.update(f"{draw.__module__}.{draw.__qualname__}".encode())
    digest.update(pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))
    return digest.hexdigest()


def get(where: Path, name: str) -> bytes | None:
    """The SVG kept under ``name``, or ``None``; a hit is marked as recently used."""
    path = where / f"{name}.svg"
    try:
        data = path.read_bytes()
        os.utime(path)
    except OSError:
        return None
    return data


def put(where: Path, name: str, svg: bytes) -> None:
    """Keep ``svg`` under ``name`` (written whole, then renamed), and drop the least
    recently used beyond :data:`KEEP`. A folder that cannot be written only costs the
    cache."""
    try:
        where.mkdir(parents=True, exist_ok=True)
        partial = where / f"{name}.{os.getpid()}.partial"
        partial.write_bytes(svg)
        partial.replace(where / f"{name}.svg")
        kept = sorted(where.glob("*.svg"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return
