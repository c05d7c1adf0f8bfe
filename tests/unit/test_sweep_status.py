"""Sweep bookkeeping: job count, status files, progress line and failure table."""

from __future__ import annotations

import json

import pytest

from sims import sweep


def test_count_jobs_matches_the_basic_sweeper_expansion():
    assert sweep.count_jobs(["a=1,2,3", "b=x"], {"c": "4,5"}) == 6
    assert sweep.count_jobs(["a=range(0,10)"], {}) == 10
    assert sweep.count_jobs([], {}) == 1


def test_status_files_progress_and_failure_table(tmp_path):
    (tmp_path / sweep.SWEEP_STATUS).write_text(json.dumps({"total": 4, "started": 100.0}))
    sweep.record_job(tmp_path / "0", 0, ["x=1"], "ran", 2.0)
    sweep.record_job(tmp_path / "1", 1, ["x=2"], "skipped", 0.1)
    sweep.record_job(tmp_path / "2", 2, ["x=3"], "failed", 1.0, "RuntimeError: boom\nline 2")
    jobs = sweep.job_statuses(tmp_path)
    assert [j["job"] for j in jobs] == [0, 1, 2]
    line = sweep.progress_line(tmp_path, now=sweep.job_statuses(tmp_path)[-1]["finished"])
    assert line.startswith("sweep: 3/4 jobs done (1 ran, 1 skipped, 1 failed)")
    assert "ETA" in line
    text, n_bad = sweep.summary(jobs, 4)
    assert "1 ran, 1 skipped, 1 failed (of 4 jobs)" in text
    assert "1 job(s) reported no status" in text
    assert "x=3" in text and "RuntimeError: boom line 2" in text and "x=1" not in text.split(
        "failed jobs:")[1]
    assert n_bad == 2  # the failed job and the missing one
    # statuses older than the sweep's start (an earlier sweep in the same folder) are ignored
    assert sweep.job_statuses(tmp_path, since=jobs[-1]["finished"] + 1) == []


def test_record_job_rejects_unknown_status(tmp_path):
    with pytest.raises(ValueError, match="status"):
        sweep.record_job(tmp_path, 0, [], "done", 0.0)
