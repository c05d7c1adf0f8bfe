"""Figures drawn after an analysis writes its result, without the engines importing
``analysis/``.

The engines (calibration, sensitivity, uncertainty, ``allonet-check``) call :func:`draw`
with the result they wrote; the command-line layer (``sims.app``, ``sims.check_cli``)
registers what draws it (:func:`register`). An engine used as a library draws nothing
unless its caller registers a drawer: the result files are complete without figures.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: kind -> a callable, or "module:function" imported when first drawn.
_DRAWERS: dict[str, Callable[..., Any] | str] = {}


def register(kind: str, drawer: Callable[..., Any] | str) -> None:
    """Draw ``kind``'s figures with ``drawer`` (a callable or ``"module:function"``)."""
    _DRAWERS[kind] = drawer


def registered(kind: str) -> bool:
    """Whether ``kind`` has a drawer."""
    return kind in _DRAWERS


def draw(kind: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``kind``'s drawer; None when none is registered or its package is not
    installed (the result is complete without figures)."""
    drawer = _DRAWERS.get(kind)
    if drawer is None:
        return None
    if isinstance(drawer, str):
        module, _, name = drawer.partition(":")
        try:
            drawer = getattr(importlib.import_module(module), name)
        except ImportError as exc:
            log.warning("no %s figures: %s is not installed (%s)", kind, module, exc)
            return None
        _DRAWERS[kind] = drawer
    return drawer(*args, **kwargs)
