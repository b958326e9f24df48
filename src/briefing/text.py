"""The one text policy: which characters a field may hold, and how odd ones are shown.

Decided by Unicode category, never by lists of code points, so that characters nobody
has tried yet fall under the same rule as those somebody did:

- **never in any input** (refused wherever they stand, with ``path:line:column``):
  control characters other than tab, line feed and carriage return (``Cc``), surrogates
  (``Cs``) and noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF, …) — XML forbids most of them,
  so they would break an SVG chart or the HTML;
- **never in a field** (a table cell, a front-matter value, a parameter): besides those,
  line and paragraph separators (``Zl``, ``Zp``: U+2028, U+2029), which a reader's tools
  treat as line breaks;
- **never in a one-line field** (names, ids, codes, dates, titles, the marking): besides
  those, tab and line breaks, and format characters (``Cf``: bidi marks such as U+061C and
  U+200F, zero-width spaces and joiners, tag characters, the byte-order mark), which are
  invisible and make one name look like another;
- in prose (statements, quotes, notes) and in source documents as received, format
  characters are allowed and **shown**: :func:`visible` writes them as ``⟨U+200B⟩`` in every
  output, so nothing is obeyed unseen.

Words that mix Latin, Greek and Cyrillic letters (a Cyrillic "А" in "Austin") are refused
in one-line fields: they are the usual look-alikes of another name.
"""

from __future__ import annotations

import re
import unicodedata

BOM = "\ufeff"
LINE_BREAKS = "\t\n\r"
#: Scripts whose letters look alike; a word mixing two of them is a look-alike.
CONFUSABLE_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")
WORD = re.compile(r"[^\W\d_]+")


def is_noncharacter(code: int) -> bool:
    """Whether ``code`` is one of Unicode's 66 noncharacters (never to be interchanged)."""
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def never_allowed(char: str) -> bool:
    """Whether no input may hold ``char``: a control (bar tab and line breaks), a
    surrogate or a noncharacter."""
    if char in LINE_BREAKS:
        return False
    return unicodedata.category(char) in ("Cc", "Cs") or is_noncharacter(ord(char))


def _refused(char: str, one_line: bool) -> str | None:
    """What ``char`` is, if a field (one-line or prose) may not hold it."""
    category = unicodedata.category(char)
    if never_allowed(char):
        return {"Cc": "a control character", "Cs": "a surrogate"}.get(category, "a noncharacter")
    if category in ("Zl", "Zp"):
        return "a line or paragraph separator"
    if one_line and char in LINE_BREAKS:
        return "a line break or tab"
    if one_line and category == "Cf":
        return "an invisible format character (bidi mark, zero-width or tag character)"
    return None


#: Names of the controls Unicode gives none (only aliases).
CONTROL_NAMES = {"\x00": "NULL", "\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN",
                 "\x1b": "ESCAPE", "\x7f": "DELETE", "\x85": "NEXT LINE"}  # fmt: skip


