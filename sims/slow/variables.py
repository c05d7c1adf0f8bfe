"""The registry of slow-layer variables: one entry per state or output, with its unit,
description, plot label and (for states) initial value before burn-in. The model's state
vector, its initial state, its derivatives, the recorded outputs, the ``/slow`` group of a
result file and the figures' labels all follow this registry by name, so adding a
variable is one entry here plus its equation in ``sims.slow.model``.

An initial value is a number or the name of one of the model's baseline quantities
(``SlowModel.baseline_values``: the HPA model's initial state ``hpa_*``, ``plasma_allo``,
``brain_allo``, ``brain_thdoc``, ``brain_pregs``, ``brain_dheas``, ``plasma_thdoc``,
``log_allo_equivalent``, ``allo_equivalent``, ``steroid_exposure``).
"""

from __future__ import annotations

from dataclasses import dataclass

SUBUNITS = ("delta", "gamma2", "alpha4")


@dataclass(frozen=True)
class SlowVariable:
    """A named slow-layer quantity as stored in ``/slow/<name>``."""

    name: str
    unit: str
    description: str
    initial: float | str = 0.0  # states: a number or a baseline quantity's name
    label: str = ""  # short plot label (figures), in the plotted unit where it has one


#: States integrated by the model, in the order of its state vector.
#: The HPA states start from their model's own initial state (``sims.slow.hpa``).
STATES: tuple[SlowVariable, ...] = (
    SlowVariable("crh", "a.u.", "CRH (entrained model: 1 = daily mean drive; sriram: its "
                 "units)", "hpa_crh"),
    SlowVariable("acth", "a.u.", "ACTH (entrained model: 1 = daily mean; sriram: its units)",
                 "hpa_acth"),
    SlowVariable("cortisol", "ug/dL", "plasma cortisol (1 ug/dL = 27.6 nM)", "hpa_cortisol",
                 "cortisol (µg/dL)"),
    SlowVariable("gr", "a.u.", "activated glucocorticoid receptor (entrained model: 1 = at "
                 "mean cortisol; sriram: its units)", "hpa_gr"),
    SlowVariable("r5a", "1", "brain 5a-reductase activity (1 = baseline)", 1.0),
    SlowVariable("stress_precursor", "1", "stress-induced brain precursor (P/DOC) signal"),
    SlowVariable("allo_plasma_endogenous", "nM", "endogenous plasma ALLO", "plasma_allo"),
    SlowVariable("thdoc_plasma", "nM", "plasma THDOC", "plasma_thdoc"),
    SlowVariable("androstanediol_plasma", "nM", "plasma 3a-androstanediol"),
    SlowVariable("allo_brain", "nM", "brain (extracellular) ALLO", "brain_allo",
                 "ALLO (brain)"),
    SlowVariable("thdoc_brain", "nM", "brain THDOC", "brain_thdoc", "THDOC (brain)"),
    SlowVariable("androstanediol_brain", "nM", "brain 3a-androstanediol", 0.0,
                 "3α-diol (brain)"),
    SlowVariable("zuranolone_brain", "nM", "brain zuranolone", 0.0, "zuranolone (brain)"),
    SlowVariable("pregs_brain", "nM", "brain pregnenolone sulfate", "brain_pregs",
                 "PregS (brain)"),
    SlowVariable("dheas_brain", "nM", "brain DHEA-S", "brain_dheas", "DHEA-S (brain)"),
    SlowVariable("inflammation", "1", "cytokine index (1 = baseline)", 1.0),
    SlowVariable("glucocorticoid_load", "1", "plasma cortisol relative to its unstressed "
                 "daily mean, averaged over days (stress_loop.tau_load_days): drives the "
                 "stress-neurosteroid loop", 1.0, "glucocorticoid load"),
)

