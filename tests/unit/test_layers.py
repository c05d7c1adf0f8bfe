"""The layer contract: engines and config never import the figures (``analysis/``) or the
command-line layer, at module level or inside functions (figures reach them through
``sims.figure_hooks``); the full direction (pyproject.toml's import-linter contracts) holds,
and the linter does see a violation."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ["sims/slow", "sims/fast", "sims/cohort", "sims/study", "sims/calibration",
           "sims/config.py", "sims/configuration", "sims/errors.py", "sims/machine.py",
           "sims/figure_hooks.py"]
#: Modules of the layers above the engines.
ABOVE = ("analysis", "sims.app", "sims.check_cli", "hydra_plugins")


def _imports(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return out


def _files() -> list[Path]:
    files = []
    for e in ENGINES:
        p = ROOT / e
        files += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return files


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_engines_do_not_import_upward(path):
    bad = [f"{path.relative_to(ROOT)}:{line} imports {m}" for line, m in _imports(path)
           if any(m == a or m.startswith(a + ".") for a in ABOVE)]
    assert not bad, bad


def test_the_contract_sees_a_violation(tmp_path):
    """The scanner finds an import inside a function (the contract can fail)."""
    f = tmp_path / "x.py"
    f.write_text("def f():\n    from analysis.calibration_figures import check_figure\n")
    assert (2, "analysis.calibration_figures") in _imports(f)


def test_figure_hooks_draw_registered_and_skip_missing():
    from sims import figure_hooks

    calls = []
    figure_hooks.register("test-kind", lambda *a: calls.append(a) or {"fig": "p"})
    assert figure_hooks.draw("test-kind", 1, 2) == {"fig": "p"} and calls == [(1, 2)]
    figure_hooks.register("test-missing", "no_such_module_xyz:f")
    assert figure_hooks.draw("test-missing") is None
    assert figure_hooks.draw("never-registered") is None


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "lint-imports"
    return subprocess.run([str(exe), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_the_import_linter_contracts_hold():
    """Every layer imports only the layers below it; no module cycles inside a package."""
    r = _lint_imports(ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "2 kept, 0 broken" in r.stdout


def test_the_import_linter_sees_an_upward_import(tmp_path):
    """The same contracts, on a copy of the tree with one upward import (the config layer
    importing the fast layer), are broken: the check can fail."""
    import shutil

    for d in ("sims", "analysis", "hydra_plugins"):
        shutil.copytree(ROOT / d, tmp_path / d,
                        ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    net = tmp_path / "sims" / "configuration" / "network.py"
    net.write_text(net.read_text() + "\n\ndef _upward():\n    from sims.fast import network\n"
                   "    return network\n")
    r = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert r.returncode == 1, r.stdout[-2000:]
    assert "sims.configuration is not allowed to import sims.fast" in r.stdout


#: What an import inside a function may be for: a module that pulls a heavy library
#: (Brian2, matplotlib, pandas/xarray, scipy) into a process that may never need it. Every other
#: internal import is at module level, where a reader (and import-linter) sees it.
HEAVY_LIBRARIES = ("brian2", "matplotlib", "pandas", "xarray", "scipy")
#: The commands' own modules keep every import of what they dispatch to inside functions:
#: their help and their bad-input answers start in ~0.05 s instead of ~0.6 s (measured:
#: ``import sims.check_cli``).
COMMAND_MODULES = ("sims/app.py", "sims/check_cli.py", "sims/cohort/cli.py",
                   "sims/calibration/check.py", "analysis/cli.py", "analysis/collect.py")


def _function_level_internal_imports() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted((ROOT / "sims").rglob("*.py")) + sorted((ROOT / "analysis").rglob("*.py")):
        if str(path.relative_to(ROOT)) in COMMAND_MODULES:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                        node.module.split(".")[0] in ("sims", "analysis"):
                    mods = [node.module] if node.module not in ("sims", "analysis") else \
                        [f"{node.module}.{a.name}" for a in node.names]
                    for m in mods:
                        out.setdefault(m, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


def test_imports_inside_functions_are_only_of_modules_that_pull_a_heavy_library():
    found = _function_level_internal_imports()
    assert found, "the scan finds the lazy imports of Brian2-backed modules"
    code = ("import importlib, sys\n"
            "importlib.import_module(sys.argv[1])\n"
            f"print(','.join(h for h in {HEAVY_LIBRARIES!r} if h in sys.modules) or '-')\n")
    procs = {m: subprocess.Popen([sys.executable, "-c", code, m], cwd=ROOT, text=True,
                                 stdout=subprocess.PIPE) for m in found}  # one fresh process each
    heavy = {m: p.communicate()[0].strip() for m, p in procs.items()}
    light = [f"{m} (imported in {', '.join(found[m])})" for m, h in heavy.items() if h == "-"]
    assert light == [], "move these imports to module level: " + "; ".join(light)
