"""Byte-reproducible briefings: manifest, attachments, verify."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from pypdf import PdfReader

from briefing.manifest import sha256
from briefing.render import render_briefing
from briefing.verify import verify_briefing

AS_OF = "2024-10-23"  # the first source date: the smallest real briefing


def copy_project(folder):
    """A copy of what a briefing is built from (notebook and data) at another path."""
    for name in ("notebooks", "data"):
        shutil.copytree(ROOT / name, folder / name)
    for name in ("pyproject.toml", "requirements.lock"):
        shutil.copyfile(ROOT / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def two_clones(tmp_path_factory):
    """The same briefing rendered in two copies of the project at different paths."""
    briefings = []
    for name in ("first-clone", "second/clone-at-another-depth"):
        root = copy_project(tmp_path_factory.mktemp("repro") / name)
        briefings.append(
            render_briefing(
                as_of=AS_OF,
                notebook=root / "notebooks" / "briefing.ipynb",
                output_dir=root / "reports",
                data_dir=root / "data",
            )
        )
    return briefings


def test_two_copies_at_different_paths_give_identical_bytes(two_clones):
    first, second = two_clones
    assert str(first.folder) != str(second.folder)
    for name in ("html", "pdf", "notebook"):
        a, b = getattr(first, name), getattr(second, name)
        assert a.read_bytes() == b.read_bytes(), name
    assert (first.folder / "manifest.json").read_bytes() == (
        second.folder / "manifest.json"
    ).read_bytes()


def test_no_path_or_clock_reaches_the_outputs(two_clones):
    first = two_clones[0]
    for path in (first.html, first.notebook, first.folder / "manifest.json"):
        text = path.read_text(encoding="utf-8")
        assert str(first.folder.parent.parent) not in text, path.name
        assert "2026-" not in text and "1970-" not in text, path.name


def test_manifest_hashes_match_the_files(rendered):
    manifest = json.loads((rendered.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["data/claims/claims.csv"] == sha256(ROOT / "data/claims/claims.csv")
    assert manifest["inputs"]["notebooks/briefing.ipynb"] == sha256(
        ROOT / "notebooks/briefing.ipynb"
    )
    assert manifest["inputs"]["requirements.lock"] == sha256(ROOT / "requirements.lock")
    assert any(name.startswith("briefing/") for name in manifest["inputs"])
    assert any(name.startswith("data/sources/") for name in manifest["inputs"])
    for name, digest in manifest["outputs"].items():
        assert sha256(rendered.folder / name) == digest, name
    assert manifest["parameters"]["as_of"] == "2024-10-24"
    assert {"python", "pandas", "weasyprint"} <= set(manifest["provenance"]["versions"])
    assert "commit" in manifest["provenance"] and "dirty" in manifest["provenance"]


def test_pdf_carries_the_known_claims_and_the_manifest(rendered):
    attachments = PdfReader(rendered.pdf).attachments
    assert set(attachments) == {"claims.csv", "manifest.json"}
    rows = list(csv.DictReader(io.StringIO(attachments["claims.csv"][0].decode("utf-8"))))
    published = {row["source_id"][:10] for row in rows}
    assert rows and max(published) <= "2024-10-24"  # nothing from after the as-of date
    attached = json.loads(attachments["manifest.json"][0])
    on_disk = json.loads((rendered.folder / "manifest.json").read_text(encoding="utf-8"))
    assert attached == {k: v for k, v in on_disk.items() if k != "outputs"}


def test_pdf_is_tagged_with_bookmarks_and_a_colophon(rendered):
    reader = PdfReader(rendered.pdf)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    titles = []

    def walk(items):
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(item.title)

    walk(reader.outline)
    assert {"Key judgments", "Sources and claims", "Colophon"} <= set(titles)
    last = " ".join(reader.pages[-1].extract_text().split())
    assert (
        "Colophon" in last and "make venv && .venv/bin/briefing render --as-of 2024-10-24" in last
    )


def test_verify_passes_then_names_the_changed_claims_file(two_clones):
    briefing = two_clones[0]
    root = briefing.folder.parent.parent
    notebook, data = root / "notebooks" / "briefing.ipynb", root / "data"
    passed = verify_briefing(briefing.folder / "manifest.json", notebook, data)
    assert passed.differences == [] and passed.failed == []
    names = [check.name for check in passed.checks]
    assert names == ["published files", "inputs", "fresh render", "signature"]
    assert verify_briefing(briefing.pdf, notebook, data).differences == []
    claims = data / "claims" / "claims.csv"
    original = claims.read_bytes()
    at = original.index(b"Kirby said")
    claims.write_bytes(original[:at] + b"k" + original[at + 1 :])  # one byte: K -> k
    try:
        found = verify_briefing(briefing.folder / "manifest.json", notebook, data)
    finally:
        claims.write_bytes(original)
    assert found.failed == ["inputs", "fresh render"]  # the published files are as rendered
    assert "inputs: data/claims/claims.csv changed since this briefing" in found.differences
    assert any(line.startswith("fresh render: PDF differs") for line in found.differences)


def make_ready(root):
    """A clone ``make`` can run in: the Makefile, its scripts, this environment as .venv."""
    shutil.copyfile(ROOT / "Makefile", root / "Makefile")
    (root / "tools").mkdir(exist_ok=True)
    for script in (ROOT / "tools").glob("*.sh"):
        shutil.copyfile(script, root / "tools" / script.name)
    (root / "src" / "briefing").mkdir(parents=True, exist_ok=True)
    venv = root / ".venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    if not (venv / "bin" / "briefing").exists():
        (venv / "bin" / "briefing").symlink_to(Path(sys.executable).parent / "briefing")
    stamp = venv / ".installed"
    stamp.touch()
    newest = max(p.stat().st_mtime for p in (root / "pyproject.toml", root / "Makefile"))
    os.utime(stamp, (newest + 10, newest + 10))  # newer than what the venv is built from
    return root


def tamper_html(path):
    """One digit of the briefing's text changed, as a forger would change a figure."""
    html = path.read_text(encoding="utf-8")
    body = html.index("<main")
    digit = re.compile(r">[^<]*?(\d)").search(html, body)
    at = digit.start(1)
    path.write_text(html[:at] + str((int(html[at]) + 1) % 10) + html[at + 1 :], encoding="utf-8")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
