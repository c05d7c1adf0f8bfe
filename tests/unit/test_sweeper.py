"""allonet's sweeper composes one representative job per distinct shape before launching."""

from __future__ import annotations

from hydra_plugins.allonet_sweeper.allonet_sweeper import AllonetSweeper, job_shape

GROUPS = {"network", "scenario", "treatment", "hydra/launcher", "experiment"}


def test_values_of_keys_do_not_change_the_shape_group_choices_do():
    a = job_shape(["steroids.brain_nM.allo=3", "treatment=none"], GROUPS)
    b = job_shape(["treatment=none", "steroids.brain_nM.allo=30"], GROUPS)
    c = job_shape(["steroids.brain_nM.allo=3", "treatment=zuranolone"], GROUPS)
    assert a == b != c
    assert job_shape(["+experiment=quick_grid"], GROUPS) != job_shape(["+experiment=x"], GROUPS)
    assert job_shape(["seed=1"], GROUPS) == job_shape(["seed=2"], GROUPS)


class _Recorder(AllonetSweeper):
    def __init__(self) -> None:
        super().__init__()
        self.checked: list = []

        class _Cfg:  # what validate_batch_is_legal reads of the master config
            class hydra:  # noqa: N801
                class runtime:  # noqa: N801
                    choices = dict.fromkeys(GROUPS, "x")

        self.config = _Cfg()


def test_one_composition_per_shape(monkeypatch):
    from hydra.plugins.sweeper import Sweeper

    sweeper = _Recorder()
    monkeypatch.setattr(Sweeper, "validate_batch_is_legal",
                        lambda self, batch: self.checked.extend(batch))
    batch = [[f"steroids.brain_nM.allo={a}", f"treatment={t}"]
             for a in (1, 3, 10, 30) for t in ("none", "brexanolone")]
    sweeper.validate_batch_is_legal(batch)
    assert len(sweeper.checked) == 2  # one per treatment, not 8
    assert {tuple(j)[1] for j in sweeper.checked} == {"treatment=none", "treatment=brexanolone"}
