"""Treatments as linear pharmacokinetic compartment models.

Each treatment is a :class:`PKModel`: amounts in compartments obey ``dx/dt = M x + u(t)``
with infusions ``u(t)`` and oral/transdermal doses as boluses into a depot. Its outputs are
plasma concentrations (nM) added to the slow model: brexanolone and the first-pass ALLO
of oral progesterone add to plasma ALLO, zuranolone is its own species, oral progesterone
and testosterone add to plasma P and T. Sources are in ``sims/slow/schemas.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sims.errors import ConfigError
from sims.molecules import molecular_weight
from sims.units import ng_per_mL_to_nM, slow_value

_SEGMENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*h\s*:\s*(\d+(?:\.\d+)?)\s*$")


def parse_schedule(text: str, key: str = "treatment.schedule") -> list[tuple[float, float, float]]:
    """Parse ``"0-4h:30, 4-24h:60"`` into ``[(start_h, end_h, rate), ...]``.

    Raises:
        ConfigError: a segment that does not parse, ends before it starts, or overlaps.
    """
    segs = []
    for part in text.split(","):
        m = _SEGMENT.match(part)
        if not m:
            raise ConfigError(key, text, "comma-separated segments 'START-ENDh:RATE' in hours "
                              f"and ug/kg/h, e.g. '0-4h:30, 4-24h:60' (bad segment {part!r})")
        a, b, r = (float(x) for x in m.groups())
        if b <= a:
            raise ConfigError(key, text, f"segments with end > start (got {part.strip()!r})")
        segs.append((a, b, r))
    segs.sort()
    for (_, b0, _), (a1, _, _) in zip(segs, segs[1:], strict=False):
        if a1 < b0:
            raise ConfigError(key, text, "non-overlapping segments")
    return segs


@dataclass
class PKModel:
    """Linear compartments: ``dx/dt = M x + infusion(t)``; doses add to a compartment."""

    name: str
    compartments: list[str]
    matrix: np.ndarray
    infusion_into: int = 0
    infusion: list[tuple[float, float, float]] = field(default_factory=list)  # (t0, t1, rate)
    doses: list[tuple[float, int, float]] = field(default_factory=list)  # (t_h, comp, amount)
    outputs: dict[str, tuple[int, float]] = field(default_factory=dict)  # name -> (comp, nM/amt)

    def infusion_rate(self, t: np.ndarray) -> np.ndarray:
        """Infusion input (amount/h) at times ``t``."""
        u = np.zeros_like(t, dtype=float)
        for a, b, r in self.infusion:
            u += np.where((t >= a) & (t < b), r, 0.0)
        return u


#: Treatment keys that set when doses are given (the same for every individual of a
#: cohort: they shape the dosing schedule, not a rate).
TIMING_KEYS = ("name", "start_day", "dose_clock_h", "n_doses", "n_days", "doses_per_day",
               "schedule")


def _matrix(rows: list[list[Any]]) -> np.ndarray:
    """A rate matrix from entries that are numbers or per-individual arrays: shape
    ``[r, c]``, or ``[r, c, individual]`` when any entry is an array."""
    flat = np.broadcast_arrays(*[np.asarray(x, dtype=float) for row in rows for x in row])
    return np.array(flat).reshape(len(rows), len(rows[0]), *flat[0].shape)


def _two_compartment(cl: float, v1: float, q: float, v2: float, ka: float | None) -> np.ndarray:
    """Rate matrix of [depot,] central, peripheral."""
    k10, k12, k21 = cl / v1, q / v1, q / v2
    if ka is None:
        return _matrix([[-(k10 + k12), k21], [k12, -k21]])
    return _matrix([[-ka, 0.0, 0.0], [ka, -(k10 + k12), k21], [0.0, k12, -k21]])


def daily_doses(t0_h: float, clock_h: float, n: int, amount: float, comp: int = 0
                ) -> list[tuple[float, int, float]]:
    """``n`` daily doses at ``clock_h`` o'clock, the first at or after ``t0_h``."""
    day0 = np.floor(t0_h / 24.0) * 24.0
    first = day0 + clock_h + (24.0 if day0 + clock_h < t0_h else 0.0)
    return [(first + 24.0 * k, comp, amount) for k in range(n)]


def build_treatment(tr: Mapping[str, Any]) -> PKModel | None:
    """The PK model of a validated treatment config (None for ``none``)."""
    name = tr["name"]
    t0 = slow_value(tr, "start_day")
    bw = tr["body_weight_kg"]
    if name == "none":
        return None
    if name == "brexanolone":
        # per kg: amounts ug/kg, volumes L/kg -> ug/L = ng/mL
        m = _two_compartment(tr["cl_L_per_h_per_kg"], tr["v1_L_per_kg"],
                             tr["q_L_per_h_per_kg"], tr["v2_L_per_kg"], None)
        infusion = [(t0 + a, t0 + b, r) for a, b, r in parse_schedule(tr["schedule"])]
        scale = ng_per_mL_to_nM(1.0, molecular_weight("allo")) / tr["v1_L_per_kg"]
        return PKModel(name, ["central", "peripheral"], m, 0, infusion,
                       outputs={"allo": (0, scale)})
    if name == "zuranolone":
        m = _two_compartment(tr["cl_L_per_h"], tr["v1_L"], tr["q_L_per_h"], tr["v2_L"],
                             tr["ka_per_h"])
        doses = daily_doses(t0, tr["dose_clock_h"], tr["n_doses"], tr["dose_mg"])
        scale = ng_per_mL_to_nM(1000.0, molecular_weight("zuranolone")) / tr["v1_L"]  # mg/L -> nM
        return PKModel(name, ["gut", "central", "peripheral"], m, doses=doses,
                       outputs={"zuranolone": (1, scale)})
    if name == "progesterone":
        # gut -> (F) plasma P, (f) plasma ALLO by first-pass 5a-reduction, rest metabolised
        ka, f_p, f_a = tr["ka_per_h"], tr["bioavailability_frac"], tr["first_pass_allo_frac"]
        v_a, cl_a = tr["v_allo_L_per_kg"] * bw, tr["cl_allo_L_per_h_per_kg"] * bw
        v_p, cl_p = tr["v_progesterone_L"], tr["cl_progesterone_L_per_h"]
        m = _matrix([[-ka, 0.0, 0.0], [f_p * ka, -cl_p / v_p, 0.0], [f_a * ka, 0.0, -cl_a / v_a]])
        n = int(round(tr["n_days"] * tr["doses_per_day"]))
        doses = [(t0 + k * 24.0 / tr["doses_per_day"], 0, tr["dose_mg"]) for k in range(n)]
        return PKModel(name, ["gut", "progesterone", "allo"], m, doses=doses, outputs={
            "progesterone": (1, ng_per_mL_to_nM(1000.0, molecular_weight("progesterone")) / v_p),
            "allo": (2, ng_per_mL_to_nM(1000.0, molecular_weight("allo")) / v_a)})
    if name == "testosterone":
        ka, f = tr["ka_per_h"], tr["bioavailability_frac"]
        m = _matrix([[-ka, 0.0], [f * ka, -tr["cl_L_per_h"] / tr["v_L"]]])
        doses = daily_doses(t0, tr["dose_clock_h"], int(tr["n_days"]), tr["dose_mg"])
        scale = ng_per_mL_to_nM(1000.0, molecular_weight("testosterone")) / tr["v_L"]
        return PKModel(name, ["skin", "central"], m, doses=doses,
                       outputs={"testosterone": (1, scale)})
    raise ConfigError("treatment.name", name, "a known treatment")
