"""What each config key is for comes from one table (sims.configuration.roles); the seed rule, the
analyses' node lists and the build classes follow it."""

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
    ("homeostasis.tau_down_h", roles.UNUSED),
    ("steroids.brain_nM.allo", roles.RUNTIME),
    ("seed", roles.RUNTIME),
])
def test_key_classes_by_hand(key, cls):
    assert roles.key_class(key) == cls


def test_an_unclassified_key_is_an_error():
    with pytest.raises(KeyError, match="not classified"):
        roles.key_class("network_typo.x")


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
