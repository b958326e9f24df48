"""Who makes a claim: actors named in a sentence, speaker labels, attribution verbs.

The actors register (``data/reference/actors.csv``) is the only list of names: a
mention is a name or alias of an actor found in the text (a one-word spelling only
when capitalised there). A claim's claimant is, in this order:

1. the subject of an attribution verb ("Singh said", "said Sabrina Singh", "Both X and
   Y have denied", "according to X", "claims from X"), or a pronoun or a description
   standing for one ("she said", "the secretary said", "the advisors expressed": the
   latest actors named so far whose role or name holds those words);
2. in a transcript, the turn's speaker label (``MR. SMITH:``, ``THE PRESIDENT:``
   resolved through the title's names);
3. in a report, the claimant of a paragraph's closing "..., X said", or the outlet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..actors import name_index, normal_name, resolve, spellings

VERBS = (
    r"said|says|say|stated|states|told|tells|added|adds|announced|announces|noted|notes|"
    r"mentioned|reported|reports|explained|emphasi[sz]ed|stressed|highlighted|warned|warns|"
    r"claimed|claims|argued|argues|insisted|acknowledged|confirmed|conceded|asserted|"
    r"assessed|assesses|believes?|believed|estimated|estimates|indicated|suggested|urged|"
    r"urges|called on|calls on|call on|called for|calls for|expressed|described|labell?ed|"
    r"termed|den(?:ied|ies|y)|dismissed|rejected|refuted|wrote|writes|tweeted|posted|"
    r"hinted|disclosed|revealed|accused|condemned|predicted|raised concerns?|reaffirmed|"
    r"pledged|vowed|promised|agreed|concluded|observed|recalled|replied|responded"
)
VERB = re.compile(rf"\b(?:{VERBS})\b")
#: Words between a subject and its verb: auxiliaries, adverbs, a time, a false start.
BETWEEN = re.compile(
    r"\s+(?:has|have|had|also|again|reportedly|just|then|later|further|previously|"
    r"earlier|repeatedly|publicly|privately|separately|the other day|yesterday|today|"
    r"(?:on|last|this)\s+\w+day|\w+day|\w+-\s*—|—)$"
)
APPOSITION = re.compile(r",[^,\"“”]{1,60},$")
AFFILIATION = re.compile(
    r"\s+(?:from|of|at|with)\s+(?:the\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*$"
)
PRONOUN = re.compile(r"(?:^|\s)(?P<word>he|she|He|She)$")
DESCRIPTION = re.compile(
    r"(?:^|\s)(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir)\s+(?P<words>[a-z][a-z ]{2,60})$"
)
NAME_RUN = re.compile(
    r"(?:^|\s)(?P<name>(?:[A-Z][\w'’.-]+\s+(?:of\s+(?:the\s+)?)?){1,5}[A-Z][\w'’.-]+)$"
)
#: A subject that names a role, not a person: "an NIS official", "the country's spy agency".
SPOKESPERSON = re.compile(
    r"(?:^|[,;:\"”]\s*|\s)(?P<np>(?:[Aa]n?|[Tt]he|[A-Z][\w'’.-]*)\s+(?:[\w'’.-]+\s+){0,4}"
    r"(?:officials?|spokes(?:man|woman|person)|diplomats?|sources?|officers?|aides?|ministers?|"
    r"agency|ministry|lawmakers?|analysts?|experts?|commanders?|envoys?))$"
)
SOURCE_OF = re.compile(
    r"\b(?:according to|(?:claims?|reports?|statements?|assessments?|estimates?|remarks)"
    r"\s+(?:from|by))\s+"
)
NUMBER_WORDS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "all"}
HONORIFICS = re.compile(
    r"^(?:THE|MR|MRS|MS|MISS|DR|ADM|ADMIRAL|GEN|GENERAL|AMB|AMBASSADOR|SEC|SECRETARY|"
    r"SENATOR|SEN|REP|GOV|PROF)\.?\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    """An actor's name as it stands in a sentence."""

    start: int
    end: int
    actor: str
    written: str


@dataclass
class Attribution:
    """Who a sentence's claim is attributed to, and by what cue."""

    actors: list[str]
    written: str
    cue: str
    trailing: bool = False
    carried: bool = False
    unknown: bool = False
    extra: dict = field(default_factory=dict)


