"""The registry of slow-layer variables: one entry per state or output, with its unit and
description. The model's state vector, its derivatives, the recorded outputs and the
``/slow`` group of a result file all follow this registry by name, so adding a variable
is one entry here plus its equation in ``sims.slow.model``.
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


#: States integrated by the model, in the order of its state vector.
STATES: tuple[SlowVariable, ...] = (
    SlowVariable("crh", "a.u.", "CRH (Sriram 2012 units)"),
    SlowVariable("acth", "a.u.", "ACTH (Sriram 2012 units)"),
    SlowVariable("cortisol", "ug/dL", "plasma cortisol (1 ug/dL = 27.6 nM)"),
    SlowVariable("gr", "a.u.", "glucocorticoid receptor (Sriram 2012 units)"),
    SlowVariable("r5a", "1", "brain 5a-reductase activity (1 = baseline)"),
    SlowVariable("stress_precursor", "1", "stress-induced brain precursor (P/DOC) signal"),
    SlowVariable("allo_plasma_endogenous", "nM", "endogenous plasma ALLO"),
    SlowVariable("thdoc_plasma", "nM", "plasma THDOC"),
    SlowVariable("androstanediol_plasma", "nM", "plasma 3a-androstanediol"),
    SlowVariable("allo_brain", "nM", "brain (extracellular) ALLO"),
    SlowVariable("thdoc_brain", "nM", "brain THDOC"),
    SlowVariable("androstanediol_brain", "nM", "brain 3a-androstanediol"),
    SlowVariable("zuranolone_brain", "nM", "brain zuranolone"),
    SlowVariable("pregs_brain", "nM", "brain pregnenolone sulfate"),
    SlowVariable("dheas_brain", "nM", "brain DHEA-S"),
    SlowVariable("inflammation", "1", "cytokine index (1 = baseline)"),
)

#: Algebraic outputs recorded with the states.
OUTPUTS: tuple[SlowVariable, ...] = (
    SlowVariable("progesterone_plasma", "nM", "plasma progesterone (scenario + treatment)"),
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
                        "slowly adapting ln(brain ALLO): the reference of the alpha4 response")

_SUBUNIT_TEXT = {"delta": "delta (extrasynaptic, tonic)", "gamma2": "gamma2 (synaptic, phasic)",
                 "alpha4": "alpha4"}


def expression_variables(populations: list[str]) -> tuple[SlowVariable, ...]:
    """The homeostasis states: the alpha4 reference, then delta, gamma2, alpha4 per
    population (``<subunit>_<population>``, 1 = reference expression)."""
    return (LOG_SLOW, *(SlowVariable(f"{sub}_{pop}", "1",
                                     f"{_SUBUNIT_TEXT[sub]} subunit expression in {pop} "
                                     "(1 = reference)")
                        for pop in populations for sub in SUBUNITS))


def pk_variables(treatment: str, compartments: list[str]) -> tuple[SlowVariable, ...]:
    """The treatment's PK compartments (amounts; not recorded)."""
    return tuple(SlowVariable(f"pk_{comp}", "amount", f"{treatment} amount in {comp}")
                 for comp in compartments)
