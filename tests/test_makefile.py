"""The Makefile, run with real GNU make in scratch copies of the project.

``make briefing`` renders the date ``briefing render`` would default to, read by the
package's own ``briefing dates --newest``; a second ``make briefing`` with nothing changed
does nothing; two makes at once in a fresh clone build ``.venv`` once and both succeed.
Most tests ask make what it would run (``-n``), so nothing is rendered.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, write_source

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")

#: The ``briefing`` command of the environment running these tests.
BRIEFING = Path(sys.executable).parent / "briefing"
OLDER, NEWER = "2024-10-23", "2024-11-05"
AS_OF_MK = Path("reports/.as-of.mk")
#: What make needs to build a venv (tools/venv.sh is absent from an older Makefile's tree).
VENV_RECIPE = ["Makefile", "pyproject.toml", "README.md", "requirements.lock"]


def user_environment(**variables: str) -> dict[str, str]:
    """This environment as a user's shell has it: not that of a sub-make of ``make test``."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.pop("AS_OF", None)
    return {**env, "LC_ALL": "C", **variables}


def make(project: Path, *args: str, **variables: str) -> subprocess.CompletedProcess:
    """Run ``make ARGS`` in ``project``, with ``variables`` in its environment."""
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=project,
        env=user_environment(**variables),
        capture_output=True,
        text=True,
        timeout=60,
    )


