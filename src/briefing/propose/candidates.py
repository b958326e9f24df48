"""Candidate claims: one row per sentence, claimant and figure, with its evidence.

:func:`candidate_rows` reads a source's sentences in order, keeping the actors named so
far (for pronouns and descriptions) and each actor's occasion (the day a report says
they spoke), and turns every sentence that carries a claim into rows of the claims
table plus ``evidence`` and ``confidence``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from ..claims import CLAIM_COLUMNS, find_quote
from .cues import STOPWORDS, Scorer, stance
from .dates import DateCue, claim_date, dateline
from .quantities import find_figures, word_figures
from .sentences import Sentence, read_sentences
from .speakers import VERBS, Attribution, Register, attribution, label_actor, outlet_actor

DRAFT_NOTE = "Draft proposed by briefing propose: statement to review; grades to assign."
COURTESY = re.compile(
    r"^(?:thank|thanks|good (?:morning|afternoon|evening)|hey|hi|hello|okay|ok|all right|"
    r"sure|great|yes|yeah|no|well|sorry|welcome)\b",
    re.IGNORECASE,
)
#: Talk that runs the event: questions, turns, thanks, wrapping up.
PROCEDURE = re.compile(
    r"\b(?:take (?:some |your |a few |a couple of )?questions?|next question|"
    r"happy to take|turn it over to|open it up (?:for|to) questions|over to you|"
    r"(?:your|the|my) (?:first|second|third|next|last) (?:one|question)|wrap(?:ping)? (?:it )?up|"
    r"I appreciate (?:that|it)|thanks? (?:you )?for (?:doing|joining|having|coming|that)|"
    r"you have the (?:last|next) one|let me (?:finish|take))\b",
    re.IGNORECASE,
)
LEADING = re.compile(
    r"^(?:(?:and|but|so|now|again|also|well|look|i mean|you know),?\s+)+", re.IGNORECASE
)
#: Longer sentences carry content even when they open with procedure ("On your first
#: question, ...").
PROCEDURE_WORDS = 14
#: Lowest indicator score at which a figure is coded (below it, notes name the figure).
INDICATOR_MINIMUM = 5.0
FIGURE_WINDOW = 80


@dataclass
class Document:
    """What the rows of one source are drawn from."""

    source_id: str
    text: str
    title: str
    anchor: dt.date
    sentences: list[Sentence]
    transcript: bool
    outlet: str | None
    outlet_name: str


@dataclass
class Claim:
    """One sentence's claim before it becomes rows."""

    sentence: Sentence
    actors: list[str]
    written: str
    evidence: list[str]
    confidence: str
    speaker: bool = False
    cue: DateCue | None = None
    dates: dict = field(default_factory=dict)


def read_document(source, register: Register) -> Document:
    """The sentences and anchors of a source read by :func:`briefing.sources.read_source`."""
    published = dt.date.fromisoformat(source.meta["published"])
    anchor, skip = dateline(source.text, published)
    title = source.meta.get("title", "")
    sentences = read_sentences(source.text, title, skip)
    transcript = any(s.turn >= 0 for s in sentences)
    outlet = source.meta.get("outlet", "")
    return Document(
        source.meta.get("source_id", ""),
        source.text,
        title,
        anchor,
        sentences,
        transcript,
        outlet_actor(outlet, register),
        outlet,
    )


def carries_claim(sentence: Sentence) -> bool:
    """Whether a sentence may carry a claim: speech of some length, not a courtesy."""
    if sentence.kind in ("question", "procedural"):
        return False
    if sentence.kind == "headline":
        return True
    words = sentence.text.split()
    if len(words) < 5 or sentence.text[-1] not in '.?!"”’)…—-':
        return False
    if COURTESY.match(sentence.text) and len(words) < 8:
        return False
    return len(words) > PROCEDURE_WORDS or not PROCEDURE.search(sentence.text)


def main_speaker(document: Document, register: Register) -> str | None:
    """The actor who speaks most in a transcript, else the person its title names."""
    counts: dict[str, int] = {}
    for sentence in document.sentences:
        if sentence.kind == "speech" and sentence.label:
            counts[sentence.label] = counts.get(sentence.label, 0) + len(sentence.text)
    for label in sorted(counts, key=counts.get, reverse=True):
        if actor := label_actor(label, register, document.title):
            return actor
    persons = [
        m.actor
        for m in register.mentions(document.title)
        if register.field(m.actor, "kind") == "person"
    ]
    return persons[0] if persons else None


