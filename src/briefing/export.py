"""nbconvert exporters for briefings: ``briefing_html`` and ``briefing_pdf``.

Both hide code, prompts and the parameters cells, and wrap the notebook's outputs in
the ``briefing`` template (title block, marking banners, print stylesheet). The PDF
exporter lays that HTML out with WeasyPrint: no TeX, no browser. Both are registered
under the ``nbconvert.exporters`` entry-point group, so
``jupyter nbconvert --to briefing_pdf some.ipynb`` works and JupyterLab offers them.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import shutil
import zlib
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets import default

from .errors import ExportError
from .fonts import HANGUL_FONTS, HANGUL_RANGE
from .markup import LISTING_END, LISTING_START
from .parameters import notebook_parameters

TEMPLATES = Path(__file__).parent / "templates"
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell"}


def text_filter(value) -> str:
    """Jinja filter: data as inert HTML text (see :func:`briefing.markup.escape`)."""
    from .markup import escape

    return escape(value)


class DropStderrPreprocessor(Preprocessor):
    """Remove stderr streams (warnings, progress) from the reader's copy of the briefing.

    The executed notebook kept beside the briefing still has them.
    """

    def preprocess_cell(self, cell, resources, index):
        """Drop the cell's stderr stream outputs."""
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
        return cell, resources


class BriefingHTMLExporter(HTMLExporter):
    """A self-contained HTML briefing: no code, no prompts, nothing fetched from the network."""

    export_from_notebook = "Briefing HTML"

    @default("template_name")
    def _template_name_default(self):
        return "briefing"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES)]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS, enabled=True), enabled=True
        )
        self.register_preprocessor(DropStderrPreprocessor(enabled=True), enabled=True)
        self.register_filter("text", text_filter)

    def from_notebook_node(self, nb, resources=None, **kw):
        """Export ``nb`` to HTML; the template receives ``resources['briefing']``."""
        resources = self._init_resources(resources)
        parameters = notebook_parameters(nb)
        parameters["as_of_label"] = as_of_label(str(parameters["as_of"]))
        manifest = resources.get("briefing_manifest")
        parameters["colophon"] = colophon(manifest) if manifest else None
        resources["briefing"] = parameters
        return self._without_soup(nb, resources, **kw)

    def _without_soup(self, nb, resources, **kw):
        """What :meth:`HTMLExporter.from_notebook_node` does, less its last step.

        That step parses the finished page with BeautifulSoup and writes it out again, to
        give images without ``alt`` a placeholder and code cells a ``tabindex``. A briefing
        has neither (every chart has its own alt text, no input is shown), and the round
        trip cost more than everything else in the export: 20 s at 100,000 claims.
        """
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        highlight = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            ),
        )
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


class BriefingPDFExporter(BriefingHTMLExporter):
    """An A4 PDF briefing laid out from the briefing HTML by WeasyPrint."""

    export_from_notebook = "Briefing PDF"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self):
        return ".html.j2"

    def from_notebook_node(self, nb, resources=None, **kw):
        """Export ``nb`` to PDF bytes."""
        html, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".pdf"
        as_of = str(resources["briefing"]["as_of"])
        return html_to_pdf(html, resources.get("briefing_attachments", ()), as_of), resources


@cache
def html_exporter() -> BriefingHTMLExporter:
    """One briefing HTML exporter per process, its template compiled once."""
    exporter = BriefingHTMLExporter()
    exporter.template  # noqa: B018 (compiles the template now)
    return exporter


def load_weasyprint() -> None:
    """Import WeasyPrint. Its import finds its libraries with cffi's ``find_library``, which
    runs ``ldconfig``, ``gcc`` and ``ld`` dozens of times; each starts as a copy of the
    process and counts its memory until it runs the program. A render calls this first
    thing, in a thread (:func:`briefing.render.render_briefing`), while its process is
    small, not once it holds a million claims' sources and checks."""
    import weasyprint  # noqa: F401


