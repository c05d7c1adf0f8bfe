"""Schema fields that carry their unit, range and meaning.

A layer declares a parameter once, in its schema::

    tau_up_days: float = param(0.75, "d", gt=0, doc="delta back by 48 h postpartum",
                               source="Maguire & Mody 2008")

and everything else reads it from there: validation checks the range (naming the key, the
value, the range with its unit and the parameter's meaning; :mod:`sims.configuration.typed`),
and :func:`describe` lists a schema's parameters for the documentation.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import typing
from collections.abc import Callable, Collection, Mapping
from typing import Any

#: Metadata keys of a parameter field.
UNIT, GT, GE, LT, LE, DOC, SOURCE = "unit", "gt", "ge", "lt", "le", "doc", "source"
#: Metadata key of a field's role (what the key is to the compiled network).
ROLE_META = "role"
#: The roles: compiled into the network binary (a change needs a new build), a run-time
#: value of it (set per run: steroid levels, expression, ...), or never read by the
#: network (the slow layer, output, analyses). A schema declares the role of its fields
#: as a class attribute ``ROLE`` (the default of its fields and of the schemas it nests)
#: and, where one field differs, in that field (``param(..., role=...)``,
#: :func:`with_role`); :func:`sims.configuration.roles.key_class` reads them.
COMPILED, RUNTIME, UNUSED = "compiled", "runtime", "unused"
ROLES = (COMPILED, RUNTIME, UNUSED)


def param(default: Any, unit: str, *, gt: float | None = None, ge: float | None = None,
          lt: float | None = None, le: float | None = None, doc: str = "",
          source: str = "", role: str | None = None) -> Any:
    """A dataclass field with a default, a unit (``"1"``: dimensionless) and bounds
    (``gt`` / ``ge`` below, ``lt`` / ``le`` above; each optional), what it means (``doc``),
    where its value comes from (``source``: a paper, a config file, or ``[assumption]``)
    and, where it differs from its schema's ``ROLE``, its role (:data:`ROLES`)."""
    if gt is not None and ge is not None or lt is not None and le is not None:
        raise ValueError("give at most one lower (gt, ge) and one upper (lt, le) bound")
    meta = {UNIT: unit, GT: gt, GE: ge, LT: lt, LE: le, DOC: doc, SOURCE: source}
    return _marked(meta, role, default, dataclasses.MISSING)


def _marked(meta: dict[str, Any], role: str | None, default: Any, default_factory: Any
            ) -> Any:
    """A dataclass field with metadata ``meta`` and, if given, the role ``role``."""
    if role is not None:
        if role not in ROLES:
            raise ValueError(f"role {role!r}: one of {ROLES}")
        meta[ROLE_META] = role
    return dataclasses.field(default=default, default_factory=default_factory, metadata=meta)


def with_role(role: str, default: Any = dataclasses.MISSING,
              default_factory: Any = dataclasses.MISSING) -> Any:
    """A plain (non-parameter) field whose role differs from its schema's ``ROLE``, or a
    nested section whose schema declares none."""
    return _marked({}, role, default, default_factory)


#: Metadata key of a field that chooses how a run is run (device, files, workers, the slow
#: layer's numerics, the seed keys themselves), never what it computes: it never enters a
#: job's seed (sims.seeds).
BOOKKEEPING_META = "bookkeeping"


def bookkeeping(default: Any = dataclasses.MISSING, default_factory: Any = dataclasses.MISSING,
                role: str | None = None) -> Any:
    """A field that chooses how a run is run, not what it computes (and, where it differs
    from its schema's ``ROLE``, its role)."""
    return _marked({BOOKKEEPING_META: True}, role, default, default_factory)


def field_role(f: dataclasses.Field) -> str | None:
    """The role declared on a field itself (``None``: its schema's)."""
    return f.metadata.get(ROLE_META)


def override(base: type, name: str, default: Any, **changes: Any) -> Any:
    """A subclass's field that keeps ``base``'s declaration of ``name`` (unit, range,
    meaning, source) with a new default, and any of the metadata in ``changes`` replaced
    (``ge=0`` where the subclass allows 0, ``source=...`` for the new value)::

        duration_days: float = override(ScenarioBase, "duration_days", 56.0)
    """
    f = {x.name: x for x in dataclasses.fields(base)}[name]
    unknown = set(changes) - set(f.metadata)
    if unknown:
        raise ValueError(f"not parameter metadata: {sorted(unknown)}")
    meta = {**f.metadata, **changes}
    for new, old in ((GT, GE), (GE, GT), (LT, LE), (LE, LT)):  # a new bound replaces the old
        if new in changes and old not in changes:
            meta[old] = None
    if meta[GT] is not None and meta[GE] is not None or \
            meta[LT] is not None and meta[LE] is not None:
        raise ValueError("give at most one lower (gt, ge) and one upper (lt, le) bound")
    return dataclasses.field(default=default, metadata=meta)


def schema(cls: type) -> type:
    """``@dataclass`` for a config schema, whose instances read their fields fast.

    A dataclass keeps each plain default as a class attribute; an instance attribute that
    shadows a class attribute is read about twice as slowly by CPython (its attribute
    cache does not specialise the read), and the slow layer reads its typed sections in
    every right-hand side. The defaults stay where ``__init__``, ``dataclasses.fields``,
    the documentation and Hydra read them (each field's ``default``); only the class
    attributes go.
    """
    cls = dataclasses.dataclass(cls)
    for f in dataclasses.fields(cls):
        if f.name in vars(cls):
            delattr(cls, f.name)
    return cls


#: Metadata key of a named collection's entry schema (see :func:`collection`).
ENTRIES = "entries"


