"""The typed config (sims.configuration.objects): built from the schemas, the same values
as the validated dict (a round trip on every named scenario, treatment, combination,
cohort and study), a snapshot, and a clear error on a config that was not validated."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sims.config import compose, validate
from sims.configuration import schema
from sims.configuration.objects import (
    Config,
    TreatmentCombination,
    as_config,
    as_dict,
    collections,
)
from sims.constants import named_configs
from sims.params import build
from sims.slow import schemas as slow_schemas
from sims.slow.model import one_individual


def _configs() -> list[list[str]]:
    out = [[], ["sim=debug"]]
    out += [[f"scenario={s}"] for s in named_configs("scenario") if s != "from_file"]
    out += [["scenario=pregnancy_postpartum", f"treatment={t}"]
            for t in named_configs("treatment")]
    out += [["scenario=pregnancy_postpartum", "treatment=[brexanolone,zuranolone]"]]
    out += [[f"+cohort={k}"] for k in named_configs("cohort")]
    out += [[f"+study={k}"] for k in ("postpartum_blues_day3", "ppd_treatment_trial")]
    return out


@pytest.mark.parametrize("overrides", _configs(), ids=lambda o: ",".join(o) or "default")
def test_round_trip_gives_the_validated_dict(overrides):
    c = validate(compose(overrides))
    cfg = as_config(c)
    assert isinstance(cfg, Config)
    assert as_dict(cfg) == c
    assert as_config(cfg) is cfg  # already typed: itself


def test_fields_are_the_schemas_classes(default_config):
    cfg = as_config(default_config)
    assert isinstance(cfg.network, schema.NetworkConfig)
    e = cfg.network.populations["E"]
    assert isinstance(e, schema.PopulationConfig)
    assert e.n == default_config["network"]["populations"]["E"]["n"]
    assert e.C_pF == default_config["network"]["populations"]["E"]["C_pF"]
    conn = next(iter(cfg.network.connections.values()))
    assert isinstance(conn, schema.ConnectionConfig)
    assert isinstance(cfg.receptors.populations["E"], schema.PopulationReceptorConfig)
    assert isinstance(cfg.pharmacology.species["allo"], schema.SpeciesConfig)
    assert isinstance(cfg.pharmacology.species["allo"].delta_tonic, schema.HillConfig)
    assert isinstance(cfg.homeostasis.populations["E"],
                      slow_schemas.PopulationHomeostasisConfig)
    assert isinstance(cfg.hpa, slow_schemas.HPAConfig)
    assert isinstance(cfg.scenario, slow_schemas.BaselineScenario)
    assert isinstance(cfg.treatment, slow_schemas.NoTreatment)
    assert cfg.cohort is None  # an unset analysis


def test_scenario_and_treatment_follow_their_name():
    c = validate(compose(["scenario=pregnancy_postpartum",
                          "treatment=[zuranolone,brexanolone]"]))
    cfg = as_config(c)
    assert type(cfg.scenario) is slow_schemas.SCENARIO_SCHEMAS["pregnancy_postpartum"]
    assert isinstance(cfg.treatment, TreatmentCombination)
    assert list(cfg.treatment.parts) == ["brexanolone", "zuranolone"]  # canonical order
    assert isinstance(cfg.treatment.parts["zuranolone"], slow_schemas.ZuranoloneTreatment)
    assert cfg.treatment.parts["zuranolone"].dose_mg == c["treatment"]["zuranolone"]["dose_mg"]


def test_the_objects_are_a_snapshot(default_config):
    cfg = as_config(default_config)
    cfg.coupling.probe_times_h.append(99.0)
    cfg.steroids.brain_nM["allo"] = -1.0
    cfg.network.populations["E"].n = 1
    assert 99.0 not in default_config["coupling"]["probe_times_h"]
    assert default_config["steroids"]["brain_nM"]["allo"] != -1.0
    assert default_config["network"]["populations"]["E"]["n"] != 1
    d = as_dict(cfg)
    d["network"]["populations"]["E"]["n"] = 7
    assert cfg.network.populations["E"].n == 1


def test_a_config_that_was_not_validated_is_refused(default_config):
    c = {k: v for k, v in default_config.items() if k != "probe"}
    with pytest.raises(KeyError, match="probe: missing"):
        as_config(c)
    with pytest.raises(TypeError, match="network: a mapping for NetworkConfig"):
        as_config({**default_config, "network": 3})


def test_the_collections_are_read_from_the_schemas():
    """validate types exactly these entries; the list comes from the schemas' fields."""
    assert dict(collections()) == {
        "network.populations": schema.PopulationConfig,
        "network.connections": schema.ConnectionConfig,
        "receptors.populations": schema.PopulationReceptorConfig,
        "pharmacology.species": schema.SpeciesConfig,
        "chloride.populations": slow_schemas.ChloridePopulationConfig,
        "homeostasis.populations": slow_schemas.PopulationHomeostasisConfig,
        "sleep.nrem": schema.SleepPopulationConfig,
    }
    for path, entry in collections():
        assert dataclasses.is_dataclass(entry), path


def test_lists_of_a_schema_hold_its_instances():
    c = validate(compose(["scenario=acute_stress",
                          "+scenario.stress_tests=[{day: 0, clock_h: 14, duration_min: 20, "
                          "intensity: 1.5}]"]))
    cfg = as_config(c)
    pulse = cfg.scenario.pulses[0]
    assert isinstance(pulse, slow_schemas.StressPulse)
    assert pulse.onset_h == c["scenario"]["pulses"][0]["onset_h"]
    test = cfg.scenario.stress_tests[0]
    assert isinstance(test, slow_schemas.StressTest)
    assert (test.day, test.clock_h, test.duration_min, test.intensity) == (0, 14, 20, 1.5)
    assert as_dict(cfg) == c


def test_a_slow_section_keeps_per_individual_arrays_and_gives_one_individual():
    """The slow layer types its sections itself (sims.params.build); a cohort's arrays
    [individual] pass through unchanged and one_individual picks one individual's values."""
    c = validate(compose(["scenario=menstrual"]))
    amp = np.array([10.0, 20.0, 30.0])
    sc = slow_schemas.typed_scenario({**c["scenario"], "luteal_amplitude_nM": amp})
    assert sc.luteal_amplitude_nM is amp
    second = one_individual(sc, 1)
    assert second.luteal_amplitude_nM == 20.0
    assert second.cycle_length_mean_days == sc.cycle_length_mean_days
    assert one_individual(second, 0) is second  # nothing per individual: itself
    hpa = build(slow_schemas.HPAConfig, c["hpa"], "hpa.")
    assert hpa == as_config(c).hpa
    with pytest.raises(KeyError, match="hpa.k_i: missing"):
        build(slow_schemas.HPAConfig, {k: v for k, v in c["hpa"].items() if k != "k_i"}, "hpa.")
