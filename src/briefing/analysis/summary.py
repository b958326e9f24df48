"""The bottom line: the lead judgment, the headline figures, the denials that stand."""

from __future__ import annotations

from . import figures as figures_
from .judgments import lead_judgments
from .stances import denial_sentence
from .wording import plural


def bottom_line(reviewed, figs, denied, books, headline: list[str]) -> list[str]:
    """A few sentences for the top of the briefing, all from the data.

    The leading current judgment (see :func:`~.judgments.lead_judgments`) comes first;
    then one sentence per headline indicator (lowest to highest figure); then the second
    current judgment, if any; then the denials that stand. When no judgment is current,
    the bottom line says how many await review or have lapsed instead of leading with one.
    """
    words, statuses = books["estimative_words"], books["figure_statuses"]
    texts = list(lead_judgments(reviewed, words)["text"])
    sentences = texts[:1]
    if not texts and len(reviewed):
        states = reviewed["state"].value_counts()
        waiting = int(states.get("flagged", 0))
        lapsed = int(states.get("lapsed", 0))
        parts = [f"{plural(waiting, 'key judgment')} awaiting review"] if waiting else []
        horizon = "its horizon" if lapsed == 1 else "their horizon"
        parts += [f"{plural(lapsed, 'key judgment')} past {horizon}"] if lapsed else []
        sentences.append("No key judgment is current: " + " and ".join(parts) + ".")
    for indicator in headline:
        label = books["indicators"]["label"].get(indicator, indicator)
        sentence = figures_.extremes_sentence(
            figures_.of_indicator(figs, indicator), label, statuses
        )
        if sentence:
            sentences.append(sentence)
    return sentences + texts[1:2] + [denial_sentence(denied)]
