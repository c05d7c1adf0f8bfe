"""What is compiled into the cached binary is declared key by key (sims.fast.build_cache):
every key of every composed config is classified, each compiled key changes the build,
nothing else does; and building a network keeps the user's Brian2 preferences."""

from __future__ import annotations

import copy

import brian2 as b2
import pytest

from sims.config import ANALYSIS_NODES, CONFIG_DIR, compose, validate
from sims.configuration import roles
from sims.fast import build_cache
from sims.fast.backend import CompiledNetwork
from sims.seeds import flatten


def _configs() -> list[dict]:
    """The validated config of every option of every group (and the debug network)."""
    out = [validate(compose(["sim=debug"]))]
    for d in sorted(CONFIG_DIR.iterdir()):
        if not d.is_dir() or d.name in ("experiment", "sim"):
            continue
        for f in sorted(d.glob("*.yaml")):
            extra = ["coupling=closed"] if (d.name, f.stem) == ("homeostasis", "activity") else []
            plus = "+" if d.name in roles.ANALYSIS_NODES else ""
            out.append(validate(compose([f"{plus}{d.name}={f.stem}", *extra])))
    return out


CONFIGS = _configs()
KEYS = sorted({k for c in CONFIGS for k in flatten(c)})
#: The analyses' nodes (hundreds of target keys, each unused with its node): the
#: first key of each is changed, every key of the simulation is.
SCIENCE_KEYS = [k for k in KEYS if k.split(".")[0] not in ANALYSIS_NODES]
ANALYSIS_KEYS = [next(k for k in KEYS if k.split(".")[0] == n) for n in ANALYSIS_NODES
                 if any(k.split(".")[0] == n for k in KEYS)]


def test_every_key_of_every_composed_config_is_classified():
    unclassified = []
    for key in KEYS:
        try:
            roles.key_class(key)
        except KeyError:
            unclassified.append(key)
    assert unclassified == []
    with pytest.raises(KeyError, match="not a field of AllonetConfig"):
        roles.key_class("network_typo.x")


def _set(c: dict, key: str, value) -> None:
    """Set a dotted key (list items as key[i]) in a nested dict."""
    parts = key.replace("]", "").replace("[", ".").split(".")
    node = c
    while True:
        if isinstance(node, list):
            p, n = parts[0], 1
        else:  # a dict key may itself hold dots (calibration.parameters.<config key>)
            n = next(n for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in node)
            p = ".".join(parts[:n])
        if n == len(parts):
            break
        node = node[int(p)] if isinstance(node, list) else node[p]
        parts = parts[n:]
    if isinstance(node, list):
        node[int(p)] = value
    else:
        node[p] = value


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value * 1.5 + 1
    return f"{value}_changed"


def test_compiled_keys_change_the_build_and_nothing_else_does():
    """Each key (in the first config that has it), changed, names another project folder
    (a new build) exactly when it is compiled in; a run-time or unused key, changed,
    reuses the same build. The seed is compiled into a runtime-backend network only."""
    wrong = []
    for key in SCIENCE_KEYS + ANALYSIS_KEYS:
        c = next(c for c in CONFIGS if key in flatten(c))
        changed = copy.deepcopy(c)
        _set(changed, key, _changed(flatten(c)[key]))
        new_build = build_cache.structure_key(changed) != build_cache.structure_key(c)
        compiled = roles.key_class(key) == roles.COMPILED or (
            key == "seed" and c["backend"]["name"] != "cpp_standalone")
        if new_build != compiled:
            wrong.append((key, roles.key_class(key), new_build))
    assert wrong == []
    runtime = next(c for c in CONFIGS if c["backend"]["name"] == "runtime")
    reseeded = copy.deepcopy(runtime)
    reseeded["seed"] += 1
    assert build_cache.structure_key(reseeded) != build_cache.structure_key(runtime)


def test_building_a_network_keeps_the_users_brian2_preferences():
    """A user's own setting survives a network built and closed in the same session."""
    b2.prefs.devices.cpp_standalone.run_cmd_unix = "./main --user-setting"
    target_before = b2.prefs.codegen.target
    c = validate(compose(["sim=debug", "backend=runtime", "backend.codegen_target=numpy",
                          "network.populations.E.n=20", "network.populations.PV.n=5",
                          "network.populations.SST.n=5", "network.populations.PVN.n=5",
                          "probe.n_record=5"]))
    with CompiledNetwork(c):
        assert b2.prefs.codegen.target == "numpy"  # what this network needs
        assert b2.prefs.devices.cpp_standalone.run_cmd_unix == "./main --user-setting"
    assert b2.prefs.devices.cpp_standalone.run_cmd_unix == "./main --user-setting"
    assert b2.prefs.codegen.target == target_before != "numpy"  # the user's target is back
