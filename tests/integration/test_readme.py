"""Every command in the README and the manual's pages (``docs/``) runs as written.

The commands are extracted from the ``bash`` code blocks of the README and of the pages in
the site's order (continuation lines joined, comments dropped) and run in order in an
empty folder, with the shortenings the *Tests* page (docs/testing.md) states:
``sim=debug`` on every ``allonet`` run, the withdrawal grid probed every 48 h, the dose-
response grid with one seed, the PPD trial enrolling on postpartum days 1-3 of a 64-day
run, and the Slurm command composed without submitting (``--cfg hydra``).
``<date>/<time>`` and ``SWEEP_DIR`` stand for the newest run or sweep folder made so far.
``make`` lines are the suite's own entry points and are not run here.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COMMANDS = ("allonet", "allonet-collect", "allonet-figures", "allonet-check")

#: (pattern in the command, arguments added) -- the shortenings stated in the README.
SHORTENINGS = [
    ("+experiment=withdrawal_grid", ["coupling.cadence_h=48"]),
    ("+experiment=dose_response", ["hydra.sweeper.params.seed=1"]),
    ("submitit_slurm", ["--cfg", "hydra"]),  # and without -m: Hydra allows one mode flag
    # the trial enrols on postpartum days 1-3 of a 64-day run, not 1-180 of 240 days
    ("+study=ppd_treatment_trial", ["cohort.enrolment.days.to=3", "scenario.duration_days=64"]),
]


def readme_commands(text: str) -> list[str]:
    """The command lines of the README's bash blocks, continuation lines joined."""
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and line.split()[0].removeprefix(".venv/bin/") in COMMANDS:
                out.append(line)
    return out


def _newest(folder: Path) -> Path:
    dirs = [p for p in folder.glob("*/*") if p.is_dir()]
    return max(dirs, key=lambda p: p.stat().st_mtime)


def prepare(line: str, cwd: Path) -> list[str]:
    """The command as run by the test: its executable, placeholders, shortenings."""
    args = shlex.split(line)
    exe = args[0].removeprefix(".venv/bin/")
    if "<date>/<time>" in line:
        kind = "multirun" if "multirun" in line else "runs"
        newest = _newest(cwd / "outputs" / kind)
        args = [a.replace(f"outputs/{kind}/<date>/<time>", str(newest)) for a in args]
    if "SWEEP_DIR" in line:
        args = [str(_newest(cwd / "outputs" / "multirun")) if a == "SWEEP_DIR" else a
                for a in args]
    if exe == "allonet":
        if not any(a.startswith("sim=") for a in args):
            args.append("sim=debug")
        for pattern, extra in SHORTENINGS:
            if pattern in line:
                args += extra
        if "--cfg" in args and "-m" in args:
            args.remove("-m")
    return [str(BIN / exe), *args[1:]]


#: The README, then the manual's pages in the site's order (mkdocs.yml nav).
PAGES = ["README.md", "docs/model.md", "docs/running.md", "docs/calibration.md",
         "docs/populations.md", "docs/mechanisms.md", "docs/results.md", "docs/sources.md",
         "docs/changelog.md", "docs/testing.md", "docs/performance.md"]


def manual_commands() -> list[str]:
    """The commands of the README and of every page, in order."""
    return [c for page in PAGES for c in readme_commands((ROOT / page).read_text())]


def test_the_pages_list_is_the_site_nav():
    """Every page with commands is in PAGES, in the site's order."""
    import yaml

    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"]
    site = ["docs/" + next(iter(item.values())) for item in nav]
    assert [p for p in site if p in PAGES] == PAGES[1:]
    assert all(not readme_commands((ROOT / p).read_text()) for p in site if p not in PAGES)


def test_the_readme_has_commands_of_every_kind():
    commands = manual_commands()
    kinds = {c.split()[0].removeprefix(".venv/bin/") for c in commands}
    assert kinds == set(COMMANDS) and len(commands) >= 15


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path):
    env = dict(os.environ, HYDRA_FULL_ERROR="0")
    for line in manual_commands():
        args = prepare(line, tmp_path)
        p = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=900,
                           env=env)
        assert p.returncode == 0, f"{line}\n(run as: {' '.join(args)})\n{p.stderr[-3000:]}"
