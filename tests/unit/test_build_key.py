"""The build cache's key: the compiled keys, the versions, and the Python environment."""

from __future__ import annotations

import sys

from sims.fast import build_cache


def test_the_environment_is_part_of_the_key(debug_config, monkeypatch):
    """Two environments never share a project folder: Brian2 writes the environment's
    include and library paths into the makefile, and a shared folder was rebuilt by one
    while the other ran its binary (PermissionError on ./main)."""
    key = build_cache.structure_key(debug_config)
    assert build_cache.structure_key(debug_config) == key  # stable
    assert build_cache.structural_config(debug_config)["environment"] == sys.prefix
    monkeypatch.setattr(sys, "prefix", sys.prefix + "-other")
    assert build_cache.structure_key(debug_config) != key


def test_a_runtime_value_does_not_change_the_key(debug_config):
    import copy

    c = copy.deepcopy(debug_config)
    c["steroids"]["brain_nM"]["allo"] = debug_config["steroids"]["brain_nM"]["allo"] + 10.0
    assert build_cache.structure_key(c) == build_cache.structure_key(debug_config)
    c["network"]["populations"]["E"]["n"] += 1
    assert build_cache.structure_key(c) != build_cache.structure_key(debug_config)
