"""A source's text cut into sentences, each with its offsets, paragraph and speaker turn.

Two kinds of document are read:

- **transcripts** (briefings, gaggles, interviews): turns open with a speaker label in
  capitals at the start of a line (``MR. SMITH:``, ``THE PRESIDENT:``) or with ``Q``
  (a reporter's question); ``[...]`` marks an omission, after which the speaker is not
  known from the text;
- **reports and statements**: paragraphs, with an optional dateline at the head.

Lines that carry no prose are set aside: photo credits and their captions
(``Download:``, ``Credit:``), bylines (``Oct. 30, 2024 | By ...``), time stamps, and
short unpunctuated lines (a venue, a banner). A short unpunctuated line equal to the
source's title is its **headline** and is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LABEL = re.compile(r"(?P<label>[A-Z][A-Z.'’\- ]{0,40}[A-Z.]):[ \t\u00a0]+")
QUESTION = re.compile(r"Q(?:[ \t\u00a0]+|:\s*|\.\s+)(?=\S)")
#: Labels of turns that are questions, not speech to propose.
REPORTER_WORDS = {"Q", "REPORTER", "QUESTION", "AUDIENCE", "PARTICIPANT", "JOURNALIST"}
#: Labels of turns that only run the event.
PROCEDURAL_WORDS = {"MODERATOR", "OPERATOR", "HOST", "ANNOUNCER"}
OMISSION = re.compile(r"^\s*\[(?:\.\.\.|…)\]\s*$")
METADATA = re.compile(
    r"^\s*(?:Download|Credit|Credits|Photo|Photos|Image|Caption|VIRIN|Video|Audio)\b[^:\n]{0,20}:",
    re.IGNORECASE,
)
TIME_STAMP = re.compile(r"^\s*\d{1,2}:\d{2}\s*[AP]\.?M\.?", re.IGNORECASE)
BYLINE = re.compile(r"\|\s*By\b|^\s*By\s+[A-Z]")
END_PUNCT = '.?!"”’:;)'
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "sen", "rep", "adm", "lt", "col", "sgt", "capt", "maj",
    "gov", "pres", "st", "jr", "sr", "no", "vs", "etc", "inc", "corp", "co", "dept", "prof",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip
BOUNDARY = re.compile(r"[.?!…]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a source.

    Attributes
    ----------
    start, end : int
        Offsets of the sentence in the source text.
    text : str
        The sentence with every run of white space as one space.
    paragraph : int
        Index of its paragraph, counted over the document.
    turn : int
        Index of its speaker turn (-1 in a document without turns).
    label : str
        The speaker label that opened the turn, without its colon; ``""`` if none.
    kind : str
        ``speech``, ``question``, ``procedural``, ``unlabelled`` (a turn whose label
        the text omits) or ``headline``.
    """

    start: int
    end: int
    text: str
    paragraph: int
    turn: int
    label: str
    kind: str


@dataclass
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    """Every line of ``text`` with its offsets (the end excludes the line break)."""
    found, start = [], 0
    for line in text.split("\n"):
        found.append(_Line(start, start + len(line), line))
        start += len(line) + 1
    return found


def label_kind(label: str) -> str:
    """``question``, ``procedural`` or ``speech`` for a speaker label."""
    words = set(re.findall(r"[A-Z]+", label.upper()))
    if words & REPORTER_WORDS:
        return "question"
    return "procedural" if words & PROCEDURAL_WORDS else "speech"


def is_transcript(text: str) -> bool:
    """Whether ``text`` is a transcript: lines that open with speaker labels or ``Q``."""
    labels = sum(1 for line in text.split("\n") if _opening(line)[0])
    return labels >= 2


def _opening(line: str) -> tuple[str, int]:
    """The speaker label a line opens with (``"Q"`` for a question) and its length."""
    if match := QUESTION.match(line):
        return "Q", match.end()
    match = LABEL.match(line)
    if match and not METADATA.match(line) and any(c.isalpha() for c in match["label"]):
        return match["label"].strip(), match.end()
    return "", 0


