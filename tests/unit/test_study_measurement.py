"""The measurement model of virtual studies: unit conversions against hand values, an
ideal assay returns the truth, noise has the configured bias and CV, censoring below the
LLOQ, and bad input is refused by name."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from sims.config import CONFIG_DIR
from sims.errors import ConfigError
from sims.study.measurement import convert, from_nM, parse_measurement, to_nM
from tests.conftest import with_value

NODE = yaml.safe_load((CONFIG_DIR / "measurement" / "default.yaml").read_text())["measurement"]


@pytest.mark.parametrize(("molecule", "unit", "nM_per_unit"), [
    ("allo", "ng/mL", 1000 / 318.5),            # docs/science.md: 1 ng/mL = 3.14 nM
    ("progesterone", "ng/mL", 1000 / 314.5),    # 3.18 nM
    ("zuranolone", "ng/mL", 1000 / 409.6),      # 2.44 nM
    ("cortisol", "ug/dL", 10_000 / 362.5),      # 1 ug/dL = 27.6 nM
    ("allo", "pg/mL", 1 / 318.5),
    ("dheas", "ug/dL", 10_000 / 368.5),
    ("cortisol", "nmol/L", 1.0),
    ("cortisol", "pmol/L", 1e-3),
])
def test_unit_conversions_match_hand_values(molecule, unit, nM_per_unit):
    assert to_nM(1.0, unit, molecule) == pytest.approx(nM_per_unit, rel=1e-12)
    assert from_nM(nM_per_unit, unit, molecule) == pytest.approx(1.0, rel=1e-12)


def test_published_conversion_factors():
    assert to_nM(1.0, "ng/mL", "allo") == pytest.approx(3.14, abs=0.005)
    assert to_nM(1.0, "ng/mL", "progesterone") == pytest.approx(3.18, abs=0.005)
    assert to_nM(1.0, "ug/dL", "cortisol") == pytest.approx(27.6, abs=0.05)
    assert to_nM(1.0, "ng/mL", "zuranolone") == pytest.approx(2.44, abs=0.005)
    assert convert(10.0, "ng/mL", "pg/mL", "allo") == pytest.approx(10_000.0)


def _ideal(cv: float = 0.0, bias: float = 1.0, lloq: float = 0.0) -> dict:
    node = copy.deepcopy(NODE)
    node["assays"]["lcmsms"]["allo"] = {"bias": bias, "cv": cv, "lloq": {"serum": lloq},
                                        "lloq_unit": "ng/mL"}
    return node


def test_an_assay_without_noise_or_bias_returns_the_true_value():
    m = parse_measurement(_ideal())
    true = np.array([0.05, 0.3, 12.0, 70.0])
    z = np.random.default_rng(1).standard_normal(4)
    got, censored, lloq = m.measure("allo", "serum", "lcmsms", true, z)
    assert np.array_equal(got, true) and not censored.any() and lloq == 0.0


def test_noise_has_the_configured_bias_and_cv():
    m = parse_measurement(_ideal(cv=0.2, bias=3.0))
    true = np.full(200_000, 2.0)
    got, _, _ = m.measure("allo", "serum", "lcmsms", true,
                          np.random.default_rng(7).standard_normal(true.shape))
    assert got.mean() == pytest.approx(6.0, rel=0.005)  # mean-1 noise: bias only
    assert got.std() / got.mean() == pytest.approx(0.2, rel=0.01)


def test_values_below_the_lloq_are_censored_not_zeroed():
    m = parse_measurement(_ideal(lloq=0.1))
    true = np.array([0.02, 0.099, 0.1, 5.0, np.nan])
    got, censored, lloq = m.measure("allo", "serum", "lcmsms", true, np.zeros(5))
    assert lloq == pytest.approx(0.1)
    assert censored.tolist() == [True, True, False, False, True]
    assert np.isnan(got[censored]).all() and got[2] == pytest.approx(0.1) and got[3] == 5.0


def test_lloq_is_converted_to_the_reporting_unit():
    m = parse_measurement(NODE)
    _, _, lloq = m.measure("allo", "serum", "lcmsms", np.array([1.0]), np.zeros(1))
    assert lloq == pytest.approx(0.0101)  # 10.1 pg/mL in ng/mL


def test_saliva_reads_the_ratio_times_the_secretor_factor():
    m = parse_measurement(NODE)
    serum_nM = np.array([31.8])  # 10 ng/mL progesterone
    got = m.true_value("progesterone", "saliva", serum_nM, "nM", secretor=2.0)
    assert got[0] == pytest.approx(10_000 * 1000 / 31.8 * 31.8 / 1000 * 0.01 * 2.0, rel=1e-3)
    cort = m.true_value("cortisol", "saliva", np.array([10.0]), "ug/dL")  # 276 nM
    assert cort[0] == pytest.approx(10 * 10_000 / 362.5 * 0.06)


@pytest.mark.parametrize(("path", "value", "key"), [
    (("assays", "lcmsms", "allo", "cv"), -0.1, "measurement.assays.lcmsms.allo.cv"),
    (("assays", "ria", "allo", "bias"), -1.0, "measurement.assays.ria.allo.bias"),
    (("assays", "ria", "allo", "bias"), 0.0, "measurement.assays.ria.allo.bias"),
    (("assays", "lcmsms", "allo", "lloq", "serum"), -1.0,
     "measurement.assays.lcmsms.allo.lloq.serum"),
    (("assays", "lcmsms", "allo", "lloq_unit"), "mg/furlong",
     "measurement.assays.lcmsms.allo.lloq_unit"),
    (("analytes", "allo", "molecule"), "unobtanium", "measurement.analytes.allo.molecule"),
    (("saliva", "ratio", "cortisol"), 1.5, "measurement.saliva.ratio.cortisol"),
])
def test_bad_measurement_values_are_refused_by_key(path, value, key):
    node = with_value(NODE, path, value)
    with pytest.raises(ConfigError) as e:
        parse_measurement(node)
    assert e.value.key == key and str(value) in str(e.value)


def test_samples_the_model_cannot_measure_are_refused():
    m = parse_measurement(NODE)
    with pytest.raises(ConfigError, match=r"matrix of measurement.analytes.allo.units \(serum\)"):
        m.check_sample("allo", "saliva", "lcmsms", "study.samples[0]")
    with pytest.raises(ConfigError, match="analyte of measurement.analytes"):
        m.check_sample("estradiol", "serum", "lcmsms", "study.samples[0]")
    with pytest.raises(ConfigError, match="parameters for zuranolone"):
        m.check_sample("zuranolone", "serum", "ria", "study.samples[0]")
    with pytest.raises(ConfigError, match="slow variable the run produces"):
        m.check_sample("allo", "serum", "lcmsms", "study.samples[0]", ["cortisol"])
