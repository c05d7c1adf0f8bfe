"""Every reader (``sims.io``, ``analysis.load``, ``allonet-collect``, ``allonet-figures``)
given missing, empty, truncated, non-HDF5, foreign and incomplete files: a clean message
naming the file (exit 2 from the commands), never a traceback; and a ``sweep.h5`` older
than its sweep is noticed and collected again."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import pytest

from analysis import cli
from analysis.collect import collect, is_current, load_sweep
from analysis.collect import main as collect_main
from analysis.load import load_run_data
from sims import io
from sims.config import compose
from sims.errors import ResultFileError
from sims.simulate import simulate

SLOW = ["sim=debug", "coupling=slow_only", "scenario.duration_days=1"]


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("good")
    simulate(compose(SLOW), out_dir=out, overrides=SLOW)
    return out / "result.h5"


def _corrupt(kind: str, folder: Path, good: Path) -> Path:
    path = folder / kind / "result.h5"
    path.parent.mkdir(parents=True)
    data = good.read_bytes()
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "random":
        path.write_bytes(bytes(range(256)) * 8)
    elif kind == "folder":
        path.mkdir()
    elif kind == "foreign":  # valid HDF5, not an allonet result
        with h5py.File(path, "w") as f:
            f["x"] = [1, 2, 3]
    elif kind == "incomplete":
        res = io.read_result(good)
        res.attrs["complete"] = False
        io.write_result(path, res)
    return path


BROKEN = ("empty", "truncated", "random", "folder")


@pytest.mark.parametrize("kind", BROKEN)
def test_io_and_load_name_the_broken_file(tmp_path, good, kind):
    path = _corrupt(kind, tmp_path, good)
    for reader in (io.read_result, io.read_attrs, load_run_data):
        with pytest.raises(ResultFileError) as info:
            reader(path)
        assert str(path) in str(info.value)
    assert not io.is_complete(path)
    assert io.completeness(path) not in ("complete", "incomplete")
    with pytest.raises(ResultFileError, match="no such file"):
        io.read_result(tmp_path / "missing.h5")


@pytest.mark.parametrize("kind", [*BROKEN, "foreign", "incomplete", "missing"])
def test_figures_refuse_unusable_files_with_a_message(tmp_path, good, kind, capsys):
    path = tmp_path / "missing" / "result.h5" if kind == "missing" else \
        _corrupt(kind, tmp_path, good)
    assert cli.main([str(path), "--out", str(tmp_path / "fig")]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err
    if kind == "incomplete":
        assert "--allow-incomplete" in err
    assert not (tmp_path / "fig").exists() or not list((tmp_path / "fig").glob("*.png"))


def test_the_figures_command_prints_no_traceback(tmp_path, good):
    path = _corrupt("truncated", tmp_path, good)
    exe = str(Path(sys.executable).with_name("allonet-figures"))
    p = subprocess.run([exe, str(path)], capture_output=True, text=True)
    assert p.returncode == 2 and str(path) in p.stderr and "Traceback" not in p.stderr


def test_an_incomplete_run_is_drawn_only_on_request_and_marked(tmp_path, good):
    path = _corrupt("incomplete", tmp_path, good)
    out = tmp_path / "fig"
    assert cli.main([str(path), "--out", str(out), "--allow-incomplete",
                     "--format", "png"]) == 0
    captions = (out / "captions.txt").read_text()
    assert "INCOMPLETE RUN" in captions and (out / "fig1_timecourse.png").is_file()
    made = cli.run_figures(path, tmp_path / "fig2", ["png"], None, "E", allow_incomplete=True)
    assert made and all(m.caption.startswith("INCOMPLETE") for m in made)


def test_collect_lists_what_it_skipped_and_why(tmp_path, good, capsys):
    sweep = tmp_path / "sweep"
    shutil.copytree(good.parent, sweep / "0")
    for kind in (*BROKEN[:3], "incomplete"):
        _corrupt(kind, sweep, good)
    path, used, skipped = collect(sweep)
    assert used == ["0"] and path is not None
    reasons = dict(s.split(" ", 1) for s in skipped)
    assert "empty file" in reasons["empty"] and "HDF5" in reasons["truncated"]
    assert "HDF5" in reasons["random"] and reasons["incomplete"] == "(incomplete)"
    assert collect_main([str(sweep)]) == 0
    assert capsys.readouterr().err.count("skipped ") == 4


def test_collect_on_a_missing_or_empty_folder_says_so(tmp_path, capsys):
    assert collect_main([str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    with pytest.raises(ResultFileError, match="no such folder"):
        collect(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    assert collect_main([str(tmp_path / "empty")]) == 2
    assert "no complete run" in capsys.readouterr().err


def test_a_sweep_file_older_than_its_sweep_is_detected_and_collected_again(tmp_path, caplog):
    sweep = tmp_path / "sweep"
    for k, gain in enumerate((1.0, 2.0)):
        ov = [*SLOW, f"hpa.feedback_gain={gain}"]
        simulate(compose(ov), out_dir=sweep / str(k), overrides=ov)
    path, _, _ = collect(sweep)
    assert is_current(path) == (True, "")
    ov = [*SLOW, "hpa.feedback_gain=3.0"]
    simulate(compose(ov), out_dir=sweep / "2", overrides=ov)  # a job added since
    current, changed = is_current(path)
    assert not current and "1 job(s) completed since (2)" in changed
    out = tmp_path / "fig"
    assert cli.main([str(path), "--out", str(out), "--format", "png",
                     "--metric", "cortisol_mean"]) == 0
    assert "older than the sweep" in caplog.text
    assert len(load_sweep(path)) == 3 and is_current(path)[0]
    res = io.read_result(sweep / "1" / "result.h5")  # a job re-run since
    io.write_result(sweep / "1" / "result.h5", res)
    assert "re-run since (1)" in is_current(path)[1]
