"""A series on a Dask cluster (a LocalCluster the test starts on loopback and stops), a
date that fails while the others publish, and several subjects in one run."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, notebook_with_cell, write_source
from test_series import LATER, two_dates  # noqa: F401  (the two-date fixture)

from briefing.cli import main
from briefing.errors import ParameterError
from briefing.series import SeriesError, render_series
from briefing.series.workers import check_scheduler

NOTEBOOK = ROOT / "notebooks" / "briefing.ipynb"


def files(folder):
    """Every file below ``folder`` by relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def failing_notebook(
    tmp_path, day: str, code: str = "raise RuntimeError('this date cannot be rendered')"
):
    """The briefing notebook with a cell that runs ``code`` on ``day`` only (by default,
    raises)."""
    return notebook_with_cell(tmp_path, f"if as_of == {day!r}:\n    {code}", "fail-on-one-date")


def test_a_series_on_a_local_dask_cluster_gives_the_same_bytes_as_the_pool(two_dates, tmp_path):  # noqa: F811
    pool = render_series(tmp_path / "pool", two_dates, NOTEBOOK, jobs=2)
    dask = render_series(tmp_path / "dask", two_dates, NOTEBOOK, scheduler="local:2")
    assert pool.rendered == dask.rendered == ["2024-10-24", "2024-11-15"]
    made_by_pool, made_by_dask = files(tmp_path / "pool"), files(tmp_path / "dask")
    assert made_by_pool.keys() == made_by_dask.keys()
    for name in made_by_pool:
        assert made_by_pool[name] == made_by_dask[name], name


def test_a_failed_date_is_reported_while_the_others_publish(two_dates, tmp_path):  # noqa: F811
    notebook = failing_notebook(tmp_path, "2024-10-24")
    out = tmp_path / "reports"
    with pytest.raises(SeriesError) as caught:
        render_series(out, two_dates, notebook, scheduler="local:2")
    result = caught.value
    assert caught.value.exit_code == 3  # the notebook raised
    assert list(result.result.failed) == ["2024-10-24"]
    assert "this date cannot be rendered" in result.result.failed["2024-10-24"][1]
    assert result.result.rendered == ["2024-11-15"]
    assert (out / "2024-11-15" / "briefing-2024-11-15.pdf").is_file()
    assert not (out / "2024-10-24").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2024-11-15/briefing-2024-11-15.html" in index and "2024-10-24/" not in index


