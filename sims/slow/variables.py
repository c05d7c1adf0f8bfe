"""The registry of slow-layer variables: one entry per state or output, with its unit,
description, plot label and (for states) initial value before burn-in. The model's state
vector, its initial state, its derivatives, the recorded outputs, the ``/slow`` group of a
result file and the figures' labels all follow this registry by name, so adding a
variable is one entry here plus its equation in ``sims.slow.model``.

An initial value is a number or the name of one of the model's baseline quantities
(``SlowModel.baseline_values``: ``plasma_allo``, ``brain_allo``, ``brain_thdoc``,
``brain_pregs``, ``brain_dheas``, ``plasma_thdoc``, ``log_brain_allo``).
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
#: Initial CRH, ACTH, cortisol and GR of Sriram et al. 2012 (docs/science.md §5.1).
STATES: tuple[SlowVariable, ...] = (
    SlowVariable("crh", "a.u.", "CRH (Sriram 2012 units)", 1.0),
    SlowVariable("acth", "a.u.", "ACTH (Sriram 2012 units)", 5.0),
    SlowVariable("cortisol", "ug/dL", "plasma cortisol (1 ug/dL = 27.6 nM)", 5.0,
                 "cortisol (µg/dL)"),
    SlowVariable("gr", "a.u.", "glucocorticoid receptor (Sriram 2012 units)", 2.0),
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
    SlowVariable("pregs_brain", "nM", "brain pregnenolone sulfate", "brain_pregs"),
    SlowVariable("dheas_brain", "nM", "brain DHEA-S", "brain_dheas"),
    SlowVariable("inflammation", "1", "cytokine index (1 = baseline)", 1.0),
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
    SlowVariable("acute_stress", "1", "acute stress intensity"),
    SlowVariable("chronic_stress", "1", "chronic stress level"),
    SlowVariable("hpa_k_stress", "1/h", "effective CRH drive"),
    SlowVariable("hpa_k_i", "a.u.", "effective GR-feedback constant (larger = weaker feedback)"),
)

#: Reference of the alpha4 response: a slowly adapting ln(brain ALLO).
LOG_SLOW = SlowVariable("allo_log_slow", "ln(nM)",
                        "slowly adapting ln(brain ALLO): the reference of the alpha4 response",
                        "log_brain_allo")

_SUBUNIT_TEXT = {"delta": "delta (extrasynaptic, tonic)", "gamma2": "gamma2 (synaptic, phasic)",
                 "alpha4": "alpha4"}


def expression_variables(populations: list[str]) -> tuple[SlowVariable, ...]:
    """The homeostasis states: the alpha4 reference, then delta, gamma2, alpha4 per
    population (``<subunit>_<population>``, 1 = reference expression)."""
    return (LOG_SLOW, *(SlowVariable(f"{sub}_{pop}", "1",
                                     f"{_SUBUNIT_TEXT[sub]} subunit expression in {pop} "
                                     "(1 = reference)", 1.0)
                        for pop in populations for sub in SUBUNITS))


def pk_variables(treatment: str, compartments: list[str]) -> tuple[SlowVariable, ...]:
    """The treatment's PK compartments (amounts; not recorded)."""
    return tuple(SlowVariable(f"pk_{comp}", "amount", f"{treatment} amount in {comp}", 0.0)
                 for comp in compartments)


#: Every variable of the registry with a fixed name, by name (figures read labels here).
BY_NAME: dict[str, SlowVariable] = {v.name: v for v in (*STATES, *OUTPUTS, LOG_SLOW)}
