"""The tables of ``allonet-check`` (its command line: :mod:`sims.check_cli`): every target
for the current config, calibration targets, validation targets and mechanism checks
reported apart.

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

from collections.abc import Sequence
from pathlib import Path


def targets_override(overrides: Sequence[str]) -> list[str]:
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


__all__ = ["format_table", "write_table"]
