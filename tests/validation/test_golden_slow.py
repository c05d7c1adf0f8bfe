"""The slow layer against golden trajectories (tests/data/golden_slow.npz, written by
tests/data/make_golden_slow.py; first recorded before the cohort engine vectorised it,
regenerated once, for the fitted brain partition of the mechanisms round):
four runs (human postpartum; menstrual cycles with seeded jitter; chronic stress with a
brexanolone infusion; zuranolone with the Sriram HPA model), every recorded variable,
hourly. Tolerance: relative 1e-9 (plus 1e-12 of the variable's range), room for
floating-point reassociation when the same equations run on arrays, far below any
change of the model. Both numeric backends are checked: ``float`` (the single run) and
``array`` (the cohort engine's, here as its N = 1 case; measured agreement ~1e-15)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sims.config import compose, validate
from sims.slow.model import SlowModel

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden_slow.npz"
DATA = np.load(GOLDEN)
CASES = sorted({k.split("/")[0] for k in DATA.files})


#: The array backend on one individual is ~7x slower than the float one: one case (PK and
#: the Sriram HPA model) in every test run, the rest with the slow tests.
ARRAY_FAST = ("zuranolone_sriram",)


#: Variables added after the golden values were recorded (none since the regeneration for
#: the fitted brain partition, mechanisms round; declare any new one here).
ADDED_SINCE_GOLDEN: set[str] = set()


@pytest.mark.parametrize("case, backend", [
    *((c, "float") for c in CASES),
    *(pytest.param(c, "array", marks=() if c in ARRAY_FAST else pytest.mark.slow)
      for c in CASES)])
def test_the_slow_layer_reproduces_its_golden_trajectories(case, backend):
    overrides = [str(x) for x in DATA[f"{case}/overrides"]]
    c = validate(compose([*overrides, f"slow.backend={backend}"]))
    tr = SlowModel(c).run(c["seed"])
    t = DATA[f"{case}/time_h"]
    idx = np.searchsorted(tr.time_h, t)
    assert np.array_equal(tr.time_h[idx], t)
    names = [k.split("/", 1)[1] for k in DATA.files
             if k.startswith(f"{case}/") and k.split("/", 1)[1] not in ("time_h", "overrides")]
    # the same variables: none lost, and only the declared additions since the recording
    assert sorted(names) == sorted(set(tr.values) - ADDED_SINCE_GOLDEN)
    for name in names:
        want, got = DATA[f"{case}/{name}"], tr.values[name][idx]
        scale = float(np.ptp(want)) or 1.0
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12 * scale,
                                   err_msg=f"{case}: {name}")