class Register:
    """The actors register, ready to find names in sentences.

    Parameters
    ----------
    actors : pandas.DataFrame
        ``data/reference/actors.csv`` as :func:`briefing.reference.load_codebooks`
        loads it (indexed by ``actor_id``).
    """

    def __init__(self, actors: pd.DataFrame):
        self.actors = actors
        self.index = name_index(actors)
        written = {s for _, actor in actors.iterrows() for s in spellings(actor) if s.strip()}
        alternatives = sorted(written, key=len, reverse=True)
        pattern = "|".join(r"\s+".join(map(re.escape, s.split())) for s in alternatives)
        self.pattern = re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE)

    def mentions(self, text: str) -> list[Mention]:
        """Every actor named in ``text``, in order (one-word names only capitalised)."""
        found = []
        for match in self.pattern.finditer(text):
            words = match[0]
            if " " not in words and not words[0].isupper():
                continue
            actor = resolve(words, self.index)
            if actor:
                found.append(Mention(match.start(), match.end(), actor, words))
        return found

    def resolve_name(self, name: str) -> str | None:
        """The actor ``name`` names, also without an honorific ("Mr. X") or a title."""
        name = name.strip(" ,.:")
        candidates = [name, HONORIFICS.sub("", name)]
        words = HONORIFICS.sub("", name).split()
        candidates += [" ".join(words[i:]) for i in range(1, len(words))]
        for candidate in candidates:
            if actor := resolve(candidate, self.index):
                return actor
        return None

    def field(self, actor: str, column: str) -> str:
        """One cell of an actor's row."""
        return str(self.actors.at[actor, column]) if actor in self.actors.index else ""

    def described(self, words: str, seen: list[str], plural: bool) -> list[str]:
        """The latest actors of ``seen`` whose name or role holds ``words``."""
        wanted = " ".join(w for w in words.split() if w not in NUMBER_WORDS)
        wanted = normal_name(wanted[:-1] if plural and wanted.endswith("s") else wanted)
        if not wanted:
            return []
        matching = []
        for actor in reversed(seen):
            texts = (self.field(actor, "name"), self.field(actor, "role"))
            if any(re.search(rf"\b{re.escape(wanted)}s?\b", normal_name(t)) for t in texts):
                if actor not in matching:
                    matching.append(actor)
        if not plural:
            return matching[:1]
        named_plural = [a for a in matching if normal_name(self.field(a, "name")).endswith("s")]
        return named_plural[:1] or (matching[::-1] if len(matching) > 1 else [])


def _head(text: str) -> str:
    """``text`` without what may stand between a subject and its verb."""
    previous = None
    while previous != text:
        previous = text
        text = BETWEEN.sub("", text.rstrip())
        text = APPOSITION.sub("", text.rstrip())
    return text.rstrip()


def _conjuncts(mentions: list[Mention], last: Mention, text: str) -> list[Mention]:
    """``last`` and the mentions joined to it by "and" or a comma ("X and Y denied")."""
    chain = [last]
    for mention in reversed([m for m in mentions if m.end <= last.start]):
        gap = text[mention.end : chain[-1].start]
        if not re.fullmatch(r"\s*(?:,|and|, and|&)\s*", gap):
            break
        chain.append(mention)
    return chain[::-1]


def before_verb(
    text: str,
    verb: re.Match,
    mentions: list[Mention],
    register: Register,
    seen: list[str],
    persons: list[str],
) -> Attribution | None:
    """The subject of ``verb`` standing before it, resolved; ``None`` if none is found."""
    head = _head(text[: verb.start()])
    bare = AFFILIATION.sub("", head)
    if any(m.end == len(bare) for m in mentions):
        head = bare  # "X from the Y Institution said": X
    ending = [m for m in mentions if m.end == len(head)]
    if ending:
        chain = _conjuncts(mentions, ending[0], text)
        written = " and ".join(m.written for m in chain)
        return Attribution([m.actor for m in chain], written, f"attribution '{written} {verb[0]}'")
    if (match := PRONOUN.search(head)) and persons:
        return _pronoun(match["word"], verb[0], persons[-1], register)
    if match := DESCRIPTION.search(head):
        words = match["words"].strip()
        actors = register.described(words, seen, plural=words.endswith("s"))
        if actors:
            cue = f"description 'the {words} {verb[0]}'"
            return Attribution(actors, f"the {words}", cue, carried=True)
    if match := SPOKESPERSON.search(head):
        return _spokesperson(match["np"], verb[0], mentions, match.start("np"), register)
    if match := NAME_RUN.search(head):
        name = match["name"]
        actor = register.resolve_name(name)
        cue = f"attribution '{name} {verb[0]}'"
        return Attribution([actor] if actor else [], name, cue, unknown=actor is None)
    return None


