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
is a product (integer exponents 1-4) or ``np.power``'s array loop, never ``**`` (the
equations write ``xp.pow``).
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

BACKENDS = ("float", "array")


def _where(cond: Any, a: Any, b: Any) -> Any:
    return a if cond else b


#: Small integer exponents (Hill coefficients 1-4) as products: exact for 1, a few times
#: faster than ``np.power`` otherwise, and the same for numbers and arrays.
_CHAINS = {1.0: lambda a: a, 2.0: lambda a: a * a, 3.0: lambda a: a * a * a,
           4.0: lambda a: (a * a) * (a * a)}


def _array_pow(a: Any, b: Any) -> Any:
    """``a ** b`` for the array backend: products for the exponents 1-4, else the
    ``np.power`` ufunc. Per-individual exponents (arrays) take the same path element by
    element, so an individual's number never depends on whether ``b`` varies."""
    if isinstance(b, np.ndarray) and b.ndim:
        out = np.power(a, b)
        for n, chain in _CHAINS.items():
            mask = b == n
            if mask.any():
                out = np.where(mask, chain(a), out)
        return out
    chain = _CHAINS.get(b)
    return chain(a) if chain is not None else np.power(a, b)


class FloatOps:
    """Python floats: builtins and :mod:`math`."""

    name = "float"
    maximum = staticmethod(max)
    minimum = staticmethod(min)
    where = staticmethod(_where)
    pow = staticmethod(operator.pow)
    log = staticmethod(math.log)
    exp = staticmethod(math.exp)
    cos = staticmethod(math.cos)


class ArrayOps:
    """numpy arrays shaped ``[individual]`` (scalars broadcast)."""

    name = "array"
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    where = staticmethod(np.where)
    #: products for small integer exponents, else the ufunc -- also for numbers: ``**`` on
    #: numpy scalars takes a scalar path that rounds differently from the array loop
    pow = staticmethod(_array_pow)
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