def describe(char: str) -> str:
    """``U+2028 (LINE SEPARATOR)``: a character as messages name it."""
    name = unicodedata.name(char, "") or CONTROL_NAMES.get(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def field_problem(value: str, one_line: bool = True) -> str | None:
    """Why a field's value breaks the text policy, or ``None`` when it does not.

    Parameters
    ----------
    value : str
        A cell, front-matter value or parameter.
    one_line : bool
        ``True`` for names, ids, codes, titles; ``False`` for prose, which may hold line
        breaks and (shown) format characters.

    Returns
    -------
    str or None
        E.g. ``"contains U+2028 (LINE SEPARATOR), a line or paragraph separator, at
        character 7; expected one line of text"``.
    """
    if not value.isprintable():  # the fast path: ordinary text is printable
        for index, char in enumerate(value, start=1):
            what = _refused(char, one_line)
            if what:
                expected = "one line of text" if one_line else "text"
                return (
                    f"contains {describe(char)}, {what}, at character {index}; expected "
                    f"{expected} without it"
                )
    return mixed_script(value) if one_line else None


def script(char: str) -> str | None:
    """The confusable script (Latin, Greek, Cyrillic) of a letter, else ``None``."""
    first = unicodedata.name(char, "").split(" ", 1)[0]
    return first if first in CONFUSABLE_SCRIPTS else None


def mixed_script(value: str) -> str | None:
    """A message when a word of ``value`` mixes Latin, Greek and Cyrillic letters."""
    if value.isascii():
        return None
    for word in WORD.findall(value):
        scripts = {script(c): c for c in word if script(c)}
        if len(scripts) > 1:
            odd = [c for s, c in scripts.items() if s != "LATIN"] or list(scripts.values())
            names = " and ".join(sorted(s.title() for s in scripts))
            return (
                f"mixes {names} letters in {word!r} ({describe(odd[0])}), a look-alike of "
                "another spelling; expected the letters of one script in each word"
            )
    return None


def never_allowed_problem(text: str) -> tuple[int, int, str] | None:
    """``(line, column, message)`` of the first character no input may hold, or ``None``.

    Line by line, so that a long document pays the character-by-character look only on
    the lines :meth:`str.isprintable` does not pass at once (tabs, no-break spaces, …).
    """
    if text.isprintable():
        return None
    for number, line in enumerate(text.split("\n"), start=1):
        if line.isprintable() or line.rstrip("\r").isprintable():
            continue
        for index, char in enumerate(line):
            if never_allowed(char):
                what = _refused(char, False)
                message = f"contains {describe(char)}, {what}; expected text without it"
                return number, index + 1, message
    return None


def _shown(char: str) -> bool:
    """Whether :func:`visible` writes ``char`` as its code point instead of obeying it."""
    if char in LINE_BREAKS:
        return False
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Cn", "Zl", "Zp")


def visible(text: str) -> str:
    """Show controls, format characters (bidi marks, zero-width), separators, surrogates
    and unassigned code points as ``⟨U+202E⟩`` instead of obeying them."""
    if obeyed(text):
        return text
    return "".join(f"\u27e8U+{ord(c):04X}\u27e9" if _shown(c) else c for c in text)


def obeyed(text: str) -> bool:
    """Whether :func:`visible` leaves ``text`` as it is (decided at C speed): nothing in it
    to show, line breaks, tabs and spaces being obeyed. Of texts put one after the other,
    the whole is obeyed exactly when each one is (the test is a character at a time)."""
    return text.isprintable() or text.translate(_WITHOUT_BREAKS).isprintable()


def obeyed_utf8(data: bytes) -> bool:
    """:func:`obeyed` of the text ``data`` encodes in UTF-8, decoding only what is not
    printable ASCII (every such character is obeyed; no byte of a longer character is
    ASCII, so what is left is whole characters): a column of a million English claims is
    tested in milliseconds, without making it a Python string."""
    rest = data.translate(None, _PRINTABLE_ASCII)
    return not rest or obeyed(rest.decode("utf-8"))


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
#: Line breaks, tabs and space separators (no-break spaces, …): obeyed by :func:`visible`,
#: though :meth:`str.isprintable` refuses all but the plain space. All spaces lie below U+3001.
_SPACES = "".join(c for c in map(chr, range(0x3001)) if unicodedata.category(c) == "Zs")
_WITHOUT_BREAKS = str.maketrans("", "", LINE_BREAKS + _SPACES)


def whole_number(cell: str) -> bool:
    """Digits only (ASCII: ``"²"`` is a digit to :meth:`str.isdigit`, not to :func:`int`): a
    whole, non-negative number with no separators (a count, a port)."""
    return cell.isascii() and cell.isdigit()


def shown(value: object, limit: int = 60) -> str:
    """Quote a value for a message, shortened to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def joined(pieces):
    """Row by row, the texts ``pieces`` hold one after the other, as an Arrow large-text
    array: each piece an Arrow text array (a value per row) or a ``str`` (the same in
    every row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.large_string()
    arrays = [p if isinstance(p, (pa.Array, pa.ChunkedArray)) else pa.scalar(p, text)
              for p in pieces]  # fmt: skip
    return pc.binary_join_element_wise(*arrays, pa.scalar("", text))


def arrow_bytes(texts, start: int = 0, end: int | None = None) -> bytes:
    """The UTF-8 of the texts ``start:end`` of an Arrow text array one after the other (a
    missing one counts as empty): a slice of its data buffer, never a Python string per
    text."""
    import numpy as np
    import pyarrow as pa

    texts = texts.cast(pa.large_string())
    end = len(texts) if end is None else end
    data = texts.buffers()[2]
    if end <= start or data is None:
        return b""
    at = np.frombuffer(texts.buffers()[1], np.int64, end - start + 1, 8 * (texts.offset + start))
    return data[int(at[0]) : int(at[-1])].to_pybytes()