def _pronoun(word: str, verb: str, person: str, register: Register) -> Attribution:
    """A pronoun standing for the latest person named (``?Name`` for one not registered)."""
    if person.startswith("?"):
        cue = f"pronoun '{word} {verb}' after {person[1:]}"
        return Attribution([], person[1:], cue, carried=True, unknown=True)
    cue = f"pronoun '{word} {verb}' after {register.field(person, 'name')}"
    return Attribution([person], word, cue, carried=True)


def _spokesperson(
    phrase: str, verb: str, mentions: list[Mention], start: int, register: Register
) -> Attribution:
    """ "an agency official said": the actor named in the phrase, else the phrase as written."""
    inside = [m for m in mentions if m.start >= start]
    if inside:
        cue = f"'{phrase} {verb}': speaks for {register.field(inside[-1].actor, 'name')}"
        return Attribution([inside[-1].actor], phrase, cue, carried=True)
    return Attribution([], phrase, f"attribution '{phrase} {verb}'", unknown=True)


def after_verb(
    text: str,
    verb: re.Match,
    mentions: list[Mention],
    register: Register,
    seen: list[str],
    persons: list[str],
) -> Attribution | None:
    """The subject of an inverted "..., said X" or of "according to X"."""
    inverted = re.search(r"[,\"”]\s*$", text[: verb.start()]) and verb[0] in ("said", "says")
    if not inverted:
        return None
    rest = re.split(r"[,;.]", text[verb.end() :], maxsplit=1)[0]
    inside = [m for m in mentions if verb.end() <= m.start < verb.end() + len(rest)]
    if inside:
        last = inside[-1]
        return Attribution(
            [last.actor], last.written, f"attribution '{verb[0]} {last.written}'", trailing=True
        )
    if (match := re.match(r"\s+(she|he)\b", rest)) and persons:
        found = _pronoun(match[1], verb[0], persons[-1], register)
        found.trailing = True
        return found
    if match := re.match(r"\s+the\s+([a-z][a-z ]{2,40})$", rest.rstrip()):
        actors = register.described(match[1], seen, plural=False)
        if actors:
            return Attribution(
                actors,
                f"the {match[1]}",
                f"description '{verb[0]} the {match[1]}'",
                trailing=True,
                carried=True,
            )
    return None


def attribution(text: str, register: Register, seen: list[str]) -> Attribution | None:
    """Whom ``text`` attributes its claim to, by its first attribution verb or phrase.

    ``seen`` are the actors named so far in the document, oldest first: a pronoun
    stands for the latest person, a description for the latest actors it fits.

    Examples
    --------
    "..., said Deputy Press Secretary Jane Roe." and "Jane Roe said ..." both give the
    actor whose name or alias is "Jane Roe".
    """
    mentions = register.mentions(text)
    persons = [a for a in seen if a.startswith("?") or register.field(a, "kind") == "person"]
    for source in SOURCE_OF.finditer(text):
        named = [
            m
            for m in mentions
            if m.start >= source.end()
            and re.fullmatch(r"\s*(?:the\s+)?", text[source.end() : m.start], re.I)
        ]
        if named:
            cue = f"attribution '{source[0]}{named[0].written}'"
            return Attribution([named[0].actor], named[0].written, cue)
    for verb in VERB.finditer(text):
        found = before_verb(text, verb, mentions, register, seen, persons)
        found = found or after_verb(text, verb, mentions, register, seen, persons)
        if found and (found.actors or found.unknown):
            return found
    return None


def label_actor(label: str, register: Register, title: str) -> str | None:
    """The actor a speaker label names ("MR. SMITH"; "THE PRESIDENT" through the title)."""
    if actor := register.resolve_name(label.title()):
        return actor
    words = normal_name(HONORIFICS.sub("", label))
    for mention in register.mentions(title):
        texts = [
            *spellings(register.actors.loc[mention.actor]),
            register.field(mention.actor, "role"),
        ]
        if any(re.search(rf"\b{re.escape(words)}\b", normal_name(t)) for t in texts):
            return mention.actor
    return None


def outlet_actor(outlet: str, register: Register) -> str | None:
    """The actor an outlet names: its parenthesised parts first, then the rest."""
    inner = re.findall(r"\(([^)]*)\)", outlet)
    parts = [p for group in inner for p in re.split(r"\s*/\s*", group)]
    parts += [re.sub(r"\s*\([^)]*\)", "", outlet), outlet]
    for part in parts:
        if actor := register.resolve_name(part):
            return actor
    return None
