"""Parameters declared once, with unit, range and meaning (sims.params): validation reads
the range from the schema, and the schema lists its parameters for the docs."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from sims.config import compose, validate
from sims.configuration.parameters import SECTIONS, page
from sims.errors import ConfigError
from sims.params import bounds_text, describe, is_param, param, within
from sims.slow.schemas import HomeostasisConfig


@dataclasses.dataclass
class _Toy:
    rate_per_h: float = param(1.0, "1/h", gt=0, doc="a rate")
    share: float = param(0.5, "1", ge=0, le=1, doc="a share")
    below: float = param(-70.0, "mV", lt=-30)
    free: float = param(0.0, "nA")
    plain: float = 2.0


@pytest.mark.parametrize(("name", "ok", "bad", "text"), [
    ("rate_per_h", 1e-9, 0.0, "a number > 0 1/h"),
    ("share", 1.0, 1.0000001, "a number in [0, 1]"),
    ("below", -30.0000001, -30.0, "a number < -30 mV"),
    ("free", -5.0, float("nan"), "a finite number nA"),
])
def test_bounds_by_hand(name, ok, bad, text):
    meta = {f.name: f for f in dataclasses.fields(_Toy)}[name].metadata
    assert within(ok, meta) and not within(bad, meta)
    assert bounds_text(meta) == text


def test_only_one_bound_per_side():
    with pytest.raises(ValueError, match="at most one lower"):
        param(1.0, "1", gt=0, ge=0)


def test_describe_lists_declared_parameters_only():
    rows = describe(_Toy)
    assert [r["name"] for r in rows] == ["rate_per_h", "share", "below", "free"]
    assert rows[1] == {"name": "share", "default": 0.5, "unit": "1", "range": "in [0, 1]",
                       "doc": "a share", "source": ""}


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s[2])
def test_every_number_of_a_declared_schema_is_declared(section):
    """A listed section's ranges live in its schema only: every numeric field carries a
    unit, a meaning and a source, and its default obeys its own range."""
    _, schema, prefix, _, _ = section
    hints = typing.get_type_hints(schema)
    numbers = (float, int, float | None)
    numeric = [f for f in dataclasses.fields(schema) if hints[f.name] in numbers]
    assert numeric
    for f in numeric:
        assert is_param(f), f"{prefix}.{f.name}"
        m = f.metadata
        assert m["unit"] and m["doc"] and m["source"], f"{prefix}.{f.name}"
        if isinstance(f.default, int | float):  # not required ("???") or unset (None)
            assert within(f.default, m), f"{prefix}.{f.name}"


def test_homeostasis_numbers_all_have_a_lower_bound():
    hints = typing.get_type_hints(HomeostasisConfig)
    numeric = [f for f in dataclasses.fields(HomeostasisConfig) if hints[f.name] is float]
    assert len(numeric) == 25
    assert all(f.metadata["gt"] is not None or f.metadata["ge"] is not None for f in numeric)


@pytest.mark.parametrize(("override", "allowed"), [
    ("homeostasis.tau_average_h=0", "a number > 0 h (averaging time"),
    ("homeostasis.tau_down_days=-1", "a number > 0 d (time constant of the fall)"),
    ("homeostasis.alpha4_rise_exposure_gate=1.5", "a number in [0, 1]"),
    ("homeostasis.exposure_hill=-2", "a number >= 0 (steepness"),
    ("inflammation.allo_suppression=1", "a number in [0, 1) (largest fractional cut"),
    ("steroids.kinetics.chronic_r5a_loss=1.2", "a number in [0, 1]"),
    ("stress_loop.threshold=-0.1", "a number >= 0"),
    ("chloride.tau_recovery_h=0", "a number > 0 h"),
    ("network.connections.E_to_PV.p=1.2", "a number in [0, 1] (connection probability)"),
    ("receptors.populations.E.alpha4_share=1.5", "a number in [0, 1] (share of the tonic"),
    ("receptors.alpha4_polarity.outward_emax=-1.5", "a number >= -1"),
    ("pharmacology.species.allo.delta_tonic.hill=0", "a number > 0 (Hill coefficient)"),
    ("sleep.night_start_clock_h=24", "a number in [0, 24) h"),
    ("network.populations.PV.n=0", "a number >= 1 (number of neurons)"),
    ("hpa.neurosteroid_inhibition=1.5", "a number in [0, 1] (largest fractional CRH cut"),
    ("hpa.wake_clock_h=25", "a number in [0, 24] h"),
    ("hpa.gr_hill=-1", "a number >= 0 (cooperativity"),
    ("scenario.dt_min=0", "a number > 0 min (recommended integration step"),
    ("scenario.duration_days=0", "a number > 0 d (simulated span)"),
    ("scenario.alpha4_withdrawal_susceptibility=1.5", "a number in [0, 1] (share of the"),
    ("treatment.body_weight_kg=0", "a number > 0 kg (body weight"),
])
def test_validation_reads_the_range_from_the_schema(override, allowed):
    key, _, value = override.partition("=")
    with pytest.raises(ConfigError) as e:
        validate(compose([override]))
    assert e.value.key == key and float(e.value.value) == float(value)
    assert e.value.allowed.startswith(allowed)


def test_a_value_on_the_bound_that_is_allowed_validates():
    c = validate(compose(["homeostasis.alpha4_rise_exposure_gate=0",
                          "homeostasis.exposure_hill=0"]))
    assert c["homeostasis"]["alpha4_rise_exposure_gate"] == 0.0


def test_the_parameters_page_is_generated_from_the_schemas():
    """docs/parameters.md is what `make parameters-page` writes today."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs/parameters.md").read_text()
    assert text == page(), "docs/parameters.md is stale: run make parameters-page"