def collection(entry: type, default: Any = dataclasses.MISSING,
               default_factory: Any = dataclasses.MISSING, role: str | None = None) -> Any:
    """A field holding a named collection (``name -> entry``, e.g. the network's
    populations) whose entries follow the schema ``entry``.

    The field stays a plain mapping for Hydra (so ``+network.connections.X={...}`` adds an
    entry on the command line); validation types each entry against ``entry``, and the
    typed config (:mod:`sims.configuration.objects`) holds ``entry`` instances.
    """
    if default is dataclasses.MISSING and default_factory is dataclasses.MISSING:
        default_factory = dict
    return _marked({ENTRIES: entry}, role, default, default_factory)


def entry_schema(f: dataclasses.Field) -> type | None:
    """The entry schema of a :func:`collection` field (``None`` for any other field)."""
    return f.metadata.get(ENTRIES)


@functools.cache
def layout(schema: type) -> tuple[tuple[str, str, Any], ...]:
    """(field name, how it is built, the class it is built with) of a schema's fields:
    ``entries`` (a :func:`collection`), ``schema`` (a nested dataclass), ``list`` (a list
    of a dataclass) or ``value``."""
    hints = typing.get_type_hints(schema)
    out = []
    for f in dataclasses.fields(schema):
        hint = hints[f.name]
        args = typing.get_args(hint)
        if entry_schema(f) is not None:
            out.append((f.name, "entries", entry_schema(f)))
        elif dataclasses.is_dataclass(hint):
            out.append((f.name, "schema", hint))
        elif typing.get_origin(hint) is list and args and dataclasses.is_dataclass(args[0]):
            out.append((f.name, "list", args[0]))
        else:
            out.append((f.name, "value", hint))
    return tuple(out)


def build(schema: type, node: Mapping[str, Any], where: str = "", *,
          special: Mapping[str, Callable[[Any, str], Any]] | None = None,
          optional: Collection[str] = ()) -> Any:
    """The validated mapping ``node`` (at dotted ``where``) as an instance of ``schema``,
    nested schemas, collections and lists of schemas included; other values are copied
    (lists, dicts) or kept (numbers, strings and arrays: a cohort's per-individual values).

    ``special`` builds the named fields of this level its own way (``value, key -> obj``);
    ``optional`` fields may be missing (the schema's default).

    Raises:
        KeyError, TypeError: ``node`` is not validated (a programming error: user input
            goes through validation, which names the key).
    """
    if not isinstance(node, Mapping):
        raise TypeError(f"{where.rstrip('.') or 'the config'}: a mapping for {schema.__name__}, "
                        f"got {type(node).__name__} (is it validated?)")
    kwargs: dict[str, Any] = {}
    for name, how, cls in layout(schema):
        key = f"{where}{name}"
        if name not in node:
            if name in optional:
                continue
            raise KeyError(f"{key}: missing -- a typed section is built from a validated "
                           "config (sims.config.validate)")
        value = node[name]
        if special and name in special:
            value = special[name](value, key)
        elif how == "entries":
            value = {k: build(cls, e, f"{key}.{k}.") for k, e in value.items()}
        elif how == "schema":
            value = build(cls, value, key + ".")
        elif how == "list":
            value = [build(cls, e, f"{key}[{i}].") for i, e in enumerate(value)]
        elif isinstance(value, list | dict):
            value = copy.deepcopy(value)
        kwargs[name] = value
    return schema(**kwargs)


def unbuild(obj: Any) -> Any:
    """The plain form of a built object (dataclasses -> dicts, recursively): the inverse
    of :func:`build`. An object may give its own plain form (a ``plain()`` method)."""
    if hasattr(obj, "plain"):
        return obj.plain()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: unbuild(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {k: unbuild(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [unbuild(v) for v in obj]
    return obj


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


def own_fields(schema: type) -> list[str]:
    """The fields a dataclass schema declares itself: new, or inherited with another
    default or declaration (:func:`override`), against its nearest dataclass base."""
    base = next((b for b in schema.__mro__[1:] if dataclasses.is_dataclass(b)), None)
    if base is None:
        return [f.name for f in dataclasses.fields(schema)]
    inherited = {f.name: f for f in dataclasses.fields(base)}
    return [f.name for f in dataclasses.fields(schema)
            if f.name not in inherited or f.default != inherited[f.name].default
            or dict(f.metadata) != dict(inherited[f.name].metadata)]


def describe(schema: type, only: Any = None) -> list[dict[str, Any]]:
    """The parameters of a dataclass schema: name, default, unit, range, meaning, source
    (fields declared with :func:`param` only; ``only``: these field names)."""
    rows = []
    for f in dataclasses.fields(schema):
        if is_param(f) and (only is None or f.name in only):
            m = f.metadata
            rows.append({"name": f.name, "default": f.default, "unit": m[UNIT],
                         "range": bounds_text(m).removeprefix("a number ").removeprefix(
                             "a finite number"), "doc": m[DOC], "source": m[SOURCE]})
    return rows


def markdown_table(schema: type, prefix: str, only: Any = None,
                   role: Callable[[str], str] | None = None) -> str:
    """The parameters of ``schema`` (``only``: these fields) as a Markdown table, keys
    under ``prefix``; with ``role`` (field name -> its role) a column of what each key is
    to the compiled network."""
    head = ["key", "default", "unit", "range", "meaning", "source"] + (["network"] if role
                                                                       else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in describe(schema, only):
        d = r["default"]
        shown = ("(required)" if d == "???" else "(unset)" if d is None
                 else f"{d:g}" if isinstance(d, int | float) else str(d))
        cells = [f"`{prefix}.{r['name']}`", shown, r["unit"], r["range"], r["doc"],
                 r["source"]] + ([role(r["name"])] if role else [])
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"
