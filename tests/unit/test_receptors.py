from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest

from sims.fast.receptors import nmda_peak_normalisation


def test_nmda_normalisation_gives_unit_peak():
    tr, td = 2e-3, 100e-3
    norm = nmda_peak_normalisation(tr * b2.second, td * b2.second)
    t = np.linspace(0, 0.1, 200001)
    g = norm * tr / (tr - td) * (np.exp(-t / tr) - np.exp(-t / td))
    assert g.max() == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(ValueError):
        nmda_peak_normalisation(5 * b2.ms, 5 * b2.ms)