def prewarm() -> None:
    """Do ahead of time what every first export pays once per process.

    Imports WeasyPrint, compiles the template, and exports a one-cell notebook to HTML
    and PDF: that loads nbconvert's lazy modules, parses the stylesheets and loads the
    pinned fonts, about a second in all. ``render_briefing`` runs this in a thread while
    the kernel executes the notebook, so the time is hidden behind work that happens in
    another process anyway.
    """
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("한국 *x*")])
    html, _ = html_exporter().from_notebook_node(notebook)
    html_to_pdf(html)


def font_faces() -> str:
    """``@font-face`` rules pinning the PDF's fonts to files the project installs itself.

    Latin, Greek and Cyrillic come from DejaVu Sans and DejaVu Sans Mono, shipped by the
    pinned matplotlib package; Hangul from NanumGothic (Debian's fonts-nanum). So the PDF
    never depends on which fonts the machine happens to have, and every font is embedded.
    """
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = []
    for family, stem in (("Briefing Sans", "DejaVuSans"), ("Briefing Mono", "DejaVuSansMono")):
        for suffix, weight, style in (
            ("", 400, "normal"),
            ("-Bold", 700, "normal"),
            ("-Oblique", 400, "italic"),
            ("-BoldOblique", 700, "italic"),
        ):
            faces.append(_face(family, ttf / f"{stem}{suffix}.ttf", weight, style))
    for name, weight in (("NanumGothic.ttf", 400), ("NanumGothicBold.ttf", 700)):
        if (HANGUL_FONTS / name).is_file():
            faces.append(
                _face("Briefing Hangul", HANGUL_FONTS / name, weight, "normal", HANGUL_RANGE)
            )
    return "\n".join(faces)


def _face(family: str, path: Path, weight: int, style: str, unicode_range: str = "") -> str:
    """One ``@font-face`` rule for a local font file."""
    extra = f" unicode-range: {unicode_range};" if unicode_range else ""
    return (
        f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; font-style: {style};{extra} }}"
    )