def _speaker_claim(
    sentence: Sentence, document: Document, register: Register, main: str | None
) -> Claim:
    """The claim of a transcript sentence by its turn's speaker."""
    if sentence.kind == "speech":
        actor = label_actor(sentence.label, register, document.title)
        if actor:
            return Claim(
                sentence,
                [actor],
                sentence.label,
                [f"speaker label '{sentence.label}:'"],
                "high",
                speaker=True,
            )
        name = sentence.label.title()
        return Claim(
            sentence,
            [],
            name,
            [f"speaker label '{sentence.label}:' names no actor in actors.csv"],
            "low",
            speaker=True,
        )
    if main:
        evidence = "no speaker label (text omitted before it); read as the main speaker"
        return Claim(sentence, [main], "", [evidence], "medium", speaker=True)
    return Claim(sentence, [], "Unknown speaker", ["no speaker label"], "low", speaker=True)


def _attributed_claim(sentence: Sentence, found: Attribution) -> Claim:
    """The claim of a sentence with an attribution cue."""
    confidence = "low" if found.unknown else "medium" if found.carried else "high"
    if found.unknown:
        evidence = [found.cue + f"; '{found.written}' is no actor in actors.csv"]
    else:
        evidence = [found.cue]
    return Claim(sentence, found.actors, found.written, evidence, confidence)


def _outlet_claim(sentence: Sentence, document: Document) -> Claim:
    """The claim of a sentence in the outlet's own narration."""
    cue = "headline" if sentence.kind == "headline" else "no attribution: the outlet's narration"
    if document.outlet:
        return Claim(sentence, [document.outlet], "", [cue], "medium")
    return Claim(sentence, [], document.outlet_name, [cue + "; outlet not in actors.csv"], "low")


def attribute(document: Document, register: Register) -> list[Claim]:
    """Every sentence that carries a claim, with its claimants, in order."""
    claims: list[Claim] = []
    seen: list[str] = []
    main = main_speaker(document, register) if document.transcript else None
    carried: tuple[int, Attribution] | None = None
    for sentence in document.sentences:
        if sentence.kind in ("question", "procedural"):
            continue
        found = attribution(sentence.text, register, seen)
        seen += [m.actor for m in register.mentions(sentence.text)]
        if found and found.actors:
            seen += found.actors
        elif found and found.unknown and " " in found.written.strip():
            seen.append("?" + found.written)  # a person the register lacks: for "he", "she"
        if not carries_claim(sentence):
            continue
        if document.transcript and sentence.kind != "headline":
            claim = _transcript_claim(sentence, document, register, main, found, carried)
            if claim.speaker:
                carried = carried if carried and carried[0] == sentence.paragraph else None
            else:
                carried = (sentence.paragraph, found) if found else carried
        elif found and (found.actors or found.unknown):
            claim = _attributed_claim(sentence, found)
        elif (
            claims
            and sentence.text[0] in '"“'
            and claims[-1].sentence.paragraph == sentence.paragraph
        ):
            claim = Claim(
                sentence,
                claims[-1].actors,
                claims[-1].written,
                ["quotation continued from the previous sentence"],
                "medium",
            )
        else:
            claim = _outlet_claim(sentence, document)
        claims.append(claim)
    if not document.transcript:
        _reach_back(claims)
    return claims


def _transcript_claim(sentence, document, register, main, found, carried) -> Claim:
    """A transcript sentence's claim: a named third party it reports, else its speaker."""
    speaker = _speaker_claim(sentence, document, register, main)
    if (
        found
        and found.actors
        and not found.carried
        or found
        and found.carried
        and len(found.actors) > 1
    ):
        if set(found.actors) - set(speaker.actors) and not _self_reference(sentence.text, found):
            return _attributed_claim(sentence, found)
    if carried and carried[0] == sentence.paragraph and not found:
        claim = _attributed_claim(sentence, carried[1])
        claim.evidence = [f"continues '{carried[1].cue}' in the same paragraph"]
        claim.confidence = "medium"
        return claim
    return speaker


def _self_reference(text: str, found: Attribution) -> bool:
    """Whether the speaker reports his own words ("as I said")."""
    return bool(re.search(r"\b(?:I|we)\s+(?:have\s+)?(?:said|told)\b", text))


def _reach_back(claims: list[Claim]) -> None:
    """Give the outlet's sentences before a paragraph's closing "..., X said" to X."""
    for index in range(len(claims) - 2, -1, -1):
        claim, after = claims[index], claims[index + 1]
        narrated = claim.evidence[0].startswith("no attribution")
        closing = after.evidence[0].startswith("attribution") and _trails(after)
        if narrated and closing and claim.sentence.paragraph == after.sentence.paragraph:
            claims[index] = Claim(
                claim.sentence,
                after.actors,
                after.written,
                [f"the paragraph's closing {after.evidence[0]}"],
                "medium",
            )


