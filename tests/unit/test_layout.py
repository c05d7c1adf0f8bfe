"""The slow layer's explicit state layout (sims.slow.layout): every state by name, each
treatment's compartments as named rows after the recorded states, and one RK4 over it."""

from __future__ import annotations

import numpy as np
import pytest

from sims.config import compose, validate
from sims.slow.layout import StateLayout
from sims.slow.model import SlowModel
from sims.slow.scenarios import DRIVERS
from sims.slow.variables import SlowVariable


def test_rows_by_name_and_the_treatments_compartments_after_the_recorded_states():
    rec = [SlowVariable("a", "1", "a"), SlowVariable("b", "1", "b")]
    lay = StateLayout.build(rec, [("drug1", ["pk_x_gut", "pk_x_central"]),
                                  ("drug2", ["pk_y_central"])])
    assert lay.names == ("a", "b", "pk_x_gut", "pk_x_central", "pk_y_central")
    assert lay.n_recorded == 2 and len(lay) == 5
    assert [c.rows for c in lay.pk] == [slice(2, 4), slice(4, 5)]
    assert lay.index["pk_y_central"] == 4
    values = {n: float(i) for i, n in enumerate(reversed(lay.names))}
    assert lay.named(lay.ordered(values)) == values  # a round trip by name
    arr = lay.array({**values, "a": np.array([1.0, 2.0])}, 2)
    assert arr.shape == (5, 2) and list(arr[0]) == [1.0, 2.0] and list(arr[4]) == [0.0, 0.0]
    with pytest.raises(ValueError, match="unique"):
        StateLayout.build(rec, [("d", ["a"])])


def test_a_models_layout_places_doses_in_their_compartments_rows():
    c = validate(compose(["coupling=slow_only", "treatment=[progesterone,testosterone]",
                          "scenario.duration_days=1"]))
    m = SlowModel(c)
    assert m.state_names[:m.pk_index] == [v.name for v in m.recorded]
    rows = {r for _, r, _ in m._doses()}
    pk_rows = {m.layout.index[n] for comp in m.layout.pk for n in comp.names}
    assert rows and rows <= pk_rows  # every dose lands in a treatment's compartment
    names = {m.state_names[r] for r in rows}
    assert any(n.startswith("pk_progesterone_") for n in names)
    assert any(n.startswith("pk_testosterone_") for n in names)


def test_one_rk4_step_is_the_same_on_both_backends():
    """The scheme is written once (SlowModel._rk4); the float and array arithmetic do the
    same operations in the same order (to the last bits of exp/log/pow, sims.slow.numerics)."""
    c = validate(compose(["coupling=slow_only", "scenario.duration_days=1"]))
    f, a = SlowModel(c), SlowModel(c, numerics="array")
    y = f.initial_state()
    d = tuple(f.drivers(c["seed"]).values[n][0] for n in DRIVERS)
    one = f._rk4(list(y), d, d, d, 0.0, 0.0, 0.0, 3.0)
    many = a._rk4(np.array(y, dtype=float)[:, None], d, d, d, 0.0, 0.0, 0.0, 3.0)
    assert np.allclose(many[:, 0], one, rtol=1e-10, atol=0)
    assert one != y  # it moved
