"""The epoch loop on the debug network: open = closed at zero gain, feedback direction,
parallel = sequential, one compile per structure, structural changes rejected."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sims.config import compose, validate
from sims.coupling import run_epochs
from sims.fast import backend, build_cache
from sims.fast.backend import CompiledNetwork, StructuralChangeError
from sims.fast.probe import RunawayActivityError, run_probe


def config(debug_config, tmp_path=None, **coupling):
    c = copy.deepcopy(debug_config)
    c["scenario"] = validate(compose(["scenario=pregnancy_postpartum",
                                      "scenario.delivery_day=2",
                                      "scenario.duration_days=4"]))["scenario"]
    c["coupling"].update({"cadence_h": 24.0, "probe_times_h": [], "progress": False},
                         **coupling)
    if tmp_path is not None:
        c["backend"]["cache_dir"] = str(tmp_path / "cache")
    return validate(c)


def assert_same(a, b):
    assert a.times_h == b.times_h
    for name in a.trajectory.values:
        np.testing.assert_array_equal(a.trajectory.values[name], b.trajectory.values[name],
                                      err_msg=name)
    for pa, pb in zip(a.probes, b.probes, strict=True):
        for k in pa.per_population:
            np.testing.assert_array_equal(pa.per_population[k], pb.per_population[k])
        assert pa.scalars.keys() == pb.scalars.keys()
        np.testing.assert_array_equal([pa.scalars[k] for k in pa.scalars],  # NaN == NaN
                                      [pb.scalars[k] for k in pa.scalars])
        for p in pa.raw.spikes:
            np.testing.assert_array_equal(pa.raw.spikes[p][1], pb.raw.spikes[p][1])


def test_open_and_closed_modes_are_identical_at_zero_gain(debug_config):
    open_ = run_epochs(config(debug_config, mode="open"))
    closed = run_epochs(config(debug_config, mode="closed", pvn_gain=0.0))
    assert len(open_.probes) == 4
    assert_same(open_, closed)


def test_closed_loop_pvn_feedback_lowers_crh_when_allo_silences_pvn(debug_config):
    """High ALLO in late pregnancy quiets PVN (delta tonic inhibition, Sarkar 2011); as it
    falls after delivery PVN recovers: closed mode makes CRH drive follow the PVN's rate,
    in place of the slow brake. (Expression held fixed: with homeostasis, delta
    down-regulation compensates and PVN barely changes.)"""
    c_open = config(debug_config, mode="open")
    c_open["homeostasis"]["rule"] = "none"
    c_closed = config(debug_config, mode="closed", pvn_gain=1.0)
    c_closed["homeostasis"]["rule"] = "none"
    open_, closed = run_epochs(c_open), run_epochs(c_closed)
    pvn = list(open_.probes[0].raw.sizes).index("PVN")
    rates = [p.per_population["rate"][pvn] for p in closed.probes]
    assert rates[-1] > rates[0]  # postpartum (day 3) PVN fires more than in pregnancy (day 0)
    # one path for the steroid action on CRH (docs/changelog.md "Model validity", chloride): in the
    # closed loop the PVN's measured rate scales the rhythm and the slow brake is off; open,
    # the brake acts on the same rhythm. Their ratio, after the last probe, by hand:
    from sims.params import build
    from sims.slow.hpa import neurosteroid_brake
    from sims.slow.schemas import HPAConfig

    tr_o, tr_c = open_.trajectory, closed.trajectory
    i = int(np.searchsorted(tr_o.time_h, 3.5 * 24))
    assert tr_c.time_h[i] == tr_o.time_h[i] and tr_o.time_h[i] > closed.times_h[-1]
    scale = 1.0 + 1.0 * (rates[-1] / closed.reference["PVN"] - 1.0)  # pvn_gain 1
    brake = neurosteroid_brake(build(HPAConfig, c_open["hpa"]), tr_o.values["allo_brain"][i]
                               + tr_o.values["thdoc_brain"][i])
    assert tr_c.values["crh_drive"][i] / tr_o.values["crh_drive"][i] == pytest.approx(
        scale / brake, rel=1e-9)
    # the set point is the reference state's rate, not the first probe's (late pregnancy)
    assert set(closed.reference) == set(open_.probes[0].raw.sizes) and not open_.reference
    assert closed.reference["PVN"] != pytest.approx(rates[0])


def test_the_closed_loop_set_point_is_the_reference_state(debug_config):
    """The reference probe equals a network-only probe at the baseline brain levels with
    reference expression (same network, same seed): computed two ways."""
    from sims.simulate import simulate

    c = config(debug_config, mode="closed", pvn_gain=1.0)
    closed = run_epochs(c)
    alone = copy.deepcopy(debug_config)
    alone["coupling"].update(slow=False, probe_times_h=[0.0], cadence_h=0.0, progress=False)
    alone["seed"], alone["seed_mode"] = c["seed"], "shared"
    res = simulate(validate(alone))
    pops = list(res.groups["probes"]["population"].data)
    rates = res.groups["probes"]["rate"].data[0]
    assert {p: closed.reference[p] for p in pops} == {p: float(r) for p, r in
                                                      zip(pops, rates, strict=True)}


def test_parallel_workers_give_the_same_probes_as_one(debug_config):
    one = run_epochs(config(debug_config, workers=1))
    two = run_epochs(config(debug_config, workers=2))
    assert_same(one, two)
    for p in (*one.probes, *two.probes):  # traces are reduced to metrics, spikes kept
        assert p.raw.state == {} and p.raw.state_t.size == 0
        assert sum(len(t) for _, t in p.raw.spikes.values()) > 0


def test_probes_keep_no_spikes_when_they_are_not_saved(debug_config):
    c = config(debug_config, workers=1)
    c["output"]["save_spikes"] = False
    res = run_epochs(c)
    assert all(len(t) == 0 for p in res.probes for _, t in p.raw.spikes.values())
    assert all(p.per_population["rate"][0] > 0 for p in res.probes)  # measured before


def test_the_build_uses_allonet_compiler_flags(debug_config):
    with CompiledNetwork(debug_config) as net:
        makefile = (net.project / "makefile").read_text()
    for flag in build_cache.EXTRA_COMPILE_ARGS:
        assert flag in makefile
    assert build_cache.structural_config(debug_config)["compile_args"] == \
        build_cache.EXTRA_COMPILE_ARGS  # a new flag set is a new cached project


@pytest.mark.slow
def test_concurrent_workers_share_one_build_and_later_runs_reuse_it(debug_config, tmp_path):
    """Two worker processes start on an empty cache at once: the file lock lets one compile
    while the other waits, so one project exists; later runs compile nothing."""
    c = config(debug_config, tmp_path, workers=2)
    first = run_epochs(c)
    assert len(first.probes) == 4
    projects = sorted((tmp_path / "cache").glob("net-*[!k]"))
    assert len(projects) == 1
    objects = {f.name: f.stat().st_mtime_ns for f in (projects[0] / "code_objects").glob("*.o")}
    assert objects
    compiles, builds = backend.COMPILE_COUNT, backend.BUILD_COUNT
    c1 = copy.deepcopy(c)
    c1["coupling"]["workers"] = 1
    run_epochs(c1)  # same structure in this process: a cache hit
    c1["homeostasis"]["tau_up_days"] = 5.0  # run-time values only: still no compilation
    c1["steroids"]["brain_nM"]["thdoc"] = 2.0
    run_epochs(c1)
    assert backend.COMPILE_COUNT == compiles and backend.BUILD_COUNT == builds + 2
    assert {f.name: f.stat().st_mtime_ns
            for f in (projects[0] / "code_objects").glob("*.o")} == objects


def test_structural_changes_are_rejected_from_the_run_time_path(debug_config):
    c = copy.deepcopy(debug_config)
    with CompiledNetwork(c) as net:
        bad = copy.deepcopy(c)
        bad["network"]["populations"]["E"]["n"] = 401
        with pytest.raises(StructuralChangeError, match=r"network\.populations\.E\.n"):
            run_probe(net, bad, {"allo": 3.0})
        with pytest.raises(StructuralChangeError, match="not a run-time variable"):
            net.run({"E": {"C": 1.0}})


def test_progress_shows_on_a_terminal_and_is_silent_off_it(tmp_path):
    """A pseudo-terminal as stderr gets the progress line; a pipe does not."""
    import os
    import pty
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).with_name("allonet"))
    args = [exe, "sim=debug", "scenario=pregnancy_postpartum", "scenario.delivery_day=2",
            "scenario.duration_days=4", "coupling.cadence_h=24", "coupling.probe_times_h=[]"]
    master, slave = pty.openpty()
    p = subprocess.Popen([*args, f"hydra.run.dir={tmp_path / 'tty'}"], stdout=subprocess.DEVNULL,
                         stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    assert p.wait(timeout=600) == 0
    os.close(master)
    assert b"probes 4/4" in seen and b"ETA" in seen
    piped = subprocess.run([*args, f"hydra.run.dir={tmp_path / 'pipe'}"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=600)
    assert piped.returncode == 0 and "probes 4/4" not in piped.stderr


def test_runaway_names_the_probe_time(debug_config):
    c = config(debug_config)
    c["probe"]["max_rate_Hz"] = 0.5
    with pytest.raises(RunawayActivityError, match=r"probe 0 at t=0 h"):
        run_epochs(c)
