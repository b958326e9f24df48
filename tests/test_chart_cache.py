"""A chart drawn from the same inputs by the same code comes from the cache, byte for byte;
other inputs are drawn; without the cache's folder nothing is kept."""

from __future__ import annotations

import pandas as pd
import pytest

from briefing import chart_cache, charts, markup

DRAWN = []


def grades(counts: pd.DataFrame):
    """The grades heat map of ``counts``, counting each time a chart is really drawn."""
    DRAWN.append(counts.to_numpy().sum())
    labels = pd.DataFrame({"label": list("ABCDEF")}, index=list("ABCDEF"))
    return charts.grades_chart(counts, labels, labels)


def counts(total: int) -> pd.DataFrame:
    frame = pd.DataFrame(0, index=list("ABCDEF"), columns=range(1, 7))
    frame.loc["B", 2] = total
    return frame


@pytest.fixture(autouse=True)
def drawn():
    DRAWN.clear()
    return DRAWN


def test_without_a_folder_every_chart_is_drawn_and_nothing_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(chart_cache.VARIABLE, raising=False)
    first = markup.chart(grades, counts(3), caption="Grades", alt="Alt")
    second = markup.chart(grades, counts(3), caption="Grades", alt="Alt")
    assert first == second
    assert DRAWN == [3, 3]
    assert not list(tmp_path.iterdir())


def test_the_same_inputs_come_from_the_cache_with_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv(chart_cache.VARIABLE, str(tmp_path / "charts"))
    drawn_now = markup.figure(grades(counts(5)), "Grades <b>", "Alt")
    DRAWN.clear()
    first = markup.chart(grades, counts(5), caption="Grades <b>", alt="Alt")
    second = markup.chart(grades, counts(5), caption="Grades <b>", alt="Alt")
    assert first == second == drawn_now
    assert DRAWN == [5]  # drawn once, then read
    assert len(list((tmp_path / "charts").glob("*.svg"))) == 1


def test_changed_inputs_are_drawn_again(tmp_path, monkeypatch):
    monkeypatch.setenv(chart_cache.VARIABLE, str(tmp_path))
    five = markup.chart(grades, counts(5), caption="Grades", alt="Alt")
    six = markup.chart(grades, counts(6), caption="Grades", alt="Alt")
    assert five != six
    assert DRAWN == [5, 6]
    assert chart_cache.key(grades, (counts(5),)) != chart_cache.key(grades, (counts(6),))
    assert chart_cache.key(grades, (counts(5),)) != chart_cache.key(
        charts.grades_chart, (counts(5),)
    )


def test_the_folder_keeps_the_most_recently_used(tmp_path, monkeypatch):
    monkeypatch.setattr(chart_cache, "KEEP", 3)
    for n in range(5):
        chart_cache.put(tmp_path, f"k{n}", b"<svg/>")
    assert sorted(p.stem for p in tmp_path.glob("*.svg")) == ["k2", "k3", "k4"]
    assert chart_cache.get(tmp_path, "k0") is None
    assert chart_cache.get(tmp_path, "k4") == b"<svg/>"


def test_a_folder_that_cannot_be_written_only_costs_the_cache(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(chart_cache.VARIABLE, str(blocked / "charts"))
    html = markup.chart(grades, counts(2), caption="Grades", alt="Alt")
    assert html.startswith('<figure class="chart">')
    assert DRAWN == [2]