def local_only_fetcher():
    """A WeasyPrint URL fetcher that loads ``data:`` and ``file:`` URLs only."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data", "file"})


#: What the HTML shows but the PDF leaves out (the appendix beyond its page budget, see
#: :mod:`briefing.analysis.appendix`): rows and source blocks ``briefing.sections`` marks.
#: Cells are escaped text, so a ``</tr>`` or ``</div>`` inside one cannot occur; the
#: exporter may write ``class`` before ``id``.
NOT_PRINTED = re.compile(
    r'<tr\b[^>]*\bclass="not-printed"[^>]*>.*?</tr>'
    r'|<div\b[^>]*\bclass="not-printed"[^>]*>.*?</div>',
    re.DOTALL,
)


def write_html(html: str, listing: Path | None, target: Path) -> None:
    """Write the briefing HTML to ``target``, with the listing of every claim that the
    render's kernel wrote to ``listing`` (:func:`briefing.sections.sources_and_claims`) in
    place of the marked listing the notebook showed; copied as bytes (both are UTF-8) by
    :func:`append_file`, never held in memory whole nor decoded. Without such a file or
    marks, ``html`` as it is."""
    start = html.find(LISTING_START)
    end = html.find(LISTING_END, start)
    if listing is None or not listing.is_file() or start < 0 or end < 0:
        target.write_text(html, encoding="utf-8")
        return
    with target.open("wb") as out, listing.open("rb") as part:
        out.write(html[:start].encode("utf-8"))
        append_file(part, out)
        out.write(html[end + len(LISTING_END) :].encode("utf-8"))


def append_file(source, out) -> None:
    """Append the rest of ``source`` to ``out`` (files open for binary reading and
    writing): by the operating system (``copy_file_range``, hundreds of megabytes of
    listing never pass through Python), else, where it cannot (another file system, an
    old kernel), a block at a time."""
    out.flush()  # what ``out`` holds goes first: the copy writes at the file's offset
    try:
        while os.copy_file_range(source.fileno(), out.fileno(), 2**30):
            pass
    except OSError as exc:
        if exc.errno not in _NO_FILE_RANGE:
            raise  # no room left, say: the render's failure
        shutil.copyfileobj(source, out, 2**20)  # from where the system's copy stopped, if it did


#: Why ``copy_file_range`` may refuse files that are there: not one file system, not
#: supported here, or a file it does not copy (these leave both files' offsets as they were).
_NO_FILE_RANGE = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}


def printed_only(html: str) -> str:
    """The briefing HTML without what the PDF does not print: WeasyPrint then never parses,
    styles or lays out thousands of rows it would hide (``paged.css`` hides them too)."""
    return NOT_PRINTED.sub("", html) if 'class="not-printed"' in html else html


def html_to_pdf(html: str, attachments=(), as_of: str = "") -> bytes:
    """Lay out briefing HTML as a tagged PDF/A-3a (A4) with embedded, pinned fonts.

    Parameters
    ----------
    html : str
        HTML from :class:`BriefingHTMLExporter`.
    attachments : iterable of (name, bytes or Deflated, description)
        Files embedded in the PDF (PDF/A-3 allows them), e.g. the claims table and the
        manifest; dated ``as_of`` so that the bytes never depend on the clock. A file given
        as :class:`Deflated` was compressed ahead, elsewhere: the same bytes in the PDF.
    as_of : str
        ``YYYY-MM-DD`` date given to the attachments.

    Returns
    -------
    bytes
        The PDF.

    Raises
    ------
    ExportError
        WeasyPrint failed.
    """
    import weasyprint

    html = printed_only(html)
    ahead = {
        hashlib.md5(d.stand_in(), usedforsecurity=False).hexdigest(): d
        for _, d, _ in attachments
        if isinstance(d, Deflated)
    }
    try:
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()  # without it, @font-face rules would be ignored
        document = weasyprint.HTML(
            string=html, url_fetcher=local_only_fetcher(), base_url=TEMPLATES.as_uri() + "/"
        )
        return document.write_pdf(
            stylesheets=[
                weasyprint.CSS(string=font_faces(), font_config=fonts),
                weasyprint.CSS(
                    filename=str(TEMPLATES / "briefing" / "paged.css"), font_config=fonts
                ),
            ],
            font_config=fonts,
            pdf_variant="pdf/a-3a",
            attachments=[
                _attachment(
                    name, data.stand_in() if isinstance(data, Deflated) else data, about, as_of
                )  # fmt: skip
                for name, data, about in attachments
            ],
            finisher=partial(_deflate_attachments, ahead),
        )
    except Exception as exc:  # WeasyPrint raises many types; all mean "export failed".
        raise ExportError(f"PDF export failed: {exc}") from exc
    finally:
        _remove_font_folder(locals().get("fonts"))


#: zlib's level for attached files: its default. pydyf deflates every stream at level 9,
#: which took 6 s more for the claims.csv of a million claims, for a file 4 % smaller.
ATTACHMENT_LEVEL = 6


#: Lines of an attached file deflated apart (:func:`file_parts`): a part depends on its
#: lines alone, so that a row changed in place leaves every other part as it was (a row
#: added or removed moves the cuts after it).
DEFLATE_LINES = 8192


@dataclass(frozen=True)
class Deflated:
    """A file to attach to a PDF, deflated ahead, on a core the render leaves idle meanwhile
    (deflating the claims of a million rows takes seconds), rather than at the end of the
    export. The file itself is not kept: WeasyPrint is handed a small stand-in
    (:meth:`stand_in`), and :func:`html_to_pdf`'s finisher writes this form with the file's
    own size and checksum, the bytes WeasyPrint would have written for the file.

    The form is one zlib stream of the file's parts (:func:`file_parts`) each deflated
    apart (:func:`deflated_part`), as ``pigz`` makes one: the same bytes however the file
    is handed over, and a part deflated before is taken from the cache
    (:class:`briefing.cache.DeflatedParts`) instead of being deflated again.
    """

    size: int  # of the file, in bytes
    checksum: str  # the file's MD5, which the PDF records (WeasyPrint's ``/CheckSum``)
    deflated: bytes  # the file at :data:`ATTACHMENT_LEVEL`

    @classmethod
    def of(cls, data: bytes) -> Deflated:
        """``data``'s deflated form (zlib and the checksum leave the GIL to others)."""
        return cls.of_parts([data])

    @classmethod
    def of_parts(cls, parts, store=None) -> Deflated:
        """The deflated form of the file made of ``parts`` (bytes, in order), deflated as
        they come: the same bytes as the whole file's, which is never held. ``store``
        (:class:`briefing.cache.DeflatedParts`) keeps each part's deflated bytes."""
        checksum = hashlib.md5(usedforsecurity=False)
        size, adler, deflated = 0, zlib.adler32(b""), [_ZLIB_HEADER]
        for part in file_parts(parts, DEFLATE_LINES):
            size += len(part)
            checksum.update(part)
            adler = zlib.adler32(part, adler)
            deflated.append(deflated_part(part, store))
        deflated.append(_LAST_BLOCK + adler.to_bytes(4, "big"))
        return cls(size, checksum.hexdigest(), b"".join(deflated))

    def stand_in(self) -> bytes:
        """What WeasyPrint is given in the file's place: small, and this file's own."""
        return f"deflated ahead: {self.size} bytes, MD5 {self.checksum}".encode()


