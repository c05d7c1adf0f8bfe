"""Shared fixtures: a clean Brian2 device/clock and seeded RNGs around every test."""

from __future__ import annotations

import copy

import brian2 as b2
import numpy as np
import pytest

from sims.config import compose, validate
from sims.fast.backend import reset_brian

#: Brian2's preferences as imported (its own defaults and preference files).
BRIAN_PREFERENCES = dict(b2.prefs.prefs)


def _brian_untouched() -> bool:
    """Whether Brian2 is as a reset leaves it: the runtime device, no live objects, the
    preferences as imported, the default time step."""
    from brian2.core.base import BrianObject
    from brian2.devices.device import RuntimeDevice, get_device

    return (type(get_device()) is RuntimeDevice
            and not any(True for _ in BrianObject.__instances__())
            and dict(b2.prefs.prefs) == BRIAN_PREFERENCES
            and b2.defaultclock.dt == 0.1 * b2.ms)


def _reset(always: bool) -> None:
    """reset_brian; in the fast tier only when the test used Brian2, else a new scope
    (reset_brian's reinit_devices takes ~0.1 s, twice per test: most of the fast tier's
    time when every test paid it). Integration and slow tests always reset."""
    if not always and _brian_untouched():
        b2.start_scope()
    else:
        reset_brian(BRIAN_PREFERENCES)


@pytest.fixture(autouse=True)
def clean_brian(request):
    """Reset Brian2's device, clock and preferences and seed numpy before and after."""
    always = any(request.node.get_closest_marker(m) for m in ("integration", "slow"))
    _reset(always)
    np.random.seed(20261121)
    b2.seed(20261121)
    yield
    _reset(always)


@pytest.fixture(scope="session")
def debug_config() -> dict:
    """The validated ``sim=debug`` config (plain dict); copy before modifying."""
    return validate(compose(["sim=debug"]))


@pytest.fixture(scope="session")
def default_config() -> dict:
    """The validated default config (plain dict); copy before modifying."""
    return validate(compose([]))


def with_value(node: dict, path: tuple, value: object) -> dict:
    """A deep copy of a nested config mapping with ``value`` at ``path`` (a bad-input case)."""
    out = copy.deepcopy(node)
    d = out
    for p in path[:-1]:
        d = d[p]
    d[path[-1]] = value
    return out


def single_cell_config(base: dict, n_pre: int = 0, **pop: float) -> dict:
    """One E cell (plus optionally ``n_pre`` inhibitory cells 'I' projecting onto it).

    No external drive and no recurrent synapses except I -> E; numpy runtime backend so
    that nothing is compiled.
    """
    c = copy.deepcopy(base)
    e = dict(c["network"]["populations"]["E"], n=1, ext_n=0, a_nS=0.0, b_pA=0.0, Vt_mV=0.0)
    e.update(pop)
    pv, rec = dict(c["network"]["populations"]["PV"]), c["receptors"]["populations"]
    c["network"]["populations"] = {"E": e}
    c["network"]["connections"] = {}
    c["receptors"]["populations"] = {"E": dict(rec["E"])}
    if n_pre:
        c["network"]["populations"]["I"] = dict(
            pv, n=n_pre, ext_n=0, EL_mV=-40.0, Vt_mV=-50.0,
            Vr_mV=-60.0, tref_ms=1000.0)
        c["receptors"]["populations"]["I"] = dict(rec["PV"])
        c["network"]["connections"] = {"I_to_E": {"p": 1.0, "g_nS": 1.0, "g_nmda_nS": 0.0,
                                                   "delay_ms": 1.0, "source": "test"}}
    c["homeostasis"] = dict(c["homeostasis"], populations={
        p: {"delta": 0.0, "gamma2": 0.0, "alpha4": 0.0} for p in c["network"]["populations"]})
    c["sleep"] = dict(c["sleep"], nrem={})  # its own populations: wake values in nrem
    c["chloride"] = dict(c["chloride"], populations={})  # fixed E_GABA
    c["backend"] = dict(c["backend"], name="runtime", codegen_target="numpy")
    # a slice: the bath concentration is the receptor's (aqueous), not a tissue total
    c["pharmacology"] = dict(c["pharmacology"], species={
        k: dict(v, free_fraction_brain=1.0) for k, v in c["pharmacology"]["species"].items()})
    c["probe"] = dict(c["probe"], n_record=1, warmup_ms=0.0)
    return validate(c)


# --------------------------------------------------------------------------- test tiers
#: Folders whose tests run through the real command line, build networks or run long
#: scenarios: the ``integration`` tier (``make test-integration``); ``make test`` runs the
#: rest (pure functions, config errors in-process), ``make test-slow`` the ``slow`` ones.
INTEGRATION_DIRS = ("integration", "validation")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/integration and tests/validation ``integration``."""
    for item in items:
        if any(part in INTEGRATION_DIRS for part in item.path.parts[-3:-1]):
            item.add_marker(pytest.mark.integration)


# --------------------------------------------------------------------------- CI time budget
#: Unix time after which the remaining tests of this session are skipped, with a reason
#: (``.ci/run`` sets it for the slow tier so that CI ends inside its limit; unset: none).
DEADLINE_ENV = "ALLONET_TEST_DEADLINE"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (visibly, counted in the summary) every test that starts after the deadline."""
    import os
    import time

    deadline = os.environ.get(DEADLINE_ENV)
    if deadline and time.time() > float(deadline):
        pytest.skip(f"CI time budget reached ({DEADLINE_ENV}); run `make test-slow` locally")


@pytest.fixture
def figure_text_check(monkeypatch):
    """Record, for every figure a figures module saves, the texts printed over each other
    and those reaching outside the canvas (``analysis.style``); returns the record
    {file stem: (overlapping pairs, outside texts, caption)}. Call it with the modules
    whose ``save`` to watch."""
    from pathlib import Path

    from analysis.style import overlapping_texts, text_outside_canvas

    record: dict[str, tuple] = {}

    def watch(*modules):
        for mod in modules:
            real = mod.save

            def save(fig, stem, formats, prov, caption, _real=real):
                record[Path(stem).name] = (overlapping_texts(fig), text_outside_canvas(fig),
                                           caption)
                return _real(fig, stem, formats, prov, caption)

            monkeypatch.setattr(mod, "save", save)
        return record

    return watch
