"""Units from key suffixes: Brian2 quantities (fast layer) and the slow layer's internal
units, longest suffix first (so compound units are never read as their tail)."""

from __future__ import annotations

import brian2 as b2
import pytest

from sims.units import SLOW_FACTORS, ng_per_mL_to_nM, qty, slow_unit, slow_value, unit_of


def test_suffixes_map_to_brian_units():
    assert unit_of("tau_decay_ms") == b2.ms
    assert unit_of("g_tonic_max_nS") == b2.nS
    assert unit_of("ambient_gaba_uM") == b2.umolar
    assert unit_of("mg_mM") == b2.mmolar
    assert unit_of("ext_rate_Hz") == b2.Hz
    assert unit_of("kind") is None
    assert qty({"C_pF": 200.0}, "C_pF") == 200 * b2.pF
    assert qty({"x_days": 1.0}, "x_days") == 86400 * b2.second


def test_compound_suffixes_are_not_read_as_their_tail():
    """``ka_per_h`` is a rate (1/h), not a duration in hours; ``cl_L_per_h`` has no Brian2
    unit at all (a slow-layer volume rate)."""
    assert unit_of("ka_per_h") == b2.Hz / 3600
    assert unit_of("ka_per_h").dim == b2.Hz.dim != b2.second.dim
    assert unit_of("cl_L_per_h") is None and unit_of("dose_mg") is None
    assert unit_of("v1_L_per_kg") is None and unit_of("mw_g_per_mol") is None
    assert slow_unit("ka_per_h") == (1.0, "1/h")
    assert slow_unit("cl_L_per_h_per_kg") == (1.0, "L/h/kg")
    assert slow_unit("cl_L_per_h") == (1.0, "L/h")
    assert slow_unit("onset_h") == (1.0, "h")


@pytest.mark.parametrize("key, value, hours_or_unit", [
    ("duration_min", 90.0, 1.5), ("t_h", 2.0, 2.0), ("duration_days", 2.0, 48.0),
    ("delivery_day", 1.0, 24.0), ("rise_width_weeks", 1.0, 168.0),
    ("age_start_years", 1.0, 24 * 365.25), ("level_nM", 3.0, 3.0),
])
def test_slow_layer_factors_convert_into_hours_and_nM(key, value, hours_or_unit):
    assert slow_value({key: value}, key) == pytest.approx(hours_or_unit)


def test_every_slow_factor_is_reachable_by_its_own_suffix():
    """No suffix is shadowed by a longer one it does not belong to."""
    for suffix, (factor, unit) in SLOW_FACTORS.items():
        assert slow_unit("x" + suffix) == (factor, unit), suffix


def test_mass_to_molar():
    assert ng_per_mL_to_nM(1.0, 318.5) == pytest.approx(3.14, abs=0.005)  # ALLO
    assert ng_per_mL_to_nM(1.0, 362.5) * 100 / 10 == pytest.approx(27.6, abs=0.05)  # cortisol


def test_keys_without_a_unit_are_programming_errors():
    with pytest.raises(KeyError, match="no unit suffix"):
        qty({"kind": 1.0}, "kind")
    with pytest.raises(KeyError, match="no slow-layer unit suffix"):
        slow_value({"kind": 1.0}, "kind")