def _trails(claim: Claim) -> bool:
    """Whether a claim's attribution closes its sentence ("..., Austin said.")."""
    return bool(
        re.search(
            r",[\"”]?\s+[\w.'’ -]{1,60}\b(?:said|says|stated|added)\.?[\"”]?$", claim.sentence.text
        )
    )


def date_claims(claims: list[Claim], document: Document, register: Register) -> None:
    """Give each claim its date cue and its day (``None`` where the text gives none).

    A speaker's words in a transcript are dated by the transcript. Other claims take
    the day their sentence names, else the **occasion** of their claimant: the first
    day a sentence gives for that actor (its claimant, the actor it opens with, or, in
    a transcript, any actor it names: "today, our adviser met ...").
    """
    occasion = _occasions(claims, document, register)
    for claim in claims:
        if claim.speaker or claim.sentence.kind == "headline":
            claim.dates = {a: document.anchor for a in claim.actors} or {"": document.anchor}
            claim.cue = None
            continue
        day = claim.cue.day if claim.cue else None
        outlet = claim.actors == [document.outlet]
        claim.dates = {
            a: day or (None if claim.cue or outlet else occasion.get(a)) for a in claim.actors
        } or {"": day}


def _occasions(claims: list[Claim], document: Document, register: Register) -> dict:
    """Each actor's first day named in the text (see :func:`date_claims`)."""
    occasion: dict[str, dt.date] = {}
    for claim in claims:
        claim.cue = claim_date(claim.sentence.text, document.anchor)
        day = claim.cue.day if claim.cue else None
        if not day:
            continue
        mentions = register.mentions(claim.sentence.text)
        named = (
            [m.actor for m in mentions]
            if document.transcript
            else [m.actor for m in mentions[:1] if m.start == 0]
        )
        for actor in [*claim.actors, *named]:
            occasion.setdefault(actor, day)
    return occasion


OPENING = re.compile(
    rf"^[^\"“”]{{1,90}}?\s(?P<verb>{VERBS})(?:\s+[\w.]+){{0,3}}?,?\s+that\s+(?P<rest>.+)$"
)
CLOSING = re.compile(
    r"^(?P<rest>.+?)(?:,[\"”]?|[\"”])\s+(?:(?:[^,\"”]{1,60}\s+)?(?:said|says|stated|added)"
    r"(?:\s+[^,\"”]{0,60})?|(?:said|says|added)\s+[^,\"”]{1,80})(?:,[^\"”]*)?\.?$"
)


def statement(name: str, quote: str, outlet: bool, written: str = "", text: str = "") -> str:
    """A draft statement in the house style: "<Name> said that <quote>.".

    An attribution that opens the quote ("X said Monday that ...", "He stressed ...",
    ``written`` then a verb) or closes it ("..., X said.") is left out; words in the
    first person are kept as a quotation. A capital that opens the rest is lowered unless
    the word stands capitalised inside a sentence of ``text`` (a name).
    """
    verb, body = "reported" if outlet else "said", quote
    subject = re.match(r"(?:He|She)\s+(?=[a-z])", quote)
    at = quote.find(written) if len(written) > 2 else -1
    if match := OPENING.match(quote):
        verb, body = match["verb"], match["rest"]
        verb = "said" if verb in ("told", "tells") else verb
    elif match := CLOSING.match(quote):
        body = match["rest"]
    elif (
        subject
        or at >= 0
        and re.fullmatch(r"(?:[A-Z][\w.'’-]*\s+(?:[\w.'’-]+\s+){0,3})?", quote[:at])
    ):
        rest = quote[subject.end() :] if subject else quote[at + len(written) :]
        return f"{name} {rest.strip()}"
    body = LEADING.sub("", body.strip('"“” ')).strip().rstrip(' ,;:—-"”')
    if re.match(r"(?:I|We|We['’]re|I['’]m|Our|My)\b", body):
        return f"{name} said: “{body}.”" if body[-1] not in ".?!" else f"{name} said: “{body}”"
    first = re.match(r"[A-Z][a-z]+\b", body)
    common = first and first[0].lower() in STOPWORDS
    if first and (common or not re.search(rf"[^.?!\"“\s]\s+{first[0]}\b", text)):
        body = body[0].lower() + body[1:]
    if body and body[-1] not in ".?!":
        body += "."
    return f"{name} {verb} that {body}"