@pytest.mark.parametrize("kind, tamper", [("HTML", "changed"), ("PDF", "deleted")])
def test_make_verify_names_a_changed_or_deleted_published_file(two_clones, kind, tamper):
    briefing = two_clones[1]
    root = make_ready(briefing.folder.parent.parent)
    path = briefing.html if kind == "HTML" else briefing.pdf
    original = path.read_bytes()
    tamper_html(path) if tamper == "changed" else path.unlink()
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    try:
        done = subprocess.run(
            ["make", "--no-print-directory", "verify", f"AS_OF={AS_OF}"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        path.write_bytes(original)
    assert done.returncode == 2 and "Error 1" in done.stderr, done.stdout + done.stderr
    found = "changed since it was published" if tamper == "changed" else "is missing"
    assert f"published files: {kind} {found} ({path.name})\n" in done.stdout
    assert re.search(r"^inputs: the \d+ inputs are as recorded$", done.stdout, re.MULTILINE)
    if tamper == "changed":  # the fresh render is the recorded one, not the published file
        assert f"fresh render: {kind} differs from the published file ({path.name})" in done.stdout
    assert f"not verified: reports/{AS_OF}/manifest.json failed: published files" in done.stdout


def test_the_colophons_command_reproduces_a_briefing_of_another_data_folder(tmp_path):
    """The one command the colophon prints, run in the project's folder, gives the same
    bytes, also for data outside the project and a claims table given apart."""
    import html as html_module
    import shlex

    data = tmp_path / "desk-data"
    shutil.copytree(ROOT / "data", data)
    claims = tmp_path / "feed" / "claims.csv"
    claims.parent.mkdir()
    shutil.move(data / "claims" / "claims.csv", claims)
    first = render_briefing(
        as_of="2024-11-05", notebook=ROOT / "notebooks" / "briefing.ipynb",
        output_dir=tmp_path / "first", data_dir=data, claims_path=claims,
    )  # fmt: skip
    text = first.html.read_text(encoding="utf-8")
    shown = re.search(r"<dt>Reproduce</dt><dd><code>(.*?)</code>", text)[1]
    command = html_module.unescape(shown).split(" && ")[-1]  # after git checkout, make venv
    assert f"--data-dir {os.path.relpath(data, ROOT)}" in command
    assert f"--claims {os.path.relpath(claims, ROOT)}" in command
    argv = shlex.split(command)
    assert argv[0] == ".venv/bin/briefing"
    argv[0] = str(Path(sys.executable).parent / "briefing")
    done = subprocess.run(
        [argv[0], "-q", *argv[1:], "--output-dir", str(tmp_path / "again")],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    again = tmp_path / "again" / "2024-11-05"
    for made in (first.html, first.pdf):
        assert (again / made.name).read_bytes() == made.read_bytes(), made.name
