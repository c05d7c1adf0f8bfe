"""Bad input from every layer, through the real command line: every config group, the CSV
reader and the sweep grammar. Each case must exit 2, name the offending key in its
message, print no traceback and leave no result file.

The cases run as subprocesses two at a time (a session fixture), each in its own folder;
a failing case reports its own command, exit code and output.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ALLONET = str(Path(sys.executable).with_name("allonet"))


@dataclass
class Case:
    args: list[str]
    key: str  # must appear in the message
    csv: str | None = None  # written to tc.csv in the case's folder (scenario.path=tc.csv)


def _c(key: str, *args: str, csv: str | None = None) -> Case:
    return Case(list(args), key, csv)


FROM_FILE = ("coupling=slow_only", "scenario=from_file", "scenario.path=tc.csv")

CASES: dict[str, Case] = {
    # root keys, group choices
    "unknown-key": _c("nonexistent_key", "+nonexistent_key=1"),
    "seed-negative": _c("seed", "seed=-1"),
    "seed-not-int": _c("seed", "seed=abc"),
    "seed-too-large": _c("seed", "seed=3000000000"),
    "seed-mode": _c("seed_mode", "seed_mode=random"),
    "sim-option": _c("no_such_sim", "sim=no_such_sim"),
    "treatment-option": _c("nonexistent", "treatment=nonexistent"),
    # network
    "dt-zero": _c("network.dt_ms", "network.dt_ms=0"),
    "dt-grid": _c("network.dt_ms", "network.dt_ms=0.07"),
    "method": _c("network.method", "network.method=rk9"),
    "lfp-population": _c("network.lfp_population", "network.lfp_population=VIP"),
    "population-size": _c("network.populations.E.n", "network.populations.E.n=0"),
    "population-kind": _c("network.populations.E.kind", "network.populations.E.kind=glia"),
    "reset-above-threshold": _c("network.populations.E.Vr_mV", "network.populations.E.Vr_mV=-40"),
    "capacitance": _c("network.populations.E.C_pF", "network.populations.E.C_pF=0"),
    "external-rate": _c("network.populations.E.ext_rate_Hz",
                        "network.populations.E.ext_rate_Hz=5000"),
    "refractory-grid": _c("network.populations.E.tref_ms", "network.populations.E.tref_ms=0.25"),
    "population-typo": _c("no_such_param", "network.populations.E.no_such_param=1"),
    "population-added-typo": _c("network.populations.E.no_such_param",
                                "+network.populations.E.no_such_param=1"),
    "population-added-incomplete": _c("network.populations.VIP.C_pF",
                                      "+network.populations.VIP={n:10,kind:inh}"),
    "population-beyond-memory": _c("network.populations.E.n",
                                   "network.populations.E.n=200000000"),
    "concentration-absurd": _c("steroids.brain_nM.allo", "steroids.brain_nM.allo=1e30"),
    "connection-probability": _c("network.connections.E_to_E.p",
                                 "network.connections.E_to_E.p=1.5"),
    "connection-delay-grid": _c("network.connections.E_to_E.delay_ms",
                                "network.connections.E_to_E.delay_ms=0.25"),
    "connection-unknown-population": _c("network.connections.PV_to_VIP",
                                        "+network.connections.PV_to_VIP={p:0.1,g_nS:1.0}"),
    "connection-missing-weight": _c("network.connections.PV_to_SST.g_nS",
                                    "+network.connections.PV_to_SST={p:0.1}"),
    "inhibitory-nmda": _c("network.connections.PV_to_E.g_nmda_nS",
                          "network.connections.PV_to_E.g_nmda_nS=0.5"),
    # receptors
    "ipsc-decay-zero": _c("receptors.gaba_a.tau_decay_ms", "receptors.gaba_a.tau_decay_ms=0"),
    "ipsc-decay-unit": _c("tau_decay_ms", "receptors.gaba_a.tau_decay_ms=8ms"),
    "nmda-equal-taus": _c("receptors.nmda.tau_rise_ms", "receptors.nmda.tau_rise_ms=100"),
    "tonic-negative": _c("receptors.populations.E.g_tonic_max_nS",
                         "receptors.populations.E.g_tonic_max_nS=-1"),
    "delta-negative": _c("receptors.populations.E.delta_expression",
                         "receptors.populations.E.delta_expression=-0.5"),
    "gaba-hill": _c("receptors.tonic.gaba_hill", "receptors.tonic.gaba_hill=0"),
    "receptor-populations": _c("receptors.populations", "~receptors.populations.PVN"),
    # pharmacology, steroids
    "emax-below-block": _c("pharmacology.species.allo.delta_tonic.emax",
                           "pharmacology.species.allo.delta_tonic.emax=-2"),
    "site": _c("pharmacology.species.allo.site", "pharmacology.species.allo.site=nowhere"),
    "hill-zero": _c("pharmacology.species.allo.gamma2_decay.hill",
                    "pharmacology.species.allo.gamma2_decay.hill=0"),
    "ec50-zero": _c("pharmacology.species.allo.delta_tonic.ec50_nM",
                    "pharmacology.species.allo.delta_tonic.ec50_nM=0"),
    "brain-negative": _c("steroids.brain_nM.allo", "steroids.brain_nM.allo=-3"),
    "unknown-species": _c("steroids.brain_nM.estradiol", "+steroids.brain_nM.estradiol=1"),
    "brain-below-uptake": _c("steroids.brain_nM.allo", "steroids.brain_nM.allo=0.01"),
    "r5a-loss": _c("steroids.kinetics.chronic_r5a_loss",
                   "steroids.kinetics.chronic_r5a_loss=1.5"),
    "brain-half-life": _c("steroids.kinetics.brain_half_life_min",
                          "steroids.kinetics.brain_half_life_min=0"),
    # scenario
    "duration-negative": _c("scenario.duration_days", "scenario.duration_days=-3"),
    "duration-zero": _c("scenario.duration_days", "scenario.duration_days=0"),
    "scenario-step": _c("scenario.dt_min", "scenario.dt_min=0"),
    "cycle-length": _c("scenario.cycle_length_mean_days", "scenario=menstrual",
                       "scenario.cycle_length_mean_days=100"),
    "cycle-day": _c("scenario.start_cycle_day", "scenario=menstrual",
                    "scenario.start_cycle_day=40"),
    "anovulation": _c("scenario.anovulation_prob_end", "scenario=perimenopause",
                      "scenario.anovulation_prob_end=1.5"),
    "gestation-week": _c("scenario.gestation_week_at_start", "scenario=pregnancy_postpartum",
                         "scenario.gestation_week_at_start=50"),
    "stress-intensity": _c("scenario.pulses[0].intensity", "scenario=acute_stress",
                           "scenario.pulses=[{onset_h:1,duration_min:10,intensity:-1}]"),
    "stress-level": _c("scenario.level", "scenario=chronic_stress", "scenario.level=2"),
    "withdrawal-susceptibility": _c("scenario.alpha4_withdrawal_susceptibility",
                                    "scenario=pmdd",
                                    "scenario.alpha4_withdrawal_susceptibility=1.5"),
    "withdrawal-scale": _c("scenario.alpha4_withdrawal_scale", "scenario=pmdd",
                           "scenario.alpha4_withdrawal_scale=-1"),
    "testosterone-decline": _c("scenario.testosterone_decline_per_year", "scenario=male_ageing",
                               "scenario.testosterone_decline_per_year=1.5"),
    "scenario-name": _c("scenario.name", "scenario.name=weekend"),
    "scenario-typo": _c("scenario.typo_key", "+scenario.typo_key=1"),
    # treatment
    "dose-negative": _c("treatment.dose_mg", "treatment=zuranolone", "treatment.dose_mg=-5"),
    "dose-clock": _c("treatment.dose_clock_h", "treatment=zuranolone", "treatment.dose_clock_h=25"),
    "infusion-overlap": _c("treatment.schedule", "treatment=brexanolone",
                           "treatment.schedule='0-4h:30, 2-6h:60'"),
    "first-pass-split": _c("treatment.first_pass_allo_frac", "treatment=progesterone",
                           "treatment.bioavailability_frac=0.6",
                           "treatment.first_pass_allo_frac=0.6"),
    "body-weight": _c("treatment.body_weight_kg", "treatment=testosterone",
                      "treatment.body_weight_kg=0"),
    # hpa, inflammation, homeostasis, slow numerics
    "feedback-gain": _c("hpa.feedback_gain", "hpa.feedback_gain=0"),
    # the Sriram model's constraints apply with hpa=sriram (the default model has its own)
    "circadian-amplitude": _c("hpa.circadian_amplitude", "hpa=sriram",
                              "hpa.circadian_amplitude=2"),
    "michaelis-constant": _c("hpa.K_m1", "hpa=sriram", "hpa.K_m1=0"),
    "hpa-model": _c("hpa.model", "hpa.model=karin"),
    "crh-half-life": _c("hpa.crh_half_life_min", "hpa.crh_half_life_min=0"),
    "wake-clock": _c("hpa.wake_clock_h", "hpa.wake_clock_h=25"),
    "exposure-tau": _c("homeostasis.tau_exposure_days", "homeostasis.tau_exposure_days=0"),
    "gamma2-recovery-tau": _c("homeostasis.gamma2_tau_up_days",
                              "homeostasis.gamma2_tau_up_days=0"),
    "regulation-scale": _c("homeostasis.populations.E.delta",
                           "homeostasis.populations.E.delta=-1"),
    "neurosteroid-brake": _c("hpa.neurosteroid_inhibition", "hpa.neurosteroid_inhibition=1.5"),
    "allo-suppression": _c("inflammation.allo_suppression", "inflammation.allo_suppression=1"),
    "cytokine-tau": _c("inflammation.tau_h", "inflammation.tau_h=0"),
    "homeostasis-rule": _c("homeostasis.rule", "homeostasis.rule=magic"),
    "homeostasis-species": _c("homeostasis.species", "homeostasis.species=human"),
    "recovery-tau": _c("homeostasis.tau_up_days", "homeostasis.tau_up_days=0"),
    "activity-rule-open": _c("homeostasis.rule", "homeostasis=activity"),
    "slow-step-unstable": _c("slow.dt_min", "slow.dt_min=60"),
    "slow-record-grid": _c("slow.record_every_min", "slow.record_every_min=3"),
    "burn-in": _c("slow.burn_in_days", "slow.burn_in_days=-1"),
    # coupling
    "probe-time-negative": _c("coupling.probe_times_h[0]", "coupling.probe_times_h=[-1.0]"),
    "probe-time-after-end": _c("coupling.probe_times_h[0]", "coupling.probe_times_h=[100.0]"),
    "coupling-mode": _c("coupling.mode", "coupling.mode=ajar"),
    "workers": _c("coupling.workers", "coupling.workers=0"),
    "probes-without-network": _c("coupling.probe_times_h", "coupling=slow_only",
                                 "coupling.probe_times_h=[1.0]"),
    "cadence-without-slow": _c("coupling.cadence_h", "coupling=network_only",
                               "coupling.cadence_h=6"),
    "scenario-without-slow": _c("scenario.name", "coupling=network_only", "scenario=menstrual"),
    "pvn-population": _c("coupling.pvn_population", "coupling=closed",
                         "coupling.pvn_population=XYZ"),
    "no-layer": _c("coupling.slow", "coupling.slow=false", "coupling.fast=false"),
    # probe, backend, output
    "n-record": _c("probe.n_record", "probe.n_record=100000"),
    "psd-segment": _c("probe.psd_segment_ms", "probe.psd_segment_ms=2"),
    "record-step": _c("probe.record_dt_ms", "probe.record_dt_ms=2000"),
    "sync-bin": _c("probe.sync_bin_ms", "probe.sync_bin_ms=600"),
    "window-grid": _c("probe.window_ms", "probe.window_ms=100.05"),
    "max-rate": _c("probe.max_rate_Hz", "probe.max_rate_Hz=0"),
    "backend": _c("backend.name", "backend.name=gpu"),
    "codegen": _c("backend.codegen_target", "backend.codegen_target=fortran"),
    "output-name": _c("output.filename", "output.filename=../x.h5"),
    "compression": _c("output.compression_level", "output.compression_level=12"),
    # the CSV reader
    "csv-nan": _c("scenario.path column progesterone_nM row 3", *FROM_FILE,
                  csv="time_days,progesterone_nM\n0,1\n1,nan\n2,3\n"),
    "csv-inf": _c("scenario.path column progesterone_nM row 2", *FROM_FILE,
                  csv="time_days,progesterone_nM\n0,inf\n1,2\n"),
    "csv-nan-time": _c("scenario.path column time_days row 3", *FROM_FILE,
                       csv="time_days,progesterone_nM\n0,1\nnan,2\n2,3\n"),
    "csv-time-order": _c("scenario.path column time_days row 4", *FROM_FILE,
                         csv="time_days,progesterone_nM\n0,1\n2,2\n1,3\n"),
    "csv-negative": _c("scenario.path column progesterone_nM", *FROM_FILE,
                       csv="time_days,progesterone_nM\n0,1\n1,-2\n"),
    "csv-unknown-column": _c("scenario.path column 2", *FROM_FILE,
                             csv="time_days,estradiol_pM\n0,1\n1,2\n"),
    "csv-no-time": _c("scenario.path", *FROM_FILE, csv="progesterone_nM\n1\n2\n"),
    "csv-too-short": _c("scenario.path", *FROM_FILE, csv="time_days,progesterone_nM\n0,1\n"),
    "csv-missing-file": _c("scenario.path", "coupling=slow_only", "scenario=from_file",
                           "scenario.path=no_such.csv"),
    # the sweep grammar
    "sweep-bad-value": _c("steroids.brain_nM.allo", "-m", "steroids.brain_nM.allo=1,-3"),
    "sweep-bad-type": _c("steroids.brain_nM.allo", "-m", "steroids.brain_nM.allo=1,abc"),
    "sweep-bad-range": _c("seed", "-m", "seed=range(1,)"),
    "sweep-empty-element": _c("steroids.brain_nM.allo", "-m", "steroids.brain_nM.allo=1,,2"),
    "sweep-bad-option": _c("weekend", "-m", "scenario=menstrual,weekend"),
    "sweep-bad-function": _c("seed", "-m", "seed=choice(1"),
    "sweep-bad-value-late": _c("probe.n_record", "-m", "probe.n_record=10,20,100000"),
}


def _run(name: str, case: Case, root: Path) -> tuple[list[str], subprocess.CompletedProcess]:
    cwd = root / name
    cwd.mkdir(parents=True)
    if case.csv is not None:
        (cwd / "tc.csv").write_text(case.csv)
    args = [ALLONET, "sim=debug", *case.args]
    if "-m" in case.args:
        args = [ALLONET, "-m", "sim=debug", *(a for a in case.args if a != "-m"),
                f"hydra.sweep.dir={cwd / 'sweep'}"]
    else:
        args.append(f"hydra.run.dir={cwd / 'run'}")
    env = dict(os.environ, HYDRA_FULL_ERROR="0")
    return args, subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300,
                                env=env)


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_input")
    with cf.ThreadPoolExecutor(2) as pool:
        futures = {name: pool.submit(_run, name, case, root) for name, case in CASES.items()}
        return {name: (*f.result(), root / name) for name, f in futures.items()}


def test_there_are_at_least_50_cases_across_every_group():
    keys = " ".join(c.key + " " + " ".join(c.args) for c in CASES.values())
    for group in ("network", "receptors", "pharmacology", "steroids", "scenario", "treatment",
                  "hpa", "inflammation", "homeostasis", "slow", "coupling", "probe",
                  "backend", "output", "seed", "sim", "csv", "-m"):
        assert group in keys or any(n.startswith(group) for n in CASES), group
    assert len(CASES) >= 50


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_exits_2_names_the_key_without_traceback_or_result(outcomes, name):
    args, p, folder = outcomes[name]
    text = p.stdout + p.stderr
    where = f"{' '.join(args[1:])}\n--- output ---\n{text[-2500:]}"
    assert p.returncode == 2, where
    assert CASES[name].key in text, where
    assert "Traceback" not in text, where
    assert not list(folder.rglob("result.h5*")) and not list(folder.rglob(".result.h5.tmp-*"))
