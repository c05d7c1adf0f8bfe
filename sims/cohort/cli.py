"""``allonet-cohort overrides PATH K [--arm ARM]``: the ``allonet`` overrides of a single
run that reproduces individual K of a cohort file (bit-identical slow trajectory and
probes: the array backend, the individual's seed, its exact parameter values).

Exit codes: 0, 2 bad input (no such file, individual or arm).
"""

from __future__ import annotations

import argparse
import shlex
import sys

from sims.errors import EXIT_BAD_INPUT


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point ``allonet-cohort``."""
    from sims.cohort.store import individual_overrides

    ap = argparse.ArgumentParser(prog="allonet-cohort", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    ov = sub.add_parser("overrides", help="print the single run of one individual")
    ov.add_argument("path", help="a cohort.h5")
    ov.add_argument("individual", type=int, help="the individual's index k in the cohort")
    ov.add_argument("--arm", default=None, help="the arm (default: the first)")
    args = ap.parse_args(argv)
    try:
        words = individual_overrides(args.path, args.individual, args.arm)
    except (OSError, KeyError) as exc:
        print(f"allonet-cohort: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print("allonet " + " ".join(shlex.quote(w) for w in words))
    return 0


if __name__ == "__main__":
    sys.exit(main())
