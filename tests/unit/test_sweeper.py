"""allonet's sweeper composes one representative job per distinct shape before launching.

Hydra's plugin scanner re-executes plugin modules (and its own core plugins), so the
classes are taken from the scanned modules, as Hydra itself does, not imported at
collection time.
"""

from __future__ import annotations

import sys

from hydra.core.plugins import Plugins
from hydra.plugins.sweeper import Sweeper

GROUPS = {"network", "scenario", "treatment", "hydra/launcher", "experiment"}


def _plugin_module():
    cls = next(p for p in Plugins.instance().discover(Sweeper) if p.__name__ == "AllonetSweeper")
    return sys.modules[cls.__module__]


def test_values_of_keys_do_not_change_the_shape_group_choices_do():
    job_shape = _plugin_module().job_shape
    a = job_shape(["steroids.brain_nM.allo=3", "treatment=none"], GROUPS)
    b = job_shape(["treatment=none", "steroids.brain_nM.allo=30"], GROUPS)
    c = job_shape(["steroids.brain_nM.allo=3", "treatment=zuranolone"], GROUPS)
    assert a == b != c
    assert job_shape(["+experiment=quick_grid"], GROUPS) != job_shape(["+experiment=x"], GROUPS)
    assert job_shape(["seed=1"], GROUPS) == job_shape(["seed=2"], GROUPS)


def test_one_composition_per_shape(monkeypatch):
    sweeper = _plugin_module().AllonetSweeper()
    checked: list = []

    class _Cfg:  # what validate_batch_is_legal reads of the master config
        class hydra:  # noqa: N801
            class runtime:  # noqa: N801
                choices = dict.fromkeys(GROUPS, "x")

    sweeper.config = _Cfg()
    monkeypatch.setattr(Sweeper, "validate_batch_is_legal",
                        lambda self, batch: checked.extend(batch))
    batch = [[f"steroids.brain_nM.allo={a}", f"treatment={t}"]
             for a in (1, 3, 10, 30) for t in ("none", "brexanolone")]
    sweeper.validate_batch_is_legal(batch)
    assert len(checked) == 2  # one per treatment, not 8
    assert {tuple(j)[1] for j in checked} == {"treatment=none", "treatment=brexanolone"}
