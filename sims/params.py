"""Schema fields that carry their unit, range and meaning.

A layer declares a parameter once, in its schema::

    tau_up_days: float = param(0.75, "d", gt=0, doc="delta back by 48 h postpartum",
                               source="Maguire & Mody 2008")

and everything else reads it from there: validation checks the range (naming the key, the
value, the range with its unit and the parameter's meaning; :mod:`sims.configuration.typed`),
and :func:`describe` lists a schema's parameters for the documentation.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

#: Metadata keys of a parameter field.
UNIT, GT, GE, LT, LE, DOC, SOURCE = "unit", "gt", "ge", "lt", "le", "doc", "source"


def param(default: Any, unit: str, *, gt: float | None = None, ge: float | None = None,
          lt: float | None = None, le: float | None = None, doc: str = "",
          source: str = "") -> Any:
    """A dataclass field with a default, a unit (``"1"``: dimensionless) and bounds
    (``gt`` / ``ge`` below, ``lt`` / ``le`` above; each optional), what it means (``doc``)
    and where its value comes from (``source``: a paper, a config file, or
    ``[assumption]``)."""
    if gt is not None and ge is not None or lt is not None and le is not None:
        raise ValueError("give at most one lower (gt, ge) and one upper (lt, le) bound")
    meta = {UNIT: unit, GT: gt, GE: ge, LT: lt, LE: le, DOC: doc, SOURCE: source}
    return dataclasses.field(default=default, metadata=meta)


def is_param(f: dataclasses.Field) -> bool:
    """Whether a dataclass field was declared with :func:`param`."""
    return UNIT in f.metadata


def within(value: float, meta: Any) -> bool:
    """Whether a finite ``value`` satisfies the bounds in a field's ``meta``."""
    if not math.isfinite(value):
        return False
    return ((meta[GT] is None or value > meta[GT]) and (meta[GE] is None or value >= meta[GE])
            and (meta[LT] is None or value < meta[LT]) and (meta[LE] is None or value <= meta[LE]))


def bounds_text(meta: Any) -> str:
    """The range as a reader writes it: ``> 0 d``, ``in [0, 1]``, ``in (0, 1]`` ..."""
    unit = "" if meta[UNIT] in ("1", "") else f" {meta[UNIT]}"
    lo = meta[GT] if meta[GT] is not None else meta[GE]
    hi = meta[LT] if meta[LT] is not None else meta[LE]
    if lo is not None and hi is not None:
        left = "(" if meta[GT] is not None else "["
        right = ")" if meta[LT] is not None else "]"
        return f"a number in {left}{lo:g}, {hi:g}{right}{unit}"
    if lo is not None:
        return f"a number {'>' if meta[GT] is not None else '>='} {lo:g}{unit}"
    if hi is not None:
        return f"a number {'<' if meta[LT] is not None else '<='} {hi:g}{unit}"
    return f"a finite number{unit}"


def allowed(meta: Any) -> str:
    """What :class:`~sims.errors.ConfigError` says is allowed: the range and the meaning."""
    return bounds_text(meta) + (f" ({meta[DOC]})" if meta[DOC] else "")


def describe(schema: type) -> list[dict[str, Any]]:
    """The parameters of a dataclass schema: name, default, unit, range, meaning, source
    (fields declared with :func:`param` only)."""
    rows = []
    for f in dataclasses.fields(schema):
        if is_param(f):
            m = f.metadata
            rows.append({"name": f.name, "default": f.default, "unit": m[UNIT],
                         "range": bounds_text(m).removeprefix("a number ").removeprefix(
                             "a finite number"), "doc": m[DOC], "source": m[SOURCE]})
    return rows


def markdown_table(schema: type, prefix: str) -> str:
    """The parameters of ``schema`` as a Markdown table, keys under ``prefix``."""
    lines = ["| key | default | unit | range | meaning | source |", "|---|---|---|---|---|---|"]
    for r in describe(schema):
        d = r["default"]
        shown = ("(required)" if d == "???" else "(unset)" if d is None
                 else f"{d:g}" if isinstance(d, int | float) else str(d))
        cells = [f"`{prefix}.{r['name']}`", shown, r["unit"], r["range"], r["doc"],
                 r["source"]]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"
