"""Briefings that stay right as the evidence grows, on any subject (issue 15).

Two data sets written the way other analysts write them (:mod:`analysts`), rendered for
real through the shipped notebook: months of a second analyst's updates on the shipped
subject, and a second subject with its own actors, indicators and ``briefing.yml``.
"""

from __future__ import annotations

import ast
import json
import re
from html.parser import HTMLParser

import jsonschema
import pytest
from analysts import second_analyst, second_subject
from conftest import ROOT, assert_one, validate
from pypdf import PdfReader

from briefing.facts import schema
from briefing.render import render_briefing


class Page(HTMLParser):
    """The ids, the text, and the rows of the who-says-what grid's alt text of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id"]

    def handle_data(self, data):
        self.text.append(data)


def rendered(data, out):
    """Render the data set through the shipped notebook: the briefing, its page and facts."""
    briefing = render_briefing(
        notebook=ROOT / "notebooks" / "briefing.ipynb", output_dir=out, data_dir=data
    )
    page = Page()
    html = briefing.html.read_text(encoding="utf-8")
    page.feed(html)
    facts = json.loads(briefing.facts.read_text(encoding="utf-8"))
    return briefing, html, page, facts


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """The second analyst's data set, rendered as of its last source."""
    root = tmp_path_factory.mktemp("second-analyst")
    info = second_analyst(root / "data")
    return (info, *rendered(root / "data", root / "reports"))


@pytest.fixture(scope="module")
def other(tmp_path_factory):
    """The second subject, rendered."""
    root = tmp_path_factory.mktemp("second-subject")
    info = second_subject(root / "data")
    return (info, *rendered(root / "data", root / "reports"))


def test_every_facts_file_validates_against_the_shipped_schema(grown, other, rendered):
    for briefing in (grown[1], other[1], rendered):
        facts = json.loads(briefing.facts.read_text(encoding="utf-8"))
        jsonschema.validate(facts, schema())
        manifest = json.loads((briefing.folder / "manifest.json").read_text(encoding="utf-8"))
        assert briefing.facts.name in manifest["outputs"]  # hashed, so verify compares it


def test_each_speaker_counts_once_whatever_the_spelling(grown):
    info, briefing, html, page, facts = grown
    text = " ".join(page.text)
    for spelling in (
        "Dmitry Peskov (Kremlin spokesman)",
        "dmitry  peskov",
        "National Intelligence Service (South Korea)",
        "Sabrina Singh (Deputy Pentagon Press Secretary)",
    ):
        assert spelling not in text, spelling  # the briefing prints the actor's name
    figures = {f["actor"] for i in facts["indicators"] for f in i["figures"]}
    assert figures == {
        "Dmitry Peskov",
        "National Intelligence Service",
        "Sabrina Singh",
        "TASS",
        "Kyiv Independent",
    }
    support = facts["corroboration"][0]
    assert set(support["by_actor"]) <= figures | {"Russian General Staff"}
    assert support["actors"] == len(support["by_actor"])
    assert support["roots"] == len(support["by_root"]) < support["actors"] + 1


def test_figures_are_printed_as_stated_and_open_bounds_stay_open(grown):
    info, briefing, html, page, facts = grown
    text = " ".join(page.text)
    assert "more than 3,000" in text and "at least 3,000" in text and "up to 12,000" in text
    assert "3,000\u20133,000" not in text and "3,000 (estimated" not in text.replace(
        "than 3,000 (estimated", ""
    ).replace("least 3,000 (estimated", "")
    russia = next(i for i in facts["indicators"] if i["indicator"] == "troops_in_russia")
    by_id = {f["claim_id"]: f for f in russia["figures"]}
    assert by_id[russia["highest"]]["bound"] in ("exact", "up_to", "range")  # never "more than"
    kursk = next(i for i in facts["indicators"] if i["indicator"] == "troops_in_kursk")
    assert {f["claim_id"] for f in kursk["figures"]}.isdisjoint(by_id)  # never compared


def test_a_denial_withdrawn_by_its_own_government_is_shown_so(grown):
    info, briefing, html, page, facts = grown
    denial = next(d for d in facts["denials"] if d["claim_id"] == info["denial"])
    assert denial["state"] == "withdrawn" and denial["withdrawn_by"] == info["withdrawal"]
    assert "No denial on record still stands." in facts["bottom_line"][-1]
    assert "Withdrawn since: Dmitry Peskov (RU)" in facts["bottom_line"][-1]


def test_a_stale_judgment_is_flagged_and_does_not_lead(grown):
    info, briefing, html, page, facts = grown
    judgment = next(j for j in facts["judgments"] if j["judgment_id"] == info["stale"])
    assert judgment["state"] == "flagged" and judgment["newer_claims"]
    text = " ".join(page.text)
    assert "Not reviewed since" in text and "newer claims bear on it" in text
    assert facts["bottom_line"][0].startswith("No key judgment is current")


