"""``allonet-check [overrides]``: the command line of :mod:`sims.calibration.check`.

Takes Hydra overrides like ``allonet`` (``allonet-check hpa=sriram``,
``allonet-check coupling=slow_only``, ``allonet-check +calibrated=quick``); prints the
calibration, validation and mechanism tables and writes ``check.h5``, ``check.csv`` and
the figure to ``--out``. Exit codes as ``allonet``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sims import figure_hooks
from sims.calibration.check import format_table, targets_override, write_table

DESCRIPTION = ("``allonet-check [overrides]``: every target for the current config, "
               "calibration targets, validation targets and mechanism checks reported apart.")


def main(argv: Sequence[str] | None = None) -> int:
    """The ``allonet-check`` command."""
    ap = argparse.ArgumentParser(prog="allonet-check", description=DESCRIPTION)
    ap.add_argument("overrides", nargs="*", help="Hydra overrides, as for allonet")
    ap.add_argument("--out", default=None, help="folder for check.h5 and check.csv")
    ap.add_argument("--only", default="", help="comma-separated target names (default: all)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from sims.app import run_and_report  # registers the command's figure drawers

    def _main() -> int:
        from omegaconf import OmegaConf

        from sims.calibration.evaluate import evaluate, result_rows
        from sims.calibration.targets import parse_targets
        from sims.config import compose_config

        overrides = targets_override(args.overrides)
        t0 = time.perf_counter()
        cfg = compose_config(overrides)
        c = OmegaConf.to_container(cfg, resolve=True)
        targets = parse_targets(c.get("targets"), list(c["network"]["populations"]))
        only = [n for n in args.only.split(",") if n]
        targets = targets.select(only, "--only")
        from sims.config import validate

        validate(cfg)  # the user's own config is valid before any experiment runs
        results = evaluate(targets, args.overrides)
        rows = result_rows(results)
        print(format_table(rows), flush=True)
        out = Path(args.out) if args.out else Path("outputs/check") / time.strftime(
            "%Y-%m-%d") / f"{time.strftime('%H-%M-%S')}-{os.getpid()}"
        csv, h5 = write_table(rows, results, out, {
            "overrides": " ".join(args.overrides), "targets": targets.name})
        figure_hooks.draw("check", h5, out)
        print(f"wrote {csv}, {h5} and the figure ({time.perf_counter() - t0:.0f} s)",
              flush=True)
        return 0

    return run_and_report(_main)


def entry() -> None:
    """Console-script entry point."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("allonet-check: interrupted", file=sys.stderr)
        sys.exit(130)




__all__ = ["main", "entry"]
