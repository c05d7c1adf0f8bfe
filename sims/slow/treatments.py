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

from sims.constants import named_configs
from sims.errors import ConfigError
from sims.molecules import molecular_weight
from sims.slow.schemas import (
    COMBINATION,
    DheaTreatment,
    PregnenoloneTreatment,
    ProgesteroneTreatment,
    TreatmentBase,
    TreatmentCombination,
)
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
    #: (t0, t1, rate); t0 and t1 are arrays ``[individual]`` where each individual starts
    #: at its own time (a cohort's enrolment)
    infusion: list[tuple[Any, Any, float]] = field(default_factory=list)
    #: (t_h, comp, amount); t_h (and amount) may be arrays ``[individual]``
    doses: list[tuple[Any, int, Any]] = field(default_factory=list)
    outputs: dict[str, tuple[int, float]] = field(default_factory=dict)  # name -> (comp, nM/amt)

    def infusion_rate(self, t: np.ndarray) -> np.ndarray:
        """Infusion input (amount/h) at times ``t``: ``[time]``, or ``[time, individual]``
        where the individuals start at their own times."""
        t = np.asarray(t, dtype=float)
        own = any(np.ndim(a) or np.ndim(b) for a, b, _ in self.infusion)
        tt = t[:, None] if own else t
        u = np.zeros(np.broadcast_shapes(tt.shape, *(np.shape(a) for a, _, _ in self.infusion)),
                     dtype=float)
        for a, b, r in self.infusion:
            u += np.where((tt >= a) & (tt < b), r, 0.0)
        return u




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


def daily_doses(t0_h: Any, clock_h: float, n: int, amount: float, comp: int = 0
                ) -> list[tuple[Any, int, float]]:
    """``n`` daily doses at ``clock_h`` o'clock, the first at or after ``t0_h`` (a number,
    or an array ``[individual]``: each individual's first dose after its own start)."""
    day0 = np.floor(t0_h / 24.0) * 24.0
    if np.ndim(t0_h):
        first = day0 + clock_h + np.where(day0 + clock_h < t0_h, 24.0, 0.0)
    else:
        first = day0 + clock_h + (24.0 if day0 + clock_h < t0_h else 0.0)
    return [(first + 24.0 * k, comp, amount) for k in range(n)]


def build_treatment(tr: TreatmentBase, scenario: str | None = None) -> PKModel | None:
    """The PK model of one validated treatment (None for ``none``); ``scenario``: the
    scenario's name (DHEA's sex-dependent conversion)."""
    name = tr.name
    t0 = slow_value(tr, "start_day")
    bw = tr.body_weight_kg
    if name == "none":
        return None
    if name == "brexanolone":
        # per kg: amounts ug/kg, volumes L/kg -> ug/L = ng/mL
        m = _two_compartment(tr.cl_L_per_h_per_kg, tr.v1_L_per_kg,
                             tr.q_L_per_h_per_kg, tr.v2_L_per_kg, None)
        infusion = [(t0 + a, t0 + b, r) for a, b, r in parse_schedule(tr.schedule)]
        scale = ng_per_mL_to_nM(1.0, molecular_weight("allo")) / tr.v1_L_per_kg
        return PKModel(name, ["central", "peripheral"], m, 0, infusion,
                       outputs={"allo": (0, scale)})
    if name == "zuranolone":
        m = _two_compartment(tr.cl_L_per_h, tr.v1_L, tr.q_L_per_h, tr.v2_L,
                             tr.ka_per_h)
        doses = daily_doses(t0, tr.dose_clock_h, tr.n_doses, tr.dose_mg)
        scale = ng_per_mL_to_nM(1000.0, molecular_weight("zuranolone")) / tr.v1_L  # mg/L -> nM
        return PKModel(name, ["gut", "central", "peripheral"], m, doses=doses,
                       outputs={"zuranolone": (1, scale)})
    if name == "progesterone":
        # depot -> (F) plasma P, (f) plasma ALLO by first-pass 5a-reduction, rest metabolised;
        # the route picks the depot's absorption and both fractions
        ka, f_p, f_a = route_parameters(tr)
        v_a, cl_a = tr.v_allo_L_per_kg * bw, tr.cl_allo_L_per_h_per_kg * bw
        v_p, cl_p = tr.v_progesterone_L, tr.cl_progesterone_L_per_h
        m = _matrix([[-ka, 0.0, 0.0], [f_p * ka, -cl_p / v_p, 0.0], [f_a * ka, 0.0, -cl_a / v_a]])
        n = int(round(tr.n_days * tr.doses_per_day))
        doses = [(t0 + k * 24.0 / tr.doses_per_day, 0, tr.dose_mg) for k in range(n)]
        return PKModel(name, ["gut", "progesterone", "allo"], m, doses=doses, outputs={
            "progesterone": (1, ng_per_mL_to_nM(1000.0, molecular_weight("progesterone")) / v_p),
            "allo": (2, ng_per_mL_to_nM(1000.0, molecular_weight("allo")) / v_a)})
    if name == "testosterone":
        ka, f = tr.ka_per_h, tr.bioavailability_frac
        m = _matrix([[-ka, 0.0], [f * ka, -tr.cl_L_per_h / tr.v_L]])
        doses = daily_doses(t0, tr.dose_clock_h, int(tr.n_days), tr.dose_mg)
        scale = ng_per_mL_to_nM(1000.0, molecular_weight("testosterone")) / tr.v_L
        return PKModel(name, ["skin", "central"], m, doses=doses,
                       outputs={"testosterone": (1, scale)})
    if name == "pregnenolone":
        return _pregnenolone(tr, t0)
    if name == "dhea":
        return _dhea(tr, t0, scenario)
    raise ConfigError("treatment.name", name, "a known treatment")


