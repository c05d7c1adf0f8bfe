"""``allonet-check [overrides]``: every target for the current config, calibration targets,
validation targets and mechanism checks reported apart.

Takes Hydra overrides like ``allonet`` (``allonet-check hpa=sriram``,
``allonet-check coupling=slow_only``, ``allonet-check +calibrated=quick``); the targets are
``+targets=default`` unless a ``targets=NAME`` override picks others. Under
``coupling=slow_only`` the targets that need network probes are listed as skipped.
Prints up to three tables (target, source, value, published, z-score, relative error,
status): the calibration targets (which may inform parameters), the validation targets
(held out from every fit) and the mechanism checks (each default scenario's defining
mechanism acts at the defaults), each with its counts; writes them (column ``role``) to ``check.h5``
and ``check.csv`` in ``--out`` (default
``outputs/check/<date>/<time>-<pid>``). Exit codes as ``allonet``: 0 evaluated (whatever
the targets' status), 2 bad input (unknown override, a bad target), 3 a failed run.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def _targets_override(overrides: Sequence[str]) -> list[str]:
    if any(o.partition("=")[0].lstrip("+~") == "targets" for o in overrides):
        return list(overrides)
    return ["+targets=default", *overrides]


#: Headings of the two tables, by target role (sims.calibration.targets.ROLES).
ROLE_HEADINGS = {
    "calibration": "Calibration targets (may inform parameters: passing them is goodness "
                   "of fit)",
    "validation": "Validation targets (held out from every fit and hand choice: passing "
                  "them is evidence)",
    "mechanism": "Mechanism checks (each default scenario's defining mechanism must act at "
                 "the defaults: a failure means it is inert)"}


def format_table(rows: Sequence[dict]) -> str:
    """The printed tables: calibration targets, validation targets and mechanism checks
    apart, one line per target, each with its counts."""
    out = []
    for role, heading in ROLE_HEADINGS.items():
        mine = [r for r in rows if r.get("role", "calibration") == role]
        if mine:
            out += [heading, _format_rows(mine), ""]
    return "\n".join(out).rstrip("\n")


def _format_rows(rows: Sequence[dict]) -> str:
    head = f"{'target':<38} {'value':>10} {'published':>20} {'z':>7} {'rel.err':>8}  status"
    lines = [head, "-" * len(head)]
    for r in rows:
        rel = "" if r["rel_error"] != r["rel_error"] else f"{100 * r['rel_error']:+.0f}%"
        z = "" if r["z"] != r["z"] else f"{r['z']:+.2f}"
        val = "" if r["value"] != r["value"] else f"{r['value']:.4g}"
        unit = f" {r['unit']}" if r["unit"] not in ("", "1") else ""
        lines.append(f"{r['target']:<38} {val:>10} {r['published'] + unit:>20} {z:>7} "
                     f"{rel:>8}  {r['status'].upper()}"
                     + (f" ({r['reason']})" if r["reason"] else ""))
        lines.append(f"    {r['source']}")
    n = {s: sum(r["status"] == s for r in rows) for s in ("pass", "fail", "skipped")}
    role = rows[0].get("role", "calibration") if rows else "calibration"
    lines.append(f"{role}: {n['pass']} pass, {n['fail']} fail, {n['skipped']} skipped "
                 f"(of {len(rows)} targets)")
    return "\n".join(lines)


def write_table(rows: Sequence[dict], results: Sequence, out: Path,
                attrs: dict) -> tuple[Path, Path]:
    """``check.csv`` and ``check.h5`` (group ``targets``) in ``out``."""
    import pandas as pd

    from sims import io, provenance
    from sims.calibration.optimize import _target_table
    from sims.io import Result

    out.mkdir(parents=True, exist_ok=True)
    csv = out / "check.csv"
    pd.DataFrame(list(rows)).to_csv(csv, index=False)
    res = Result(attrs={**provenance.versions(), "git_commit": provenance.git_commit(),
                        "kind": "check", "written": provenance.now_iso(), **attrs,
                        "complete": True})
    res.groups["targets"] = _target_table(results)
    h5 = io.write_result(out / "check.h5", res)
    return csv, h5


def main(argv: Sequence[str] | None = None) -> int:
    """The ``allonet-check`` command."""
    ap = argparse.ArgumentParser(prog="allonet-check", description=__doc__.split("\n\n")[0])
    ap.add_argument("overrides", nargs="*", help="Hydra overrides, as for allonet")
    ap.add_argument("--out", default=None, help="folder for check.h5 and check.csv")
    ap.add_argument("--only", default="", help="comma-separated target names (default: all)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from sims.app import run_and_report

    def _main() -> int:
        from omegaconf import OmegaConf

        from sims.calibration.evaluate import compose_config, evaluate, result_rows
        from sims.calibration.targets import parse_targets

        overrides = _targets_override(args.overrides)
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
        from analysis.calibration_figures import check_figure

        check_figure(h5, out)
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


__all__ = ["main", "entry", "format_table"]