def newest(project: Path) -> str:
    """What ``briefing dates --newest`` prints for the project's sources."""
    done = subprocess.run(
        [BRIEFING, "dates", "--newest", "--data-dir", project / "data"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def copy_setup(project: Path) -> None:
    """The Makefile and what its venv recipe reads, from this checkout."""
    (project / "tools").mkdir(parents=True)
    for name in VENV_RECIPE:
        shutil.copyfile(ROOT / name, project / name)
    for script in (ROOT / "tools").glob("*.sh"):
        shutil.copyfile(script, project / "tools" / script.name)


def touch_after(path: Path, reference: Path) -> None:
    """Touch ``path`` until its time is after ``reference``'s (file times move in ticks)."""
    while path.stat().st_mtime_ns <= reference.stat().st_mtime_ns:
        time.sleep(0.005)
        os.utime(path)


def add_source(project: Path, published: str, slug: str = "test_source") -> Path:
    """A valid source published on ``published`` in the project's data/sources/."""
    folder = project / "data" / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    return write_source(folder, f"{published}_{slug}", published=published)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project without a render's inputs, whose .venv is this one's ``briefing`` command.

    Its .venv/.installed is newer than every prerequisite, so make never builds (nor
    touches) the real venv; one source, published on OLDER; one claims file.
    """
    if not BRIEFING.exists():
        pytest.skip(f"no briefing command beside {sys.executable}")
    copy_setup(tmp_path)
    past = time.time() - 600
    for path in tmp_path.rglob("*"):
        os.utime(path, (past, past))
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "briefing").symlink_to(BRIEFING)
    (tmp_path / ".venv" / ".installed").touch()
    for folder in ("data/sources", "data/claims", "notebooks", "src/briefing", "reports"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / "data" / "claims" / "claims.csv").write_text("claim_id\n", encoding="utf-8")
    (tmp_path / "notebooks" / "briefing.ipynb").write_text("{}\n", encoding="utf-8")
    add_source(tmp_path, OLDER)
    return tmp_path


# Ways to write a source's front matter that YAML (and so the package) reads alike.
def crlf(raw: bytes) -> bytes:
    """Windows line endings, as an editor or a download may leave them."""
    return raw.replace(b"\n", b"\r\n")


def space_before_colon(raw: bytes) -> bytes:
    """``published : 2024-11-05``."""
    return raw.replace(b"\npublished:", b"\npublished :")


def byte_order_mark(raw: bytes) -> bytes:
    """A UTF-8 byte-order mark before the first ``---``."""
    return "\ufeff".encode() + raw


def quoted_with_comment(raw: bytes) -> bytes:
    """``published: '2024-11-05'  # dated``."""
    return raw.replace(f"published: {NEWER}".encode(), f"published: '{NEWER}'  # dated".encode())


@pytest.mark.parametrize(
    "spelling", [crlf, space_before_colon, byte_order_mark, quoted_with_comment]
)
def test_default_date_is_briefing_dates_newest(project, spelling):
    path = add_source(project, NEWER, "newest")
    path.write_bytes(spelling(path.read_bytes()))
    assert newest(project) == NEWER  # the package reads the spelling as that date
    done = make(project, "-n", "briefing")
    assert done.returncode == 0, done.stderr
    assert f".venv/bin/briefing render --as-of {NEWER}\n" in done.stdout


def test_invalid_source_stops_make_briefing_with_its_messages(project):
    assert make(project, "-n", "briefing").returncode == 0  # reports/.as-of.mk made
    touch_after(add_source(project, "2024-11-31", "invalid"), project / AS_OF_MK)
    done = make(project, "briefing")
    assert done.returncode != 0
    assert "render" not in done.stdout  # nor the date found before this source came
    problem = "data/sources/2024-11-31_invalid.md:5:published: found '2024-11-31'"
    assert problem in done.stderr


def test_nothing_changed_does_nothing_and_a_claim_rebuilds(project):
    assert f"render --as-of {OLDER}" in make(project, "-n", "briefing").stdout
    made = (project / AS_OF_MK).stat().st_mtime_ns
    manifest = project / "reports" / OLDER / "manifest.json"
    claims = project / "data" / "claims" / "claims.csv"
    manifest.parent.mkdir()
    manifest.write_text("{}\n", encoding="utf-8")  # as if rendered after every input changed
    done = make(project, "briefing")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "make: Nothing to be done for 'briefing'.\n"
    assert (project / AS_OF_MK).stat().st_mtime_ns == made  # no Python started for the date
    touch_after(claims, manifest)
    assert f"render --as-of {OLDER}" in make(project, "-n", "briefing").stdout
    assert (project / AS_OF_MK).stat().st_mtime_ns == made


def test_new_source_moves_the_default_date(project):
    assert f"render --as-of {OLDER}" in make(project, "-n", "briefing").stdout
    touch_after(add_source(project, NEWER, "newer"), project / AS_OF_MK)
    assert f"render --as-of {NEWER}" in make(project, "-n", "briefing").stdout
    (project / "data" / "sources" / f"{NEWER}_newer.md").unlink()
    touch_after(project / "data" / "sources", project / AS_OF_MK)  # as the removal did
    assert f"render --as-of {OLDER}" in make(project, "-n", "briefing").stdout


@pytest.mark.parametrize("where", ["command line", "environment"])
def test_given_date_is_rendered_without_asking_the_sources(project, where):
    add_source(project, "2024-11-30", "invalid").write_text("no front matter\n")
    if where == "command line":
        done = make(project, "-n", "briefing", "AS_OF=2024-10-20")
    else:
        done = make(project, "-n", "briefing", AS_OF="2024-10-20")
    assert done.returncode == 0, done.stderr
    assert ".venv/bin/briefing render --as-of 2024-10-20\n" in done.stdout
    assert not (project / AS_OF_MK).exists()


def test_empty_date_on_the_command_line_means_the_default(project):
    done = make(project, "-n", "briefing", "AS_OF=")
    assert f".venv/bin/briefing render --as-of {OLDER}\n" in done.stdout


def test_help_in_a_fresh_clone_builds_nothing(tmp_path):
    copy_setup(tmp_path)
    done = make(tmp_path, "help")
    assert done.returncode == 0, done.stderr
    assert re.search(r"^  make briefing ", done.stdout, re.MULTILINE)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["tools", *VENV_RECIPE])


def pinned(*names: str) -> str:
    """The lines of requirements.lock that pin ``names`` (a small, real install)."""
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return "".join(f"{line}\n" for line in lines if line.split("==")[0].lower() in names)


def start(project: Path, log: Path, *args: str) -> subprocess.Popen:
    """Start ``make ARGS`` in ``project``, its output into ``log``.out and ``log``.err."""
    with open(f"{log}.out", "w") as out, open(f"{log}.err", "w") as err:
        return subprocess.Popen(
            ["make", "--no-print-directory", *args],
            cwd=project,
            env=user_environment(),
            stdout=out,
            stderr=err,
        )


def finish(run: subprocess.Popen, log: Path) -> tuple[int, str, str]:
    """Wait for a make started by :func:`start`: its exit code, stdout and stderr."""
    code = run.wait(timeout=600)
    return code, Path(f"{log}.out").read_text(), Path(f"{log}.err").read_text()


def test_two_makes_at_once_in_a_fresh_clone_build_one_venv(tmp_path):
    """The others wait for the first make's venv instead of running pip in it half-made.

    A small lock file (PyYAML, which ``briefing dates`` needs, and setuptools) keeps the
    install to seconds. A second ``make venv`` and a ``make -n briefing`` (which builds
    .venv too, to learn the date) start once the first has made .venv/bin/python, before it
    has installed pip there: the moment a second make used to fail ("No module named pip").
    """
    clone, logs = tmp_path / "clone", [tmp_path / name for name in ("first", "second", "third")]
    copy_setup(clone)
    shutil.copytree(ROOT / "src", clone / "src", ignore=shutil.ignore_patterns("__pycache__"))
    (clone / "requirements.lock").write_text(pinned("pyyaml", "setuptools"), encoding="utf-8")
    add_source(clone, NEWER)
    (clone / "notebooks").mkdir()
    first = start(clone, logs[0], "venv")
    deadline = time.monotonic() + 120
    while not (clone / ".venv" / "bin" / "python").exists() and first.poll() is None:
        assert time.monotonic() < deadline, "make venv made no .venv/bin/python in 2 min"
        time.sleep(0.01)
    runs = [first, start(clone, logs[1], "venv"), start(clone, logs[2], "-n", "briefing")]
    done = [finish(run, log) for run, log in zip(runs, logs, strict=True)]
    for code, _, err in done:
        assert code == 0, err
    assert sum(out.count("-r requirements.lock") for _, out, _ in done) == 1  # one install
    assert f".venv/bin/briefing render --as-of {NEWER}\n" in done[2][1]
    check = [clone / ".venv" / "bin" / "briefing", "dates", "--newest"]
    assert subprocess.run(check, cwd=clone, capture_output=True, text=True).stdout == f"{NEWER}\n"


def test_make_signer_writes_a_private_identity_once_and_git_ignores_it(project):
    done = make(project, "signer")
    assert done.returncode == 0, done.stderr
    folder = project / ".signer"
    assert "export BRIEFING_SIGNER=.signer/signer.p12" in done.stdout
    assert (folder / "signer.p12").stat().st_mode & 0o777 == 0o600
    assert (folder / "passphrase").stat().st_mode & 0o777 == 0o600
    assert (folder / "signer.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    before = (folder / "signer.p12").read_bytes()
    again = make(project, "signer")
    assert again.returncode == 0 and "exists" in again.stdout
    assert (folder / "signer.p12").read_bytes() == before
    ignored = subprocess.run(["git", "check-ignore", "-q", ".signer/signer.p12"], cwd=ROOT)
    assert ignored.returncode == 0, ".signer/ must be git-ignored"


def test_setting_changing_or_unsetting_the_signer_renders_again(project):
    manifest = project / "reports" / OLDER / "manifest.json"
    assert make(project, "-n", "briefing").returncode == 0
    manifest.parent.mkdir()
    manifest.write_text("{}\n", encoding="utf-8")  # rendered unsigned, after every input
    assert make(project, "briefing").stdout == "make: Nothing to be done for 'briefing'.\n"
    identity = project / "desk.p12"
    identity.write_bytes(b"an identity")
    signed = make(project, "-n", "briefing", BRIEFING_SIGNER=str(identity))
    assert f"render --as-of {OLDER}" in signed.stdout  # asked to sign now: renders
    manifest.write_text("{}\n", encoding="utf-8")  # as if rendered signed
    again = make(project, "briefing", BRIEFING_SIGNER=str(identity))
    assert again.stdout == "make: Nothing to be done for 'briefing'.\n"
    unsigned = make(project, "-n", "briefing")
    assert f"render --as-of {OLDER}" in unsigned.stdout  # not signing any more: renders


def test_make_verify_trusts_the_certificates_given(project):
    done = make(project, "-n", "verify", "TRUST=.signer/signer.pem")
    assert done.returncode == 0, done.stderr
    assert f"verify reports/{OLDER}/manifest.json --trust .signer/signer.pem" in done.stdout