def _standalone(line: str, title: str, first: bool) -> bool:
    """Whether a line stands alone, without sentence punctuation: the headline (the
    title), or, as the first line of a block, a heading, venue or banner in capitals."""
    stripped = line.strip()
    if not stripped or stripped[-1] in END_PUNCT or stripped[-1] in ",—-":
        return False
    words = re.findall(r"[^\W\d_][\w'’-]*", stripped)
    capitals = sum(word[0].isupper() for word in words)
    return stripped == title.strip() or (first and capitals >= 0.6 * len(words) > 0)


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of the sentences in ``text[start:end]``.

    A boundary is sentence punctuation (closing quotes included) before white space
    and a capital, a digit or an opening quote; not after a known abbreviation ("Mr.",
    "Oct.") or an initial, and not inside a quotation that closes within 300 characters,
    unless two spaces follow (transcripts end sentences so).
    """
    spans, first = [], start
    for match in BOUNDARY.finditer(text, start, end):
        cut = match.end()
        before = re.search(r"([\w.]+)[.?!…]*[\"”’)\]]*$", text[first:cut])
        word = before[1].rstrip(".").lower() if before else ""
        wide = text[cut : cut + 2].count(" ") + text[cut : cut + 2].count("\u00a0") >= 2
        wide = wide or "\n" in text[cut : cut + 3] and text[cut - 1] in "\u00a0 "
        if text[match.start()] == "." and not wide:
            if word in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", word):
                continue
        if not wide and _inside_quotation(text, first, cut):
            continue
        spans.append((first, cut))
        first = cut
    spans.append((first, end))
    return [_trimmed(text, a, b) for a, b in spans if text[a:b].strip()]


def _inside_quotation(text: str, first: int, cut: int) -> bool:
    """Whether ``cut`` falls inside a double quotation that closes soon after."""
    straight = text.count('"', first, cut)
    opened = text.count("“", first, cut) - text.count("”", first, cut)
    if opened > 0:
        return "”" in text[cut : cut + 300]
    return straight % 2 == 1 and '"' in text[cut : cut + 300]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without white space at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraphs(text: str, title: str):
    """Yield ``(start, end, label, kind, turn)`` for each run of prose lines."""
    transcript = is_transcript(text)
    label, kind, turn = "", "speech" if not transcript else "unlabelled", 0 if transcript else -1
    block: list[_Line] = []
    caption = False
    for line in [*_lines(text), _Line(len(text), len(text), "")]:
        opening, width = _opening(line.text) if transcript else ("", 0)
        blank = not line.text.strip() or OMISSION.match(line.text)
        alone = _standalone(line.text, title, not block)
        if blank or opening or alone or caption:
            if block and not caption:
                yield block[0].start, block[-1].end, label, kind, turn
            block = []
        caption = caption and not blank
        if METADATA.match(line.text):
            caption, block = True, []
        if OMISSION.match(line.text) and transcript:
            label, kind, turn = "", "unlabelled", turn + 1
        if opening:
            label, kind, turn = opening, label_kind(opening), turn + 1
            block = [_Line(line.start + width, line.end, line.text[width:])]
        elif not blank and not caption:
            if alone:
                if line.text.strip() == title.strip():
                    yield line.start, line.end, "", "headline", turn
                continue
            if not (TIME_STAMP.match(line.text) or BYLINE.search(line.text)):
                block.append(line)


def read_sentences(text: str, title: str = "", skip: int = 0) -> list[Sentence]:
    """Every sentence of ``text`` after offset ``skip`` (a dateline), in order.

    Parameters
    ----------
    text : str
        The source's text as received.
    title : str
        The source's title; a line equal to it is kept as the headline.
    skip : int
        Offset where the prose starts (the end of a dateline).

    Returns
    -------
    list of Sentence
    """
    sentences = []
    for paragraph, (start, end, label, kind, turn) in enumerate(_paragraphs(text, title)):
        start = max(start, skip) if start < skip < end else start
        if end <= skip:
            continue
        for a, b in split_sentences(text, start, end):
            sentences.append(
                Sentence(a, b, " ".join(text[a:b].split()), paragraph, turn, label, kind)
            )
    return sentences
