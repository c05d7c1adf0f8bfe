"""Jobs in a reused worker process, and seeds: what a sweep relies on.

A joblib worker runs job after job in one process. A second job must give exactly what it
gives in a fresh process, whatever ran before it (here: a different network structure and
steroid level). Seeds are run-time values of the compiled network: a sweep over ``seed``
gives distinct, reproducible runs without recompiling.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from sims.config import compose
from sims.fast import backend
from sims.io import read_result
from sims.simulate import simulate

JOB_B = ["sim=debug", "coupling=network_only", "steroids.brain_nM.allo=30"]


def _spikes(path) -> np.ndarray:
    return read_result(path).groups["spikes/probe_0/E"]["t"].data


@pytest.mark.slow  # compiles a second structure (~25 s on a cold cache)
def test_second_job_in_a_reused_process_equals_a_fresh_process(tmp_path):
    job_a = ["sim=debug", "coupling=network_only", "network.populations.PVN.n=30",
             "steroids.brain_nM.allo=3"]
    simulate(compose(job_a), out_dir=tmp_path / "a", overrides=job_a)
    simulate(compose(JOB_B), out_dir=tmp_path / "b_reused", overrides=JOB_B)
    code = ("import sys; from sims.config import compose; from sims.simulate import simulate; "
            f"simulate(compose({JOB_B!r}), out_dir=sys.argv[1], overrides={JOB_B!r})")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "b_fresh")], check=True,
                   capture_output=True, timeout=600)
    reused = read_result(tmp_path / "b_reused" / "result.h5")
    fresh = read_result(tmp_path / "b_fresh" / "result.h5")
    assert reused.attrs["seed"] == fresh.attrs["seed"]
    for name, v in fresh.groups["probes"].items():
        np.testing.assert_array_equal(reused.groups["probes"][name].data, v.data, err_msg=name)
    np.testing.assert_array_equal(_spikes(tmp_path / "b_reused" / "result.h5"),
                                  _spikes(tmp_path / "b_fresh" / "result.h5"))


def test_seed_sweep_is_distinct_reproducible_and_does_not_recompile(tmp_path):
    runs = {}
    for k, seed in enumerate((1, 2, 1)):
        ov = [*JOB_B, f"seed={seed}"]
        simulate(compose(ov), out_dir=tmp_path / str(k), overrides=ov)
        if k == 0:
            compiles = backend.COMPILE_COUNT  # the first run may compile (cold cache)
        runs[k] = read_result(tmp_path / str(k) / "result.h5")
    assert backend.COMPILE_COUNT == compiles  # other seeds: same binary
    seeds = [runs[k].attrs["seed"] for k in range(3)]
    assert seeds[0] == seeds[2] != seeds[1]
    assert [runs[k].attrs["master_seed"] for k in range(3)] == [1, 2, 1]
    t = [_spikes(tmp_path / str(k) / "result.h5") for k in range(3)]
    np.testing.assert_array_equal(t[0], t[2])
    assert not np.array_equal(t[0], t[1])
    r0, r1 = (runs[k].groups["probes"]["rate"].data for k in (0, 1))
    assert not np.array_equal(r0, r1)
    # same network statistics, new draws (PV, SST; the 25 PVN cells are too few, and at
    # 30 nM ALLO the E cells are near-silent under their tonic inhibition: < 0.1 Hz)
    np.testing.assert_allclose(r0[:, 1:3], r1[:, 1:3], rtol=0.25)
