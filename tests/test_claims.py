"""Loading and validating the claims table: every bad input names its line and column."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import (
    FIXTURE_SOURCE_ID,
    ROOT,
    assert_one,
    fixture_claims,
    validate,
    write_claims,
)

from briefing.claims import closest_passage, find_quote
from briefing.cli import main
from briefing.evidence import load_evidence

CLAIMS = "data/claims/claims.csv"


def edit(dataset, row: int, **cells) -> None:
    """Rewrite the fixture claims with ``cells`` changed in row ``row`` (0-based)."""
    rows = fixture_claims()
    rows[row].update(cells)
    write_claims(dataset / "claims" / "claims.csv", rows)


def test_fixture_dataset_is_valid(dataset, capsys):
    assert main(["validate"]) == 0
    assert "4 claims from 1 sources" in capsys.readouterr().out


# --- cell rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "value", "words"),
    [
        (0, "claim_date", "24/10/2024", ("'24/10/2024'", "YYYY-MM-DD")),
        (0, "claim_date", "2024-02-30", ("'2024-02-30'", "real calendar date")),
        (0, "claim_date", "2024-13-01", ("'2024-13-01'",)),
        (0, "quantity_low", "-5", ("'-5'", "0 or more")),
        (0, "quantity_high", "3,000", ("'3,000'", "digits only")),
        (0, "quantity_low", "\u00b2", ("'\u00b2'", "digits only")),  # a digit to str, not to int
        (0, "quantity_high", "3000.5", ("'3000.5'", "whole number")),
        (1, "topic", "nukes", ("'nukes'", "topics.csv")),
        (1, "stance", " asserts", ("' asserts'", "no spaces around the value")),
        (1, "stance", "maybe", ("'maybe'", "stances.csv")),
        (1, "claimant_country", "Korea", ("'Korea'", "countries.csv")),
        (2, "source_reliability", "G", ("'G'", "source_reliability.csv")),
        (2, "info_credibility", "7", ("'7'", "info_credibility.csv")),
        (2, "claim_id", "X3", ("'X3'", "C0001")),
        (2, "claimant", "", ("may not be blank",)),
        (2, "notes", "", ("may not be blank",)),
        (3, "indicator", "tanks", ("'tanks'", "indicators.csv")),
        (3, "figure_status", "rumoured", ("'rumoured'", "figure_statuses.csv")),
    ],
)
def test_bad_cell_is_located(dataset, capsys, row, column, value, words):
    edit(dataset, row, **{column: value})
    assert_one(capsys, f"{CLAIMS}:{row + 2}:{column}:", *words)


def test_empty_quote_is_refused(dataset, capsys):
    edit(dataset, 1, quote="")
    assert_one(capsys, f"{CLAIMS}:3:quote:", "may not be blank")


# --- row rules ---------------------------------------------------------------------------


def test_low_above_high(dataset, capsys):
    edit(dataset, 0, quantity_low="5000", quantity_high="3000")
    assert_one(capsys, f"{CLAIMS}:2:quantity_low:", "5000", "3000", "low <= high")


def test_quantity_without_an_indicator(dataset, capsys):
    edit(dataset, 0, indicator="")
    assert_one(capsys, f"{CLAIMS}:2:indicator:", "a quantity is given", "expected a indicator")


def test_quantity_without_its_words(dataset, capsys):
    edit(dataset, 0, figure_text="")
    assert_one(capsys, f"{CLAIMS}:2:figure_text:", "a quantity is given")


def test_figure_text_not_in_the_quote(dataset, capsys):
    edit(dataset, 0, figure_text="about 3,000")
    assert_one(capsys, f"{CLAIMS}:2:figure_text:", "'about 3,000'", "not in the quote")


def test_a_bound_the_words_do_not_state(dataset, capsys):
    edit(dataset, 0, quantity_high="5000")
    assert_one(capsys, f"{CLAIMS}:2:quantity_high:", "found 5000", "analyst's coding")


@pytest.mark.parametrize(
    ("notes", "words"),
    [
        # the sentences an earlier coding leaves behind when the quantities are cleared
        ("B2. 'about 3,000': approximate, coded 3000/3000; a restatement.", ("'coded 3000/3000'",)),
        ("B2. Status deployed: the soldiers are in Russia.", ("'Status deployed'", "blank")),
        ("B2. Coded quantity_low 2500 with quantity_high blank.", ("'quantity_low 2500'",)),
        ("B2. 'some 900': coded as 900/900.", ("'coded as 900/900'",)),
    ],
)
def test_notes_that_describe_a_coding_the_row_does_not_have(dataset, capsys, notes, words):
    edit(dataset, 1, notes=notes)  # C0002: a denial, no figure
    assert_one(capsys, f"{CLAIMS}:3:notes:", *words, "the row's own coding")


def test_notes_that_contradict_the_rows_status_or_bounds(dataset, capsys):
    edit(dataset, 0, notes="B2. Status 'pledged': promised, not sent.")
    assert_one(capsys, f"{CLAIMS}:2:notes:", "Status 'pledged'", "'deployed'")
    edit(dataset, 0, notes="B2. A lower bound, coded quantity_low 3000 with quantity_high blank.")
    assert_one(capsys, f"{CLAIMS}:2:notes:", "quantity_high blank", "'3000'")


def test_notes_that_match_the_row_or_speak_of_another_claim_pass(dataset, capsys):
    edit(
        dataset,
        0,
        notes="B2. 'about 3,000', coded 3000/3000. Status deployed: sent. The status quo holds.",
    )
    assert validate(capsys) == (0, [])
    edit(
        dataset, 1, notes="B2. Restates C0001 (coded 3000/3000 in C0001); Status deployed of C0001."
    )
    assert validate(capsys) == (0, [])


def test_a_bracket_the_notes_call_the_analysts_coding_is_accepted(dataset, capsys):
    edit(
        dataset,
        0,
        quantity_low="2000",
        quantity_high="4000",
        notes="B2: test fixture. The 2,000-4,000 bracket is the analyst\u2019s coding.",
    )
    assert validate(capsys) == (0, [])
    claims = load_evidence(dataset).claims
    assert bool(claims.loc[0, "coded"]) and claims.loc[0, "bound"] == "range"


def test_a_lower_bound_alone_means_at_least(dataset, capsys):
    rows = fixture_claims()
    rows[0].update(quote="more than 3,000 troops", figure_text="more than 3,000", quantity_high="")
    write_claims(dataset / "claims" / "claims.csv", rows)
    (dataset / "sources" / f"{FIXTURE_SOURCE_ID}.md").write_text(
        (dataset / "sources" / f"{FIXTURE_SOURCE_ID}.md").read_text(encoding="utf-8")
        + "\nThey said more than 3,000 troops.\n",
        encoding="utf-8",
    )
    assert validate(capsys) == (0, [])
    assert load_evidence(dataset).claims.loc[0, "bound"] == "at_least"


def test_unknown_claimant_names_the_closest_actors(dataset, capsys):
    edit(dataset, 3, claimant="Analyst")
    line = assert_one(capsys, f"{CLAIMS}:5:claimant:", "'Analyst'", "no actor's name or alias")
    assert line.endswith("closest: Analysts")


@pytest.mark.parametrize("spelling", ["analysts", "ANALYSTS.", "  Analysts"[2:], "Analysts!"])
def test_claimants_resolve_ignoring_case_spacing_and_punctuation(dataset, capsys, spelling):
    edit(dataset, 3, claimant=spelling)
    assert validate(capsys) == (0, [])
    claims = load_evidence(dataset).claims
    assert claims.loc[3, "actor"] == "Analysts" and claims.loc[3, "claimant"] == spelling


def test_quantity_without_status(dataset, capsys):
    edit(dataset, 3, figure_status="")
    assert_one(capsys, f"{CLAIMS}:5:figure_status:", "a quantity is given")


def test_indicator_without_quantity(dataset, capsys):
    edit(dataset, 2, indicator="troops_sent")
    assert_one(capsys, f"{CLAIMS}:4:indicator:", "no quantity")


def test_duplicate_id(dataset, capsys):
    edit(dataset, 2, claim_id="C0001")
    assert_one(capsys, f"{CLAIMS}:4:claim_id:", "'C0001'", "first on line 2", "unique")


def test_unknown_source(dataset, capsys):
    edit(dataset, 1, source_id="2024-01-01_nowhere")
    assert_one(capsys, f"{CLAIMS}:3:source_id:", "no such source")


def test_claim_dated_after_its_source(dataset, capsys):
    edit(dataset, 0, claim_date="2024-10-25")
    assert_one(capsys, f"{CLAIMS}:2:claim_date:", "after the source was published")


# --- quotes ------------------------------------------------------------------------------


def test_quote_not_in_source_names_closest_passage(dataset, capsys):
    edit(dataset, 0, quote="3,000 soldiers had been sent")
    line = assert_one(capsys, f"{CLAIMS}:2:quote:", "not verbatim", "closest passage")
    assert "3,000 troops had been sent" in line


def test_quote_differing_only_by_curly_apostrophe(dataset, capsys):
    edit(dataset, 2, quote="It\u2019s unclear what happens next.")
    assert_one(capsys, f"{CLAIMS}:4:quote:", "curly versus straight")


def test_quote_across_a_line_break_is_found(dataset):
    edit(dataset, 1, quote='"We deny it." It\'s unclear')
    rows = fixture_claims()
    rows[1]["quote"] = "sent. A spokesman said:"  # spans the source's first line break
    write_claims(dataset / "claims" / "claims.csv", rows)
    claims = load_evidence("data").claims
    text = load_evidence("data").sources["text"][0]
    start, end = claims.loc[1, ["quote_start", "quote_end"]]
    assert text[start:end] == "sent.\nA spokesman said:"


def test_quote_offsets_point_at_the_quote(dataset):
    evidence = load_evidence("data")
    text = evidence.sources["text"][0]
    for claim in evidence.claims.itertuples():
        assert text[claim.quote_start : claim.quote_end] == claim.quote


def test_find_quote_and_closest_passage():
    assert find_quote("b  c", "a b\nc d") == (2, 5)
    assert find_quote("x", "a b c") is None
    assert closest_passage("quick brwn fox", "the quick brown fox")[1].startswith("quick")


# --- the file as a whole --------------------------------------------------------------------


def test_missing_column(dataset, capsys):
    columns = [c for c in fixture_claims()[0] if c != "notes"]
    write_claims(dataset / "claims" / "claims.csv", fixture_claims(), columns)
    assert_one(capsys, f"{CLAIMS}:1:notes:", "required column is missing")


def test_unknown_column(dataset, capsys):
    rows = [dict(r, comment="x") for r in fixture_claims()]
    write_claims(dataset / "claims" / "claims.csv", rows, [*fixture_claims()[0], "comment"])
    assert_one(capsys, f"{CLAIMS}:1:comment:", "unknown column")


def test_empty_file(dataset, capsys):
    (dataset / "claims" / "claims.csv").write_bytes(b"")
    assert_one(capsys, f"{CLAIMS}:1::", "empty")


def test_header_only(dataset, capsys):
    write_claims(dataset / "claims" / "claims.csv", [])
    assert_one(capsys, f"{CLAIMS}:1::", "no claims")


def test_bytes_that_are_not_utf8(dataset, capsys):
    path = dataset / "claims" / "claims.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"unclear", b"unclear \xff\xfe")
    path.write_bytes(b"\n".join(lines))
    assert_one(capsys, f"{CLAIMS}:4::", "not UTF-8")


def test_row_with_too_many_cells(dataset, capsys):
    path = dataset / "claims" / "claims.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] += ",extra"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert_one(capsys, f"{CLAIMS}:3::", "19 cells", "18")


def test_byte_order_mark_is_accepted_and_lines_stay_right(dataset, capsys):
    path = dataset / "claims" / "claims.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert main(["validate"]) == 0
    edit(dataset, 1, claim_id="bad")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert_one(capsys, f"{CLAIMS}:3:claim_id:", "'bad'")


def test_crlf_line_endings_are_accepted_and_lines_stay_right(dataset, capsys):
    path = dataset / "claims" / "claims.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert main(["validate"]) == 0
    edit(dataset, 3, stance="denied")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert_one(capsys, f"{CLAIMS}:5:stance:", "'denied'")


def test_quoted_newline_in_a_cell_keeps_later_line_numbers_right(dataset, capsys):
    rows = fixture_claims()
    rows[0]["statement"] = "First line\nsecond line\nthird line"
    rows[2]["topic"] = "nonsense"
    write_claims(dataset / "claims" / "claims.csv", rows)
    # Row 1 spans lines 2-4, row 2 is line 5, row 3 starts on line 6.
    assert_one(capsys, f"{CLAIMS}:6:topic:", "'nonsense'")


def test_formula_like_text_is_kept_as_text(dataset):
    edit(dataset, 2, statement='=HYPERLINK("http://x","y")', notes="+1 -1 @SUM(A1)")
    claims = load_evidence("data").claims
    assert claims.loc[2, "statement"] == '=HYPERLINK("http://x","y")'
    assert claims.loc[2, "notes"] == "+1 -1 @SUM(A1)"


def test_every_problem_is_reported_at_once_in_file_order(dataset, capsys):
    rows = fixture_claims()
    rows[0]["topic"] = "bad"
    rows[3]["stance"] = "bad"
    rows[1]["quote"] = "not in the source at all"
    write_claims(dataset / "claims" / "claims.csv", rows)
    code, lines = validate(capsys)
    assert code == 2
    assert [line.split(" ")[0] for line in lines] == [
        f"{CLAIMS}:2:topic:",
        f"{CLAIMS}:3:quote:",
        f"{CLAIMS}:5:stance:",
    ]


def test_typed_columns(dataset):
    claims = load_evidence("data").claims
    assert str(claims["quantity_high"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(claims["claim_date"])
    assert claims.loc[0, "grade"] == "B2"
    assert claims["line"].tolist() == [2, 3, 4, 5]
    assert pd.isna(claims.loc[3, "quantity_low"])


# --- the shipped, curated data -----------------------------------------------------------------


def test_shipped_data_is_valid_with_the_four_troop_figures_as_stated():
    evidence = load_evidence(ROOT / "data")
    seed = evidence.claims[evidence.claims["source_id"].str.contains("v7n")]
    assert len(seed) >= 20
    troops = seed[seed["unit"] == "troops"]
    found = {row.figure_text: (row.actor, row.figure_status) for row in troops.itertuples()}
    assert found["approximately 1,500"] == ("National Intelligence Service", "deployed")
    assert found["3,000"] == ("South Korean lawmakers", "deployed")
    assert found["about 10,000"] == ("South Korean lawmakers", "pledged")
    assert found["up to 12,000"] == ("Volodymyr Zelenskyy", "in_preparation")
    claims = evidence.claims.set_index("claim_id")
    for claim in ("C0040", "C0101", "C0127", "C0159"):  # "at least", "more than", "-plus"
        assert claims.at[claim, "bound"] == "at_least", claim
    assert claims.at["C0152", "figure_text"] == "several dozens" and claims.at["C0152", "coded"]
    assert claims["actor"].notna().all() and claims["actor_id"].notna().all()


@pytest.mark.parametrize(
    "spelling",
    ["bom", "crlf", "multiline", "bare-quote", "formula"],
)
def test_the_attached_claims_csv_holds_the_cells_as_python_reads_them(dataset, spelling):
    """claims.csv (the PDF's attachment) is read by pyarrow, checked against the rows the
    validation read; whatever the spelling, its cells are the file's cells as Python's CSV
    reader reads them (formulas made inert), and only the ids asked for."""
    import csv
    import io

    from briefing.claims import claims_csv, inert_cell

    path = dataset / "claims" / "claims.csv"
    rows = fixture_claims()
    if spelling == "multiline":
        rows[0]["notes"] = "B2: first line.\nSecond line, with a comma."
    if spelling == "bare-quote":
        rows[1]["notes"] = "B2: the desk's 5\" rule."
    if spelling == "formula":
        rows[2]["statement"] = '=HYPERLINK("http://x")'
        rows[2]["notes"] = "+B2: test fixture."
    write_claims(path, rows)
    data = path.read_bytes()
    if spelling == "crlf":
        data = data.replace(b"\n", b"\r\n")
    if spelling == "bom":
        data = "\ufeff".encode() + data
    path.write_bytes(data)
    claims = load_evidence(dataset).claims
    # the loader saw a file that is its own attachment: attached as it stands, not re-read
    assert claims.attrs.get("as_written") == (spelling not in ("crlf", "formula"))
    attached = claims_csv(path, claims, ["C0001", "C0003", "C0004"])
    header, *records = list(csv.reader(io.StringIO(attached.decode("utf-8"), newline="")))
    text = data.decode("utf-8").removeprefix("\ufeff")
    expected_header, *expected = list(csv.reader(io.StringIO(text, newline="")))
    assert header == expected_header
    assert records == [
        [inert_cell(cell) for cell in row]
        for row in expected
        if row[0] in {"C0001", "C0003", "C0004"}
    ]
    written = io.StringIO()  # quoted as Python's CSV writer quotes
    csv.writer(written, lineterminator="\n").writerows([header, *records])
    assert attached == written.getvalue().encode("utf-8")
    whole = io.StringIO()  # every claim: a file written so is attached as it stands
    csv.writer(whole, lineterminator="\n").writerows(
        [expected_header, *[[inert_cell(cell) for cell in row] for row in expected]]
    )
    assert claims_csv(path, claims, claims["claim_id"]) == whole.getvalue().encode()
