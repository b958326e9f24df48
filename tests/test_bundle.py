"""``briefing bundle``: the same briefings give the same zip, byte for byte; its sums
check; a briefing changed since it was published is not bundled."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT

from briefing.bundle import bundle_briefings
from briefing.errors import InvalidInputError, ParameterError
from briefing.render import render_briefing


@pytest.fixture(scope="module")
def reports(tmp_path_factory, rendered):
    """Two published briefings (23 and 24 Oct 2024) in one reports folder."""
    out = tmp_path_factory.mktemp("bundled-reports")
    render_briefing(
        as_of="2024-10-23",
        notebook=ROOT / "notebooks" / "briefing.ipynb",
        output_dir=out,
        data_dir=ROOT / "data",
    )
    shutil.copytree(rendered.folder, out / rendered.as_of)
    return out


def test_the_same_briefings_give_the_same_bytes(reports, tmp_path):
    first = bundle_briefings(tmp_path / "a.zip", reports)
    second = bundle_briefings(tmp_path / "b.zip", reports)
    assert first.dates == ["2024-10-23", "2024-10-24"]
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(first.path) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {"index.html", "README.txt", "SHA256SUMS"} <= set(names)
        for day in second.dates:
            for name in (f"briefing-{day}.html", f"briefing-{day}.pdf", "manifest.json"):
                assert f"{day}/{name}" in names
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert {info.external_attr >> 16 & 0o777 for info in archive.infolist()} == {0o644}


def test_the_sums_check_inside_the_bundle(reports, tmp_path):
    bundle = bundle_briefings(tmp_path / "briefings.zip", reports)
    inside = tmp_path / "inside"
    with zipfile.ZipFile(bundle.path) as archive:
        archive.extractall(inside)
    checked = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=inside, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(zipfile.ZipFile(bundle.path).namelist()) - 1
    index = (inside / "index.html").read_text(encoding="utf-8")
    assert 'href="2024-10-23/briefing-2024-10-23.pdf"' in index


def test_a_range_picks_its_dates(reports, tmp_path):
    bundle = bundle_briefings(tmp_path / "one.zip", reports, start="2024-10-24")
    assert bundle.dates == ["2024-10-24"]
    with pytest.raises(ParameterError, match="no briefing"):
        bundle_briefings(tmp_path / "none.zip", reports, start="2025-01-01")
    assert not (tmp_path / "none.zip").exists()


def test_a_briefing_changed_after_publishing_is_not_bundled(reports, tmp_path):
    copy = tmp_path / "reports"
    shutil.copytree(reports, copy)
    pdf = copy / "2024-10-24" / "briefing-2024-10-24.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 1
    pdf.write_bytes(bytes(data))
    with pytest.raises(InvalidInputError) as caught:
        bundle_briefings(tmp_path / "x.zip", copy)
    assert "briefing-2024-10-24.pdf" in str(caught.value)
    assert "differs from the hash its manifest records" in str(caught.value)
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob(".*partial"))


def test_the_command_writes_the_zip_and_exits_2_on_an_empty_range(reports, tmp_path):
    out = tmp_path / "cli.zip"
    base = [sys.executable, "-m", "briefing.cli", "bundle", "--output-dir", reports]
    done = subprocess.run([*base, out], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout and out.is_file()
    empty = subprocess.run(
        [*base, "--from", "2030-01-01", tmp_path / "e.zip"], capture_output=True, text=True
    )
    assert empty.returncode == 2 and "no briefing" in empty.stderr
