"""Source documents: front matter checked, text kept exactly as received."""

from __future__ import annotations

from conftest import FIXTURE_SOURCE_ID, ROOT, write_source

from briefing.cli import main
from briefing.sources import load_sources

SOURCE = f"data/sources/{FIXTURE_SOURCE_ID}.md"


def errors(capsys) -> tuple[int, list[str]]:
    """Run ``briefing validate``; return exit code and problem lines."""
    code = main(["validate"])
    return code, [x for x in capsys.readouterr().err.splitlines() if not x.startswith("briefing:")]


def test_seed_text_is_byte_for_byte_the_report():
    seed = ROOT.parent / "shared" / "seeds" / "000_3bd14dc177bf9b04.txt"
    sources = load_sources(ROOT / "data" / "sources")
    text = sources.set_index("source_id").loc[
        "2024-10-24_v7n_north-korean-troops-in-russia", "text"
    ]
    if seed.exists():  # shared/ is beside the repository on developer machines and in CI
        assert text.encode("utf-8") == seed.read_bytes()
    assert text.startswith("N. Korea, Oct 24, (V7N)") and text.endswith("END/NYC/SMA/")


def test_missing_title_is_located(dataset, capsys):
    write_source(dataset / "sources", title="")
    code, lines = errors(capsys)
    assert code == 2
    assert lines == [f"{SOURCE}:3:title: required front-matter key is missing or empty"]


def test_source_id_must_match_file_name(dataset, capsys):
    path = write_source(dataset / "sources")
    path.write_text(path.read_text().replace(f"source_id: {FIXTURE_SOURCE_ID}", "source_id: other"))
    code, lines = errors(capsys)
    assert code == 2 and lines[0].startswith(f"{SOURCE}:2:source_id: found 'other'")


def test_impossible_published_date(dataset, capsys):
    write_source(dataset / "sources", published="2024-09-31")
    code, lines = errors(capsys)
    assert code == 2 and lines[0].startswith(f"{SOURCE}:5:published: found '2024-09-31'")


def test_unknown_key(dataset, capsys):
    write_source(dataset / "sources", author="Someone")
    code, lines = errors(capsys)
    assert code == 2 and lines[0].startswith(f"{SOURCE}:6:author: unknown front-matter key")


def test_no_front_matter(dataset, capsys):
    (dataset / "sources" / f"{FIXTURE_SOURCE_ID}.md").write_text("Just text.\n")
    code, lines = errors(capsys)
    assert code == 2 and lines[0].startswith(f"{SOURCE}:1:: expected YAML front matter")


def test_broken_yaml_is_located(dataset, capsys):
    path = write_source(dataset / "sources")
    path.write_text(path.read_text().replace("outlet: Test Wire", "outlet: [unclosed"))
    code, lines = errors(capsys)
    assert code == 2 and lines[0].startswith(f"{SOURCE}:") and "not valid YAML" in lines[0]


def test_codebook_with_repeated_code(dataset, capsys):
    path = dataset / "reference" / "stances.csv"
    path.write_text(path.read_text() + "asserts,again,twice\n")
    code, lines = errors(capsys)
    assert code == 2 and lines[0].startswith("data/reference/stances.csv:4:code:")
