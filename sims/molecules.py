"""Molecular weights of every steroid and drug the model converts between mass and molar
units: one table, used by the treatments' PK (doses in mg, concentrations in nM) and by
anything that reports ng/mL. Values are PubChem's computed molecular weights (g/mol,
rounded to 0.1) of the neutral molecule (sulfates as the free acid).
"""

from __future__ import annotations

#: name -> (molecular weight in g/mol, formula). Source: PubChem (computed properties).
MOLECULES: dict[str, tuple[float, str]] = {
    "allo": (318.5, "C21H34O2"),  # allopregnanolone = brexanolone
    "thdoc": (334.5, "C21H34O3"),  # tetrahydrodeoxycorticosterone
    "androstanediol": (292.5, "C19H32O2"),  # 3alpha,5alpha-androstanediol
    "zuranolone": (409.6, "C25H35N3O2"),
    "pregs": (396.5, "C21H32O5S"),  # pregnenolone sulfate
    "dheas": (368.5, "C19H28O5S"),  # dehydroepiandrosterone sulfate
    "progesterone": (314.5, "C21H30O2"),
    "testosterone": (288.4, "C19H28O2"),
    "pregnenolone": (316.5, "C21H32O2"),
    "dhea": (288.4, "C19H28O2"),
    "cortisol": (362.5, "C21H30O5"),
}


def molecular_weight(name: str) -> float:
    """g/mol of a molecule of :data:`MOLECULES`.

    Raises:
        KeyError: naming the molecule and the known ones (a programming error).
    """
    try:
        return MOLECULES[name][0]
    except KeyError:
        raise KeyError(f"no molecular weight for {name!r}; known: {sorted(MOLECULES)}") from None