def test_the_html_lists_every_claim_and_the_pdf_keeps_its_page_budget(grown):
    info, briefing, html, page, facts = grown
    ids = {f"C{n:04d}" for n in range(1, info["claims"] + 1)}
    assert ids <= set(page.ids)  # every claim known, at any size
    printed = facts["claims"]["printed"]
    assert facts["claims"]["known"] == info["claims"] and 70 <= printed <= 120
    pdf = PdfReader(briefing.pdf)
    assert len(pdf.pages) <= 30
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert f"lists {printed} of {info['claims']} claims" in " ".join(text.split())
    shown = {claim for claim in ids if claim in text}
    assert len(shown) <= printed + 20  # the rest never reach WeasyPrint (some cited above)
    cited = {c for j in facts["judgments"] for c in j["claim_ids"]}
    assert cited <= shown  # every claim the briefing cites is printed
    outputs = [
        "".join(output.get("data", {}).get("text/html", ""))
        for cell in json.loads(briefing.notebook.read_text(encoding="utf-8"))["cells"]
        for output in cell.get("outputs", [])
    ]
    in_notebook = set(re.findall(r'<tr id="(C\d+)"', "".join(outputs)))
    assert len(in_notebook) == printed  # the rest went to the HTML beside the notebook


def test_a_second_subject_renders_through_the_same_notebook(other):
    info, briefing, html, page, facts = other
    text = " ".join(page.text)
    assert info["title"] in text and "UNCLASSIFIED // FOR TESTS" in text
    assert "artillery shells shipped" in text and "more than 1,000,000" in text
    assert not re.search(r"troop|korea|kursk", html, re.IGNORECASE)  # nothing of subject one
    shells = facts["indicators"][0]
    assert shells["headline"] and shells["highest"] == "C0002"  # "more than" is never highest


SUBJECT_WORDS = re.compile(r"troop|korea|kursk|pyongyang", re.IGNORECASE)


def test_the_engine_names_no_subject():
    found = []
    for path in (ROOT / "src" / "briefing").rglob("*"):
        if path.suffix in (".css", ".j2", ".json", ".mplstyle") and SUBJECT_WORDS.search(
            path.read_text(encoding="utf-8")
        ):
            found.append(path.name)
        if path.suffix != ".py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            words = (
                node.value
                if isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                else getattr(node, "id", getattr(node, "name", ""))
            )
            if isinstance(words, str) and SUBJECT_WORDS.search(words):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []


def test_settings_are_checked_and_located(dataset, capsys):
    settings = dataset / "briefing.yml"
    settings.write_text("title: Drones\nheadline_indicators: troops_sent drones\n", "utf-8")
    assert_one(capsys, "data/briefing.yml:2:headline_indicators:", "found drones")
    settings.write_text("title: Drones\nreview_days: soon\ncolour: red\n", "utf-8")
    code, lines = validate(capsys)
    assert code == 2 and lines == [
        "data/briefing.yml:2:review_days: found 'soon'; expected whole days, 0 or more",
        "data/briefing.yml:3:colour: unknown key; expected one of title, marking, desk, "
        "headline_indicators, review_days",
    ]
    settings.write_text(f"title: Drones\ndesk: {'D' * 121}\n", "utf-8")
    assert_one(capsys, "data/briefing.yml:2:desk:", "found 121 characters; expected 1 to 120")


@pytest.mark.parametrize(
    ("actors", "location", "words"),
    [
        (
            [["x", "X", "", "", "US", "unnamed", "nobody", ""]],
            "actors.csv:7:part_of:",
            ("'nobody'", "no such actor"),
        ),
        (
            [
                ["x", "X", "", "", "US", "unnamed", "y", ""],
                ["y", "Y", "", "", "US", "unnamed", "x", ""],
            ],
            "actors.csv:7:part_of:",
            ("leads back to 'x'",),
        ),
        (
            [["x", "X", "Analysts!", "", "US", "unnamed", "", ""]],
            "actors.csv:7:aliases:",
            ("'analysts'", "every spelling to name one actor"),
        ),
        (
            [["x", "X", "", "", "Mars", "unnamed", "", ""]],
            "actors.csv:7:country:",
            ("'Mars'", "countries.csv"),
        ),
        (
            [["x", "X", "", "", "US", "robot", "", ""]],
            "actors.csv:7:kind:",
            ("'robot'", "actor_kinds.csv"),
        ),
    ],
)
def test_register_problems_are_located(dataset, capsys, actors, location, words):
    from conftest import FIXTURE_ACTORS, write_registers

    write_registers(dataset / "reference", [*FIXTURE_ACTORS, *actors])
    code, lines = validate(capsys)
    assert code == 2 and any(line.startswith(f"data/reference/{location} ") for line in lines), (
        lines
    )
    line = next(line for line in lines if line.startswith(f"data/reference/{location} "))
    assert all(word in line for word in words), line


def test_expires_on_before_valid_from_is_located(dataset, capsys):
    judgments = dataset / "judgments"
    judgments.mkdir()
    (judgments / "judgments.csv").write_text(
        "judgment_id,text,likelihood,confidence,claim_ids,valid_from,expires_on,notes\n"
        "J001,Troops are likely there.,likely,low,C0001,2024-10-24,2024-10-01,x\n",
        encoding="utf-8",
    )
    assert_one(capsys, "data/judgments/judgments.csv:2:expires_on:", "before valid_from")
