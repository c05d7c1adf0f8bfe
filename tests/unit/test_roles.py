"""What each config key is for is declared in the schemas (a section's ROLE, a field's
role=, bookkeeping and analysis-node fields; read by sims.configuration.roles); the seed
rule, the analyses' node lists and the build classes follow it."""

from __future__ import annotations

import copy

import pytest

from sims import seeds
from sims.calibration import evaluate
from sims.config import ANALYSIS_NODES
from sims.configuration import roles


def test_the_lists_derive_from_the_roles():
    assert seeds.IGNORED_KEYS == roles.BOOKKEEPING_KEYS + roles.ANALYSIS_NODES
    assert ANALYSIS_NODES is roles.ANALYSIS_NODES
    assert evaluate.ANALYSIS_NODES == roles.ANALYSIS_RUN_NODES
    assert set(roles.ANALYSIS_RUN_NODES) < set(roles.ANALYSIS_NODES)


def test_the_lists_read_from_the_schemas_are_the_ones_by_hand():
    assert roles.ANALYSIS_NODES == ("targets", "calibration", "sensitivity", "uncertainty",
                                    "calibrated", "cohort", "study", "measurement")
    assert roles.ANALYSIS_RUN_NODES == ("targets", "calibration", "sensitivity",
                                        "uncertainty")
    assert set(roles.BOOKKEEPING_KEYS) == {"backend", "output", "coupling.workers",
                                           "coupling.progress", "slow.backend", "seed",
                                           "seed_mode"}


@pytest.mark.parametrize("node", roles.ANALYSIS_NODES)
def test_no_analysis_node_reaches_the_network(node):
    """An analysis chooses what runs, never what is compiled or set at run time."""
    assert roles.key_class(f"{node}.anything.deep") == roles.UNUSED


@pytest.mark.parametrize(("key", "cls"), [
    ("network.populations.E.n", roles.COMPILED),
    ("network.populations.E.b_pA", roles.RUNTIME),
    ("network.populations.E.source", roles.UNUSED),
    ("receptors.populations.PV.g_tonic_max_nS", roles.RUNTIME),
    ("probe.window_ms", roles.COMPILED),
    ("probe.psd_method", roles.UNUSED),
    ("homeostasis.tau_down_days", roles.UNUSED),
    ("steroids.brain_nM.allo", roles.RUNTIME),
    ("seed", roles.RUNTIME),
    # a section's role, inherited by what it nests and by its collections' entries
    ("receptors.nmda.mg_mM", roles.COMPILED),
    ("receptors.populations.E.E_tonic_mV", roles.RUNTIME),
    ("pharmacology.species.allo.delta_tonic.ec50_nM", roles.RUNTIME),
    ("steroids.kinetics.allo_vmax_nM", roles.UNUSED),
    ("sleep.nrem.E.b_pA", roles.RUNTIME),
    ("sleep.updown.bin_ms", roles.UNUSED),
    # a field that differs from its section
    ("probe.state", roles.RUNTIME),
    ("backend.cache_dir", roles.UNUSED),
    ("backend.name", roles.COMPILED),
    # documentation strings, wherever they are
    ("pharmacology.species.allo.source", roles.UNUSED),
    ("receptors.alpha4_polarity.source", roles.UNUSED),
    # below a plain value: the value's role
    ("coupling.probe_times_h[2]", roles.UNUSED),
    ("treatment.brexanolone.rate_ug_per_kg_h", roles.UNUSED),
])
def test_key_classes_by_hand(key, cls):
    assert roles.key_class(key) == cls


def test_an_unclassified_key_is_an_error():
    with pytest.raises(KeyError, match="not a field of AllonetConfig"):
        roles.key_class("network_typo.x")
    with pytest.raises(KeyError, match="'n_neurons' is not a field of PopulationConfig"):
        roles.key_class("network.populations.E.n_neurons")


def _every_schema_key(schema, prefix=""):
    """Every dotted key a schema declares (one placeholder name per collection entry)."""
    import dataclasses
    import typing

    from sims.params import entry_schema

    hints = typing.get_type_hints(schema)
    for f in dataclasses.fields(schema):
        entry = entry_schema(f)
        if entry is not None:
            yield from _every_schema_key(entry, f"{prefix}{f.name}.X.")
        elif dataclasses.is_dataclass(hints[f.name]):
            yield from _every_schema_key(hints[f.name], f"{prefix}{f.name}.")
        else:
            yield prefix + f.name


def test_every_field_of_every_schema_has_a_role():
    """A new field gets its section's role without any other edit; none is left without."""
    from sims.configuration.schema import AllonetConfig

    keys = list(_every_schema_key(AllonetConfig))
    assert len(keys) > 150
    assert {roles.key_class(k) for k in keys} == {roles.COMPILED, roles.RUNTIME, roles.UNUSED}


def test_under_matches_keys_inside_a_prefix_only():
    assert roles.under("output.filename", ("output",))
    assert roles.under("cohort.parameters[0]", ("cohort",))
    assert roles.under("seed", roles.BOOKKEEPING_KEYS)
    assert not roles.under("outputs.x", ("output",))
    assert not roles.under("seed_x", ("seed",))


def test_the_seed_ignores_bookkeeping_but_not_science():
    base = seeds.base_config()
    job = seeds.job_seed(base, base)
    for key in ("output.filename", "coupling.workers", "backend.codegen_target"):
        c = copy.deepcopy(base)
        node = c
        *parents, leaf = key.split(".")
        for p in parents:
            node = node[p]
        node[leaf] = "numpy" if leaf == "codegen_target" else (
            "x.h5" if leaf == "filename" else 2)
        assert seeds.job_seed(c, base) == job, key
    c = copy.deepcopy(base)
    c["steroids"]["brain_nM"]["allo"] = base["steroids"]["brain_nM"]["allo"] + 1.0
    assert seeds.job_seed(c, base) != job