#: Algebraic outputs recorded with the states.
OUTPUTS: tuple[SlowVariable, ...] = (
    SlowVariable("progesterone_plasma", "nM", "plasma progesterone (scenario + treatment)",
                 label="progesterone (plasma)"),
    SlowVariable("testosterone_plasma", "nM", "plasma testosterone (scenario + treatment)"),
    SlowVariable("placental_allo", "nM", "placental/fetal plasma ALLO source"),
    SlowVariable("allo_plasma", "nM", "total plasma ALLO (endogenous + drug)"),
    SlowVariable("allo_drug_plasma", "nM", "plasma ALLO from brexanolone / oral progesterone"),
    SlowVariable("zuranolone_plasma", "nM", "plasma zuranolone (total)"),
    SlowVariable("pregnenolone_plasma", "nM", "plasma pregnenolone (adrenal, follows ACTH "
                 "relative to its mean; plus a pregnenolone treatment)",
                 label="pregnenolone (plasma)"),
    SlowVariable("pregs_plasma", "nM", "plasma pregnenolone sulfate (the adrenal sulfate pool "
                 "of pregs_brain, scaled to its plasma level)"),
    SlowVariable("dheas_plasma", "nM", "plasma DHEA-S (the adrenal sulfate pool of "
                 "dheas_brain, scaled to its plasma level)"),
    SlowVariable("dhea_drug_plasma", "nM", "plasma DHEA from a DHEA or pregnenolone "
                 "treatment (endogenous DHEA is not modelled)"),
    SlowVariable("acute_stress", "1", "acute stress intensity"),
    SlowVariable("chronic_stress", "1", "chronic stress level"),
    SlowVariable("crh_drive", "1", "effective CRH drive relative to the unstressed "
                 "reference (circadian, waking, stress, neurosteroids, PVN feedback)"),
    SlowVariable("gr_feedback_constant", "1", "GR-feedback constant relative to the default "
                 "(larger = weaker feedback)"),
)

#: Reference of the alpha4 response: a slowly adapting ln(brain ALLO).
LOG_SLOW = SlowVariable("allo_log_slow", "ln(nM)",
                        "ln of the brain ALLO-equivalent neurosteroid-site occupancy, adapting "
                        "over ~2 d: the reference of the alpha4 rise response",
                        "log_allo_equivalent")
#: The signal of delta/gamma2 regulation: the occupancy averaged over about a day.
AVERAGE = SlowVariable("allo_equivalent_avg", "nM",
                       "brain ALLO-equivalent of the neurosteroid-site occupancy, averaged "
                       "over ~12 h: the signal of delta and gamma2 regulation",
                       "allo_equivalent")
#: How long the occupancy has been raised (0-1): gates pregnancy-like delta loss and the
#: alpha4 withdrawal response, which need sustained exposure.
EXPOSURE = SlowVariable("steroid_exposure", "1",
                        "sustained-exposure memory (0-1, ~7 d): the fraction of the last week "
                        "with the neurosteroid-site occupancy well above baseline; gates the "
                        "pregnancy-like delta loss and the alpha4 withdrawal response",
                        "steroid_exposure")

_SUBUNIT_TEXT = {"delta": "delta (extrasynaptic, tonic)", "gamma2": "gamma2 (synaptic, phasic)",
                 "alpha4": "alpha4"}


def expression_variables(populations: list[str]) -> tuple[SlowVariable, ...]:
    """The homeostasis states: the alpha4 references, then every population's delta,
    gamma2, alpha4 (``<subunit>_<population>``, 1 = reference expression; subunit-major,
    so the array backend reads one subunit of all populations as one slice)."""
    return (AVERAGE, LOG_SLOW, EXPOSURE, *(SlowVariable(f"{sub}_{pop}", "1",
                                     f"{_SUBUNIT_TEXT[sub]} subunit expression in {pop} "
                                     "(1 = reference)", 1.0)
                        for sub in SUBUNITS for pop in populations))


def chloride_variables(populations: list[str]) -> tuple[SlowVariable, ...]:
    """The chloride states ``chloride_shift_<population>`` (mV) of the populations whose
    E_GABA can shift (``sims.slow.chloride``)."""
    return tuple(SlowVariable(f"chloride_shift_{pop}", "mV", f"depolarising shift of E_GABA "
                              f"(synaptic and tonic) in {pop} by KCC2 loss", 0.0,
                              f"E_GABA shift {pop} (mV)") for pop in populations)


def pk_variables(treatment: str, compartments: list[str], prefixed: bool = False
                 ) -> tuple[SlowVariable, ...]:
    """The treatment's PK compartments (amounts; not recorded): ``pk_<compartment>``, or
    ``pk_<treatment>_<compartment>`` when several treatments are given together."""
    stem = f"pk_{treatment}_" if prefixed else "pk_"
    return tuple(SlowVariable(f"{stem}{comp}", "amount", f"{treatment} amount in {comp}", 0.0)
                 for comp in compartments)


#: Every variable of the registry with a fixed name, by name (figures read labels here).
BY_NAME: dict[str, SlowVariable] = {v.name: v for v in (*STATES, *OUTPUTS, AVERAGE,
                                                         LOG_SLOW, EXPOSURE)}