class Coder:
    """Guesses a row's topic, indicator and figure status from the codebooks."""

    def __init__(self, books: dict[str, pd.DataFrame]):
        self.topics = Scorer(books["topics"])
        self.indicators = Scorer(books["indicators"], books.get("units"))
        self.statuses = Scorer(books["figure_statuses"])
        self.status_codes = list(books["figure_statuses"].index)
        self.countries = set(books["countries"].index)

    def topic(self, text: str) -> str:
        """The best topic for ``text`` (the codebook's first when none scores)."""
        code, _ = self.topics.best(text)
        return code or next(iter(self.topics.words))

    def figure(self, text: str, figure) -> tuple[str | None, str]:
        """The indicator and status of a figure, from the words around it."""
        window = text[max(0, figure.start - FIGURE_WINDOW) : figure.end + FIGURE_WINDOW]
        noun = " ".join(text[figure.end :].split()[:4])
        scores = self.indicators.count_scores(window, noun)
        indicator, _ = self.indicators.pick(scores, INDICATOR_MINIMUM)
        if indicator is None:
            return None, ""
        status, _ = self.statuses.best(text)
        fallback = next(
            (c for c in self.status_codes if c.startswith("estimat")), self.status_codes[0]
        )
        return indicator, status or fallback


def coded_figures(quote: str, coder: Coder, notes: list[str]) -> list[tuple]:
    """``(figure, indicator, status)`` for each figure of ``quote`` that counts an
    indicator; the others, and amounts in words only, are named in ``notes``."""
    coded, uncoded = [], []
    for figure in find_figures(quote):
        indicator, status = coder.figure(quote, figure)
        if indicator:
            coded.append((figure, indicator, status))
        else:
            uncoded.append(figure.words)
    words = word_figures(quote)
    if words:
        notes.append(f"Amount in words only ({'; '.join(words)}): no quantity given.")
    if uncoded:
        notes.append(f"Figure(s) {'; '.join(uncoded)} not matched to an indicator: not coded.")
    return coded


def claim_rows(claim: Claim, document: Document, register: Register, coder: Coder) -> list[dict]:
    """The rows of one claim: one per claimant and coded figure."""
    sentence = claim.sentence
    quote = sentence.text
    if find_quote(quote, document.text) is None:
        return []
    position, word = stance(quote)
    notes = [DRAFT_NOTE]
    if claim.cue and claim.cue.note:
        notes.append(claim.cue.note)
    evidence = list(claim.evidence)
    if word:
        evidence.append(f"denial cue '{word}'")
    coded = coded_figures(quote, coder, notes)
    base = {column: "" for column in CLAIM_COLUMNS}
    base.update(
        source_id=document.source_id, quote=quote, topic=coder.topic(quote), stance=position
    )
    rows = []
    for actor in claim.actors or [None]:
        row = dict(base)
        name = register.field(actor, "name") if actor else claim.written
        country = (
            register.field(actor, "country") if actor else ("XX" if "XX" in coder.countries else "")
        )
        day = claim.dates.get(actor if actor else "", None)
        row.update(
            claimant=name,
            claimant_role=register.field(actor, "role") if actor else "",
            claimant_country=country,
            claim_date=day.isoformat() if day else "",
            statement=statement(
                name,
                quote,
                actor is not None and actor == document.outlet and not claim.speaker,
                "" if claim.speaker else claim.written,
                document.text,
            ),
        )
        for figure, indicator, status in [(None, "", ""), *coded]:
            if figure is None:
                rows.append(_finish(row, notes, evidence, claim.confidence))
                continue
            coded_row = dict(
                row,
                figure_text=figure.words,
                quantity_low=figure.low,
                quantity_high=figure.high,
                indicator=indicator,
                figure_status=status,
            )
            rows.append(
                _finish(coded_row, notes, [*evidence, f"figure '{figure.words}'"], claim.confidence)
            )
    return rows


def _finish(row: dict, notes: list[str], evidence: list[str], confidence: str) -> dict:
    """A row with its notes, evidence and confidence."""
    return {
        **row,
        "notes": " ".join(notes),
        "evidence": "; ".join(evidence),
        "confidence": confidence,
    }


def candidate_rows(source, books: dict[str, pd.DataFrame]) -> list[dict]:
    """Every candidate row of a source read by :func:`briefing.sources.read_source`."""
    register = Register(books["actors"])
    document = read_document(source, register)
    claims = attribute(document, register)
    date_claims(claims, document, register)
    coder = Coder(books)
    return [row for claim in claims for row in claim_rows(claim, document, register, coder)]