def route_parameters(tr: ProgesteroneTreatment) -> tuple[Any, Any, Any]:
    """(absorption rate 1/h, systemic P fraction, first-pass ALLO fraction) of the
    progesterone treatment's route."""
    route = tr.route
    if route == "oral":
        return tr.ka_per_h, tr.bioavailability_frac, tr.first_pass_allo_frac
    return (getattr(tr, f"{route}_ka_per_h"), getattr(tr, f"{route}_bioavailability_frac"),
            getattr(tr, f"{route}_first_pass_allo_frac"))


def _umol(mg: Any, molecule: str) -> Any:
    """An amount in mg (a number or an array ``[individual]``) as umol."""
    return mg * 1000.0 / molecular_weight(molecule)


def _daily(tr: PregnenoloneTreatment | DheaTreatment, t0: float, amount: Any
           ) -> list[tuple[float, int, Any]]:
    """``doses_per_day`` evenly spaced doses a day for ``n_days`` into the depot."""
    n = int(round(tr.n_days * tr.doses_per_day))
    return [(t0 + k * 24.0 / tr.doses_per_day, 0, amount) for k in range(n)]


def _pregnenolone(tr: PregnenoloneTreatment, t0: float) -> PKModel:
    """gut -> pregnenolone -> {PregS, progesterone, DHEA-S} (amounts in umol; the rest of
    the cleared pregnenolone leaves as other metabolites)."""
    ka, f = tr.ka_per_h, tr.bioavailability_frac
    k = tr.cl_L_per_h / tr.v_L
    k_s = tr.pregs_cl_L_per_h / tr.pregs_v_L
    k_p = tr.progesterone_cl_L_per_h / tr.progesterone_v_L
    k_d = tr.dheas_cl_L_per_h / tr.dheas_v_L
    m = _matrix([[-ka, 0.0, 0.0, 0.0, 0.0],
                 [f * ka, -k, 0.0, 0.0, 0.0],
                 [0.0, tr.to_pregs_frac * k, -k_s, 0.0, 0.0],
                 [0.0, tr.to_progesterone_frac * k, 0.0, -k_p, 0.0],
                 [0.0, tr.to_dheas_frac * k, 0.0, 0.0, -k_d]])
    nm = 1000.0  # umol/L -> nM
    return PKModel("pregnenolone", ["gut", "pregnenolone", "pregs", "progesterone", "dheas"],
                   m, doses=_daily(tr, t0, _umol(tr.dose_mg, "pregnenolone")), outputs={
                       "pregnenolone": (1, nm / tr.v_L), "pregs": (2, nm / tr.pregs_v_L),
                       "progesterone": (3, nm / tr.progesterone_v_L),
                       "dheas": (4, nm / tr.dheas_v_L)})


