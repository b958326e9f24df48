"""Notebooks are committed without outputs and stay in sync with their text pair."""

from __future__ import annotations

import shutil
import sys

import nbformat
from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from check_notebooks import check  # noqa: E402


def test_committed_notebooks_are_clean_and_paired():
    assert check(ROOT / "notebooks") == []


def copy(tmp_path):
    (tmp_path / "text").mkdir()
    shutil.copyfile(ROOT / "notebooks" / "briefing.ipynb", tmp_path / "briefing.ipynb")
    shutil.copyfile(ROOT / "notebooks" / "text" / "briefing.py", tmp_path / "text" / "briefing.py")
    return tmp_path / "briefing.ipynb"


def test_a_committed_output_is_caught(tmp_path):
    path = copy(tmp_path)
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="leak")]
    nbformat.write(nb, str(path))
    assert any("has outputs" in line for line in check(tmp_path))


def test_a_drifted_pair_is_caught(tmp_path):
    path = copy(tmp_path)
    pair = path.parent / "text" / "briefing.py"
    pair.write_text(
        pair.read_text(encoding="utf-8") + "\n# %%\nprint('only in the .py')\n", encoding="utf-8"
    )
    assert any("differs from briefing.py" in line for line in check(tmp_path))