def file_parts(pieces, lines: int):
    """The bytes of ``pieces`` (in order) cut into the parts :class:`Deflated` deflates
    apart: ``lines`` lines each (the last wherever the file ends). A function of the bytes
    alone, whatever the pieces; their line breaks are found by numpy, not line by line."""
    import numpy as np

    held, need = [], lines  # the current part's bytes so far, the line breaks it lacks
    for piece in pieces:
        breaks = np.flatnonzero(np.frombuffer(piece, np.uint8) == ord("\n"))
        at = used = 0  # where the rest of the piece starts; breaks passed
        while len(breaks) - used >= need:
            end = int(breaks[used + need - 1]) + 1
            yield b"".join([*held, piece[at:end]])
            held, at, used, need = [], end, used + need, lines
        need -= len(breaks) - used
        if at < len(piece):
            held.append(piece[at:])
    if held:
        yield b"".join(held)


def deflated_part(part: bytes, store=None) -> bytes:
    """``part`` deflated alone at :data:`ATTACHMENT_LEVEL` (raw, flushed to a byte, not the
    last block), from ``store`` when it holds it (by the SHA-256 of zlib's version, the
    level and the bytes), else deflated here and kept there."""
    key = None
    if store is not None:
        digest = hashlib.sha256(f"{zlib.ZLIB_RUNTIME_VERSION}:{ATTACHMENT_LEVEL}\0".encode())
        digest.update(part)
        key = digest.hexdigest()
        kept = store.get(key)
        if kept is not None:
            return kept
    deflate = zlib.compressobj(ATTACHMENT_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    made = deflate.compress(part) + deflate.flush(zlib.Z_SYNC_FLUSH)
    if store is not None:
        store.put(key, made)
    return made


#: A zlib stream's header at :data:`ATTACHMENT_LEVEL`, and the empty last block that ends
#: the deflated parts (the checksum of the whole file follows it).
_ZLIB_HEADER = zlib.compress(b"", ATTACHMENT_LEVEL)[:2]
_LAST_BLOCK = zlib.compressobj(ATTACHMENT_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS).flush()


def _deflate_attachments(ahead: dict, document, pdf) -> None:
    """WeasyPrint's finisher: deflate each attached file at :data:`ATTACHMENT_LEVEL` (the
    same ``/FlateDecode`` stream, its checksum and size of the file unchanged), or write
    in a stand-in's place the file it stands for (``ahead``: :class:`Deflated` by the
    checksum WeasyPrint recorded for its :meth:`~Deflated.stand_in`)."""
    for stream in pdf.objects:
        extra = getattr(stream, "extra", None)
        if getattr(stream, "compress", False) and extra and extra.get("Type") == "/EmbeddedFile":
            params = extra["Params"]
            done = ahead.get(str(params["CheckSum"]).strip("<>"))
            if done is None:
                stream.stream = [Deflated.of(b"\n".join(stream.stream)).deflated]
            else:
                stream.stream = [done.deflated]
                params["CheckSum"], params["Size"] = f"<{done.checksum}>", done.size
            stream.compress = False
            extra["Filter"] = "/FlateDecode"


def _remove_font_folder(fonts) -> None:
    """Remove the temporary folder WeasyPrint copies the @font-face fonts into.

    WeasyPrint removes it only when the font configuration is garbage-collected, which a
    process that exits right after the render never does: every render left a
    ``$TMPDIR/weasyprint-*`` folder behind. The fonts are embedded in the PDF by now.
    """
    folder = getattr(fonts, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        fonts._folder = None


def _attachment(name: str, data: bytes, description: str, as_of: str):
    """A WeasyPrint attachment dated at midnight UTC of ``as_of`` (never the clock)."""
    import weasyprint

    day = dt.date.fromisoformat(as_of) if as_of else dt.date(1970, 1, 1)
    when = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return weasyprint.Attachment(
        string=data,
        name=name,
        description=description,
        created=when,
        modified=when,
        relationship="Data",
    )


def colophon(manifest: dict) -> dict:
    """What the colophon shows, from a manifest: digest, commit, parameters, versions and
    the command that reproduces the briefing."""
    parameters = manifest["parameters"]
    provenance = manifest.get("provenance", {})
    commit = provenance.get("commit") or "not in a git checkout"
    if provenance.get("dirty"):
        commit += " (with uncommitted changes)"
    versions = ", ".join(f"{k} {v}" for k, v in sorted(provenance.get("versions", {}).items()))
    shown = {k: v or "none" for k, v in parameters.items() if k != "data_dir"}
    return {
        "digest": manifest["inputs_digest"],
        "inputs": len(manifest["inputs"]),
        "commit": commit,
        "parameters": ", ".join(f"{k} = {v}" for k, v in sorted(shown.items())),
        "versions": versions,
        "command": reproduce_command(parameters, provenance.get("commit")),
    }


#: The render options that name inputs, by the parameter that records each.
INPUT_OPTIONS = {
    "data_dir": "--data-dir",
    "claims_path": "--claims",
    "sources_dir": "--sources",
    "judgments_path": "--judgments",
    "gaps_path": "--gaps",
    "events_path": "--events",
}
#: Where the command runs the notebook from: the parameters' paths are relative to it.
NOTEBOOK_FOLDER = "notebooks"


def reproduce_command(parameters: dict, commit: str | None) -> str:
    """The one shell command, run in the project's folder, that rebuilds a briefing.

    The parameters record input paths relative to the notebook's folder (``notebooks/``);
    the command gives them relative to the project's folder, and leaves out the default
    data folder (``data``), so that a render of the shipped data reads as it always did.
    """
    import os
    import shlex

    options = [f"--as-of {parameters['as_of']}"]
    options += [
        f"--{k.replace('_', '-')} {shlex.quote(str(parameters[k]))}"
        for k in ("since", "title", "marking")
        if parameters.get(k)
    ]
    for name, flag in INPUT_OPTIONS.items():
        if parameters.get(name):
            path = os.path.normpath(os.path.join(NOTEBOOK_FOLDER, str(parameters[name])))
            if (name, path) != ("data_dir", "data"):
                options.append(f"{flag} {shlex.quote(path)}")
    command = "make venv && .venv/bin/briefing render " + " ".join(options)
    return f"git checkout {commit} && {command}" if commit else command


def as_of_label(as_of: str) -> str:
    """Format ``YYYY-MM-DD`` as ``24 October 2024`` (the text shown to readers)."""
    try:
        return dt.date.fromisoformat(as_of).strftime("%-d %B %Y")
    except ValueError:
        return as_of
