"""The measurement model of virtual studies: what an assay reports for a slow-layer
quantity (config group ``measurement/``).

- **Analytes** read one slow-layer variable (``allo`` -> ``allo_plasma``, ``cortisol`` ->
  ``cortisol``, ...) and report it in a clinical unit (ng/mL, pg/mL, nmol/L, ug/dL, ...)
  through the molecule's molecular weight (:mod:`sims.molecules`).
- **Matrices**: ``serum`` reads the plasma value; ``saliva`` reads a fraction of it (the
  serum-to-saliva ratio of that analyte, with its source), times the individual's own
  "secretor" factor (a lognormal per individual, constant over visits).
- **Assays** (``lcmsms``, ``ria``, ``elisa``): per analyte a proportional bias (the ratio
  of the assay's mean reading to the true value), a CV (multiplicative lognormal noise of
  mean 1) and a lower limit of quantification per matrix; a reading below the LLOQ is
  *censored*: flagged, its measured value NaN (never set to 0).

Every draw comes from the individual's own stream (study seed, arm, individual), so a
measurement is reproducible and independent of how many other individuals there are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sims.errors import require
from sims.molecules import MOLECULES, molecular_weight

#: Concentration units an analyte may be reported in: factor from ng/mL (mass) or from
#: nmol/L (molar).
MASS_UNITS = {"ng/mL": 1.0, "pg/mL": 1e3, "ug/dL": 0.1, "ug/L": 1.0, "ng/dL": 100.0,
              "ug/mL": 1e-3}
MOLAR_UNITS = {"nmol/L": 1.0, "nM": 1.0, "pmol/L": 1e3, "umol/L": 1e-3, "uM": 1e-3}
UNITS = (*MASS_UNITS, *MOLAR_UNITS)
#: Units a slow-layer variable may carry (its registry unit).
SOURCE_UNITS = ("nM", "ug/dL")
MATRICES = ("serum", "saliva")


def to_nM(value: Any, unit: str, molecule: str) -> Any:
    """``value`` in ``unit`` as nmol/L (``molecule``'s weight for mass units)."""
    if unit in MOLAR_UNITS:
        return np.asarray(value, float) / MOLAR_UNITS[unit]
    ng_per_mL = np.asarray(value, float) / MASS_UNITS[unit]
    return ng_per_mL * 1e3 / molecular_weight(molecule)  # ng/mL = ug/L; / (g/mol) -> umol


def from_nM(value_nM: Any, unit: str, molecule: str) -> Any:
    """nmol/L as ``unit`` (the inverse of :func:`to_nM`)."""
    if unit in MOLAR_UNITS:
        return np.asarray(value_nM, float) * MOLAR_UNITS[unit]
    ng_per_mL = np.asarray(value_nM, float) * molecular_weight(molecule) / 1e3
    return ng_per_mL * MASS_UNITS[unit]


def convert(value: Any, unit_from: str, unit_to: str, molecule: str) -> Any:
    """``value`` from one concentration unit to another."""
    if unit_from == unit_to:
        return np.asarray(value, float)
    return from_nM(to_nM(value, unit_from, molecule), unit_to, molecule)


@dataclass(frozen=True)
class Analyte:
    """A measurable quantity: the slow variable it reads and how it is reported."""

    name: str
    variable: str
    molecule: str
    units: dict[str, str]  # matrix -> reporting unit
    description: str = ""


@dataclass(frozen=True)
class AssayParams:
    """One assay's performance for one analyte."""

    bias: float  # mean reading / true value (1 = unbiased)
    cv: float  # coefficient of variation of the multiplicative noise (0 = none)
    lloq: dict[str, float]  # matrix -> lower limit of quantification, in ``lloq_unit``
    lloq_unit: str
    source: str = ""


@dataclass(frozen=True)
class Saliva:
    """Serum-to-saliva transfer."""

    ratio: dict[str, float]  # analyte -> saliva / serum concentration
    individual_sd_log: float  # SD of ln(individual secretor factor)
    source: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Measurement:
    """The parsed ``measurement`` config."""

    analytes: dict[str, Analyte]
    saliva: Saliva
    assays: dict[str, dict[str, AssayParams]]  # assay -> analyte -> params

    def check_sample(self, analyte: str, matrix: str, assay: str, where: str,
                     variables: Sequence[str] = (), analyte_key: str = "analytes") -> None:
        """A (analyte, matrix, assay) the model can measure.

        Raises:
            ConfigError: an unknown analyte, matrix or assay; a matrix the analyte has no
                unit or saliva ratio for; an assay without parameters for the analyte or
                that matrix; an analyte whose slow variable the run does not produce.
        """
        require(analyte in self.analytes, f"{where}.{analyte_key}", analyte,
                f"an analyte of measurement.analytes ({', '.join(self.analytes)})")
        a = self.analytes[analyte]
        if variables:
            require(a.variable in variables, f"{where}.{analyte_key}", analyte,
                    f"an analyte whose slow variable the run produces ({a.variable} is not "
                    "one of them)")
        require(matrix in a.units, f"{where}.matrix", matrix,
                f"a matrix of measurement.analytes.{analyte}.units ({', '.join(a.units)})")
        if matrix == "saliva":
            require(analyte in self.saliva.ratio, f"{where}.matrix", matrix,
                    f"serum for {analyte}: measurement.saliva.ratio gives no serum-to-saliva "
                    f"ratio for it (only for {', '.join(self.saliva.ratio)})")
        require(assay in self.assays, f"{where}.assay", assay,
                f"an assay of measurement.assays ({', '.join(self.assays)})")
        require(analyte in self.assays[assay], f"{where}.assay", assay,
                f"an assay with parameters for {analyte} (measurement.assays.{assay} has "
                f"{', '.join(self.assays[assay]) or 'none'})")
        p = self.assays[assay][analyte]
        require(matrix in p.lloq, f"{where}.matrix", matrix,
                f"a matrix measurement.assays.{assay}.{analyte}.lloq covers "
                f"({', '.join(p.lloq)})")

    def true_value(self, analyte: str, matrix: str, plasma: np.ndarray, source_unit: str,
                   secretor: np.ndarray | float = 1.0) -> np.ndarray:
        """The noise-free concentration in the matrix, in the analyte's reporting unit
        (``plasma``: the slow variable's values in ``source_unit``)."""
        a = self.analytes[analyte]
        v = convert(plasma, source_unit, a.units[matrix], a.molecule)
        if matrix == "saliva":
            v = v * self.saliva.ratio[analyte] * secretor
        return v

    def measure(self, analyte: str, matrix: str, assay: str, true: np.ndarray,
                z: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """(measured value or NaN, censored flag, LLOQ in the reporting unit) of ``true``
        (reporting unit) with standard normals ``z``: ``true x bias x exp(s z - s^2 / 2)``,
        ``s^2 = ln(1 + CV^2)`` (lognormal noise of mean 1 and coefficient of variation CV)."""
        a, p = self.analytes[analyte], self.assays[assay][analyte]
        true = np.asarray(true, float)
        z = np.broadcast_to(np.asarray(z, float), true.shape)
        s = math.sqrt(math.log1p(p.cv ** 2))
        measured = true * p.bias * np.exp(s * z - s * s / 2.0)
        lloq = float(convert(p.lloq[matrix], p.lloq_unit, a.units[matrix], a.molecule))
        censored = ~(measured >= lloq)  # NaN (a failed individual) counts as censored
        return np.where(censored, np.nan, measured), censored, lloq


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def parse_measurement(node: Any, where: str = "measurement") -> Measurement:
    """The ``measurement`` node, checked.

    Raises:
        ConfigError: naming the first bad key, its value and what is allowed (a negative
            CV, a bias <= 0, a negative LLOQ, an unknown unit or molecule, ...).
    """
    require(isinstance(node, Mapping), where, node, "a mapping (measurement=default)")
    unknown = sorted(set(node) - {"analytes", "saliva", "assays", "source"})
    require(not unknown, f"{where}.{unknown[0] if unknown else ''}", unknown,
            "keys analytes, saliva, assays, source")
    analytes: dict[str, Analyte] = {}
    for name, a in (node.get("analytes") or {}).items():
        key = f"{where}.analytes.{name}"
        require(isinstance(a, Mapping) and {"variable", "molecule", "units"} <= set(a),
                key, a, "a mapping {variable, molecule, units: {matrix: unit}, description}")
        extra = sorted(set(a) - {"variable", "molecule", "units", "description"})
        require(not extra, f"{key}.{extra[0] if extra else ''}", extra,
                "keys variable, molecule, units, description")
        require(a["molecule"] in MOLECULES, f"{key}.molecule", a["molecule"],
                f"a molecule of sims.molecules ({', '.join(MOLECULES)})")
        units = a["units"]
        require(isinstance(units, Mapping) and units, f"{key}.units", units,
                "a mapping matrix -> unit, e.g. {serum: ng/mL}")
        for m, u in units.items():
            require(m in MATRICES, f"{key}.units", m, f"matrices {MATRICES}")
            require(u in UNITS, f"{key}.units.{m}", u, f"a unit of {UNITS}")
        analytes[str(name)] = Analyte(str(name), str(a["variable"]), str(a["molecule"]),
                                      {str(m): str(u) for m, u in units.items()},
                                      str(a.get("description", "")))
    require(bool(analytes), f"{where}.analytes", None, "at least one analyte")
    sal = node.get("saliva") or {}
    require(isinstance(sal, Mapping), f"{where}.saliva", sal,
            "a mapping {ratio: {analyte: r}, individual_sd_log, source}")
    ratio = dict(sal.get("ratio") or {})
    for k, r in ratio.items():
        require(k in analytes, f"{where}.saliva.ratio", k, f"analytes ({', '.join(analytes)})")
        require(_number(r) and 0 < r <= 1, f"{where}.saliva.ratio.{k}", r,
                "a saliva/serum ratio in (0, 1]")
    sd = sal.get("individual_sd_log", 0.0)
    require(_number(sd) and sd >= 0, f"{where}.saliva.individual_sd_log", sd, "a number >= 0")
    saliva = Saliva({str(k): float(v) for k, v in ratio.items()}, float(sd),
                    {str(k): str(v) for k, v in (sal.get("source") or {}).items()})
    assays: dict[str, dict[str, AssayParams]] = {}
    for aname, entries in (node.get("assays") or {}).items():
        require(isinstance(entries, Mapping), f"{where}.assays.{aname}", entries,
                "a mapping analyte -> {bias, cv, lloq: {matrix: value}, lloq_unit, source}")
        assays[str(aname)] = {}
        for an, p in entries.items():
            key = f"{where}.assays.{aname}.{an}"
            if an == "description":
                continue
            require(an in analytes, key, an, f"analytes ({', '.join(analytes)})")
            require(isinstance(p, Mapping) and {"bias", "cv", "lloq", "lloq_unit"} <= set(p),
                    key, p, "a mapping {bias, cv, lloq: {matrix: value}, lloq_unit, source}")
            require(_number(p["bias"]) and p["bias"] > 0, f"{key}.bias", p["bias"],
                    "a ratio > 0: the assay's mean reading / the true value (1 = no bias)")
            require(_number(p["cv"]) and p["cv"] >= 0, f"{key}.cv", p["cv"],
                    "a coefficient of variation >= 0 (0.1 = 10 %)")
            require(p["lloq_unit"] in UNITS, f"{key}.lloq_unit", p["lloq_unit"],
                    f"a unit of {UNITS}")
            lloq = p["lloq"]
            require(isinstance(lloq, Mapping) and lloq, f"{key}.lloq", lloq,
                    "a mapping matrix -> LLOQ (in lloq_unit)")
            for m, v in lloq.items():
                require(m in analytes[an].units, f"{key}.lloq", m,
                        f"matrices of analyte {an} ({', '.join(analytes[an].units)})")
                require(_number(v) and v >= 0, f"{key}.lloq.{m}", v, "a number >= 0")
            assays[str(aname)][str(an)] = AssayParams(
                float(p["bias"]), float(p["cv"]), {str(m): float(v) for m, v in lloq.items()},
                str(p["lloq_unit"]), str(p.get("source", "")))
    require(bool(assays), f"{where}.assays", None, "at least one assay")
    return Measurement(analytes, saliva, assays)


__all__ = ["Analyte", "AssayParams", "MATRICES", "Measurement", "UNITS", "convert",
           "from_nM", "parse_measurement", "to_nM"]
