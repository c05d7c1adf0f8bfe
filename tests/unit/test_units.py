from __future__ import annotations

import brian2 as b2
import pytest

from sims.units import qty, unit_of


def test_suffixes_map_to_brian_units():
    assert unit_of("tau_decay_ms") == b2.ms
    assert unit_of("g_tonic_max_nS") == b2.nS
    assert unit_of("ambient_gaba_uM") == b2.umolar
    assert unit_of("mg_mM") == b2.mmolar
    assert unit_of("ext_rate_Hz") == b2.Hz
    assert unit_of("kind") is None
    assert qty({"C_pF": 200.0}, "C_pF") == 200 * b2.pF
    assert qty({"x_days": 1.0}, "x_days") == 86400 * b2.second


def test_key_without_unit_is_a_programming_error():
    with pytest.raises(KeyError, match="no unit suffix"):
        qty({"kind": 1.0}, "kind")