def test_the_command_exits_with_the_error_listing_the_failed_dates(two_dates, tmp_path, capsys):  # noqa: F811
    notebook = failing_notebook(tmp_path, "2024-11-15")
    code = main(["series", "--data-dir", str(two_dates), "--notebook", str(notebook),
                 "--output-dir", str(tmp_path / "out"), "--jobs", "2"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 3
    assert "1 of 2 date(s) failed" in err and "2024-11-15: " in err
    assert "series: 100%" in err and "failed=1" in err  # the progress bar, on stderr
    assert (tmp_path / "out" / "2024-10-24" / "manifest.json").is_file()
    code = main(["-q", "series", "--data-dir", str(two_dates), "--notebook", str(notebook),
                 "--output-dir", str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 3 and "series:" not in err  # -q: no bar; still the failure


def test_several_subjects_each_get_a_folder_an_index_and_a_top_index(dataset, tmp_path):
    kursk = tmp_path / "subjects" / "kursk"
    drones = tmp_path / "subjects" / "drones"
    shutil.copytree(dataset, kursk)
    shutil.copytree(dataset, drones)
    (kursk / "briefing.yml").write_text("title: Troops in Kursk\n", encoding="utf-8")
    (drones / "briefing.yml").write_text("title: Drone strikes\n", encoding="utf-8")
    write_source(drones / "sources", LATER, "Officials say 10,000 troops are in Kursk.",
                 published="2024-11-15", title="Later report")  # fmt: skip
    out = tmp_path / "reports"
    result = render_series(out, [kursk, drones], NOTEBOOK, jobs=2)
    assert sorted(result.rendered) == ["drones/2024-10-24", "drones/2024-11-15",
                                       "kursk/2024-10-24"]  # fmt: skip
    assert (out / "kursk" / "2024-10-24" / "briefing-2024-10-24.pdf").is_file()
    assert "2024-11-15/briefing-2024-11-15.pdf" in (out / "drones" / "index.html").read_text()
    top = (out / "index.html").read_text(encoding="utf-8")
    assert top.index("Drone strikes") < top.index("Troops in Kursk")
    assert 'href="kursk/index.html"' in top and 'href="drones/index.html"' in top
    again = render_series(out, [kursk, drones], NOTEBOOK, jobs=2)
    assert again.rendered == [] and len(again.skipped) == 3


def test_two_subjects_in_folders_of_one_name_are_refused(dataset, tmp_path):
    other = tmp_path / "elsewhere" / dataset.name
    shutil.copytree(dataset, other)
    with pytest.raises(ParameterError, match="two data folders are named 'data'"):
        render_series(tmp_path / "out", [dataset, other], NOTEBOOK)


@pytest.mark.parametrize(
    "bad", ["local:0", "locale", "8786", "http://host:8786", "inproc://x", "tcp://host"]
)
def test_a_scheduler_that_names_nothing_is_refused(bad):
    with pytest.raises(ParameterError, match="expected local, local:N"):
        check_scheduler(bad)


def test_an_unreachable_scheduler_exits_5(two_dates, tmp_path, capsys, monkeypatch):  # noqa: F811
    import briefing.series.workers as workers

    monkeypatch.setattr(workers, "CONNECT_TIMEOUT", 2)
    code = main(["-q", "series", "--data-dir", str(two_dates), "--output-dir",
                 str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9", "--notebook",
                 str(NOTEBOOK)])  # fmt: skip
    assert code == 5
    assert "reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err


#: Run by the kernel: kill the process that started it (the series' worker), as the
#: kernel-OOM killer or a crash in the worker would.
KILL_THE_WORKER = "import os, signal; os.kill(os.getppid(), signal.SIGKILL)"


def test_a_worker_that_dies_fails_its_date_only(two_dates, tmp_path):  # noqa: F811
    notebook = failing_notebook(tmp_path, "2024-10-24", KILL_THE_WORKER)
    out = tmp_path / "reports"
    with pytest.raises(SeriesError) as caught:
        render_series(out, two_dates, notebook, scheduler="local:2")
    result = caught.value.result
    assert caught.value.exit_code == 5
    assert list(result.failed) == ["2024-10-24"]
    assert "the worker was lost" in result.failed["2024-10-24"][1]
    assert result.rendered == ["2024-11-15"]
    assert "2024-11-15/briefing-2024-11-15.html" in (out / "index.html").read_text()


def test_a_dead_pool_worker_still_leaves_an_index_and_the_failed_dates(two_dates, tmp_path):  # noqa: F811
    notebook = failing_notebook(tmp_path, "2024-10-24", KILL_THE_WORKER)
    out = tmp_path / "reports"
    with pytest.raises(SeriesError) as caught:
        render_series(out, two_dates, notebook, jobs=1)
    assert caught.value.exit_code == 5
    assert "2024-10-24" in caught.value.result.failed  # the pool breaks: later dates fail too
    assert (out / "index.html").is_file()


def test_a_signing_identity_is_not_sent_to_a_remote_cluster(two_dates, tmp_path):  # noqa: F811
    from test_signing import identity

    signer, _ = identity(tmp_path / "identity", "Desk")
    with pytest.raises(ParameterError, match="not sent over the network"):
        render_series(tmp_path / "out", two_dates, NOTEBOOK, signer=signer,
                      scheduler="tcp://127.0.0.1:8786")  # fmt: skip


#: Run in a fresh Python: a thread starts importing WeasyPrint and is held mid-import (an
#: audit hook, on its first submodule, waits) while a series starts its pool; the import is
#: let go once the series is done. A worker that inherited this process' import locks waits
#: on WeasyPrint's forever.
SERIES_WHILE_IMPORTING = """
import sys, threading
from briefing.series import render_series

started, done = threading.Event(), threading.Event()

def hold(event, args):
    if event == "import" and args[0] == "weasyprint.urls" and not started.is_set():
        started.set()
        done.wait()

sys.addaudithook(hold)
threading.Thread(target=lambda: __import__("weasyprint"), daemon=True).start()
started.wait()
result = render_series(sys.argv[1], sys.argv[2], sys.argv[3], jobs=1)
done.set()
print(" ".join(result.rendered))
"""


def test_a_series_started_while_another_thread_imports_still_renders(two_dates, tmp_path):  # noqa: F811
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", SERIES_WHILE_IMPORTING, str(tmp_path / "out"), str(two_dates),
         str(NOTEBOOK)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["2024-10-24", "2024-11-15"]
