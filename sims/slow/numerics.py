"""Numeric backends of the slow layer: one set of equations, on floats or on arrays.

Every mechanism module (``hpa``, ``steroids``, ``inflammation``, ``homeostasis``) writes
its equations with ``+ - * / **``, which act alike on Python floats and numpy arrays, and
takes the few operations that do not (``maximum``, ``where``, ``pow``, ``log``, ``cos``)
from a backend ``xp`` chosen once per model:

- :data:`FLOAT` -- builtins and ``math`` on Python floats: the single run (N = 1), where a
  numpy call would cost more than the arithmetic it does;
- :data:`ARRAY` -- numpy ufuncs on arrays shaped ``[individual]``: a cohort, advanced in
  one integration for all its individuals (``sims.cohort``).

The two give the same numbers up to the last bits of ``exp``/``log``/``pow`` (numpy's
vectorised kernels and the C library round differently; tested to 1e-10 relative). On the
array backend an individual's numbers are bit-identical whatever the other individuals
in its block and whether a parameter is shared (a number) or varies (an array): every
operation is elementwise, and every power -- also of parameters alone, ``s50 ** n`` --
is ``np.power``'s array loop (the equations write ``xp.pow``, never ``**``).
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

BACKENDS = ("float", "array")


def _where(cond: Any, a: Any, b: Any) -> Any:
    return a if cond else b


class FloatOps:
    """Python floats: builtins and :mod:`math`."""

    name = "float"
    maximum = staticmethod(max)
    where = staticmethod(_where)
    pow = staticmethod(operator.pow)
    log = staticmethod(math.log)
    exp = staticmethod(math.exp)
    cos = staticmethod(math.cos)


class ArrayOps:
    """numpy arrays shaped ``[individual]`` (scalars broadcast)."""

    name = "array"
    maximum = staticmethod(np.maximum)
    where = staticmethod(np.where)
    #: the ufunc, also for numbers: ``**`` on numpy scalars takes a scalar path that rounds
    #: differently from the array loop, ``np.power`` never does
    pow = staticmethod(np.power)
    log = staticmethod(np.log)
    exp = staticmethod(np.exp)
    cos = staticmethod(np.cos)


FLOAT = FloatOps()
ARRAY = ArrayOps()


def backend(name: str) -> FloatOps | ArrayOps:
    """The backend called ``name`` (``float`` or ``array``)."""
    return ARRAY if name == "array" else FLOAT


def is_array(x: Any) -> bool:
    """Whether ``x`` varies between individuals (a numpy array with at least one axis)."""
    return isinstance(x, np.ndarray) and x.ndim > 0