def test_a_polymorphic_subclass_overrides_a_default_and_keeps_the_declaration():
    """sims.params.override: a scenario's own default, the base's unit, range, meaning and
    source; a changed bound replaces the base's (from_file: 0 days = the file's span)."""
    from sims.slow.schemas import FromFileScenario, PMDDScenario, ScenarioBase

    def meta(schema, name):
        return {f.name: f for f in dataclasses.fields(schema)}[name]

    base, pmdd = meta(ScenarioBase, "stress_allo_response"), meta(PMDDScenario,
                                                                  "stress_allo_response")
    assert (base.default, pmdd.default) == (1.0, 0.5)
    assert pmdd.metadata["unit"] == base.metadata["unit"] and \
        pmdd.metadata["doc"] == base.metadata["doc"]
    assert "Girdler 2001" in pmdd.metadata["source"]
    ff = meta(FromFileScenario, "duration_days").metadata
    assert (ff["gt"], ff["ge"]) == (None, 0)
    assert meta(ScenarioBase, "duration_days").metadata["gt"] == 0
    c = validate(compose(["scenario=from_file", "scenario.duration_days=0"]))
    assert c["scenario"]["duration_days"] == 0.0
    with pytest.raises(ValueError, match="not parameter metadata"):
        from sims.params import override
        override(ScenarioBase, "dt_min", 1.0, colour="red")


def test_a_combined_treatments_range_names_its_own_key():
    with pytest.raises(ConfigError) as e:
        validate(compose(["treatment=[progesterone,testosterone]",
                          "treatment.testosterone.dose_clock_h=24"]))
    assert e.value.key == "treatment.testosterone.dose_clock_h"
    assert e.value.allowed.startswith("a number in [0, 24) h")


def test_a_schema_keeps_its_defaults_on_its_fields_not_on_its_class():
    """sims.params.schema: instances read their fields without a shadowed class attribute
    (CPython reads those about twice as slowly); every default is still the field's, the
    constructor's and Hydra's."""
    from omegaconf import OmegaConf

    from sims.slow.schemas import HPAConfig, MenstrualScenario

    for cls in (HPAConfig, MenstrualScenario):
        for f in dataclasses.fields(cls):
            assert f.name not in vars(cls), f"{cls.__name__}.{f.name} is a class attribute"
    hpa_fields = {f.name: f.default for f in dataclasses.fields(HPAConfig)}
    assert vars(HPAConfig()) == hpa_fields
    assert MenstrualScenario().name == "menstrual"
    assert OmegaConf.to_container(OmegaConf.structured(HPAConfig)) == hpa_fields  # Hydra's