def dhea_sex(tr: DheaTreatment, scenario: str | None) -> str:
    """The sex whose DHEA -> testosterone conversion applies (``auto``: male for the
    male_ageing scenario, else female)."""
    if tr.sex != "auto":
        return tr.sex
    return "male" if scenario == "male_ageing" else "female"


def _dhea(tr: DheaTreatment, t0: float, scenario: str | None) -> PKModel:
    """gut -> {DHEA, DHEA-S}; DHEA -> {DHEA-S, testosterone} (amounts in umol)."""
    ka = tr.ka_per_h
    k = tr.cl_L_per_h / tr.v_L
    k_d = tr.dheas_cl_L_per_h / tr.dheas_v_L
    k_t = tr.testosterone_cl_L_per_h / tr.testosterone_v_L
    to_t = getattr(tr, f"to_testosterone_frac_{dhea_sex(tr, scenario)}")
    m = _matrix([[-ka, 0.0, 0.0, 0.0],
                 [tr.dhea_frac * ka, -k, 0.0, 0.0],
                 [tr.first_pass_dheas_frac * ka, tr.to_dheas_frac * k, -k_d, 0.0],
                 [0.0, to_t * k, 0.0, -k_t]])
    nm = 1000.0
    return PKModel("dhea", ["gut", "dhea", "dheas", "testosterone"], m,
                   doses=_daily(tr, t0, _umol(tr.dose_mg, "dhea")), outputs={
                       "dhea": (1, nm / tr.v_L), "dheas": (2, nm / tr.dheas_v_L),
                       "testosterone": (3, nm / tr.testosterone_v_L)})


def treatment_items(tr: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The single treatments of a validated treatment config: none -> [], one -> [it],
    a combination -> its treatments (in the canonical order)."""
    if tr["name"] == "none":
        return []
    if tr["name"] == COMBINATION:
        return [v for k, v in tr.items() if k != "name"]
    return [tr]


_SELECTION = re.compile(r"^[+]{0,2}treatment=\s*\[(.*)\]\s*$")


def check_selection_overrides(overrides: list[str] | tuple[str, ...],
                              known: list[str] | None = None) -> None:
    """Check every ``treatment=[a,b,...]`` override before Hydra composes it: Hydra merges
    a name given twice silently and reports an unknown one without the known ones.

    Raises:
        ConfigError: a name twice, an unknown name or ``none`` in a list.
    """

    if known is None:
        known = named_configs("treatment")
    for ov in overrides:
        m = _SELECTION.match(ov)
        if not m:
            continue
        names = [n.strip().strip("'\"") for n in m.group(1).split(",") if n.strip()]
        for n in names:
            if n not in known:
                raise ConfigError("treatment", ov.split("=", 1)[1],
                                  f"a list of known treatments, from {known} (unknown: {n!r})")
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ConfigError("treatment", ov.split("=", 1)[1],
                              f"each treatment at most once ({twice[0]!r} is given twice; "
                              "one treatment's doses are set by its own keys)")
        if "none" in names and len(names) > 1:
            raise ConfigError("treatment", ov.split("=", 1)[1],
                              "either none or a list of treatments (none cannot combine)")


def treatment_label(tr: Mapping[str, Any]) -> str:
    """The treatment's name, or its treatments' names joined by ``+`` (a combination)."""
    return "+".join(t["name"] for t in treatment_items(tr)) or "none"


def build_treatments(tr: TreatmentBase | TreatmentCombination, scenario: str | None = None
                     ) -> list[PKModel]:
    """The PK models of a typed treatment config (one per treatment, none: [];
    :func:`sims.slow.schemas.typed_treatment`)."""
    parts = list(tr.parts.values()) if isinstance(tr, TreatmentCombination) else [tr]
    return [m for m in (build_treatment(p, scenario) for p in parts) if m is not None]
