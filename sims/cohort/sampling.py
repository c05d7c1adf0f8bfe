"""Sampling the individuals of a virtual cohort: marginal distributions, correlations
(Gaussian copula), plain random or quasi-random (Sobol, Latin hypercube) draws.

A cohort's ``parameters`` map a short label to a config key and a distribution::

    tau_up: {key: homeostasis.tau_up_days, dist: lognormal, median: 0.75, sigma_log: 0.4,
             low: 0.2, high: 4.0, source: "[assumption] ..."}

Distributions (parameters; optional ``low``/``high`` truncate every continuous one):

=============  ==========================================================================
normal         ``mean``, ``sd``
lognormal      ``median``, ``sigma_log`` (SD of the natural log)
uniform        ``low``, ``high``
loguniform     ``low``, ``high`` (> 0)
categorical    ``values`` (numbers, or names), ``probs`` (sum 1; default equal)
mixture        ``components``: a list of ``{weight, median, sigma_log, source}``
               lognormals (weights sum 1): a subgroup that is the point (the women whose
               delta re-expression is slow, at the rate of their prevalence)
=============  ==========================================================================

A categorical of names (:attr:`Marginal.labels`) sets a string key (e.g.
``homeostasis.species: [mouse, rat]``) or chooses a config group's option (e.g. ``key:
homeostasis``, ``values: [steroid, impaired_recovery]``: the ``homeostasis=...`` override).
The engine runs the individuals of each combination of names as one stratum
(``sims.cohort.engine``).

``correlation`` gives rank-type dependence through a Gaussian copula: a list of
``[label_a, label_b, rho]`` pairs or a full matrix over the continuous labels; the matrix
must be symmetric with unit diagonal and positive definite.

All ``n`` individuals are drawn at once from the master seed (stream 2; stream 1 is the
slow layer's): the unit-cube points, the copula and the inverse CDFs are computed for the
whole cohort and a shard takes its rows, so individual k has the same parameters whether
the cohort runs as 1 shard or 20 (:func:`sample` with ``rows``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sims.config import override_key
from sims.errors import ConfigError, require
from sims.errors import is_finite_number as _num

DISTRIBUTIONS = ("normal", "lognormal", "uniform", "loguniform", "categorical", "mixture")
METHODS = ("random", "sobol", "lhs")
#: Seed stream of the cohort's sampling (the slow layer uses stream 1).
SAMPLING_STREAM = 2
_EPS = 1e-12




@dataclass(frozen=True)
class Marginal:
    """One varied config key and its distribution."""

    label: str
    key: str
    dist: str
    params: dict[str, Any] = field(default_factory=dict)
    low: float = -math.inf
    high: float = math.inf
    source: str = ""

    @property
    def continuous(self) -> bool:
        return self.dist != "categorical"

    @property
    def labels(self) -> bool:
        """A categorical of names (a string key or a config group's options)."""
        return self.dist == "categorical" and isinstance(self.params["values"][0], str)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF (truncated to [low, high]) at the uniforms ``u``."""
        from scipy import stats

        p = self.params
        if self.dist == "categorical":
            values = np.asarray(p["values"], str if self.labels else float)
            probs = np.asarray(p.get("probs") or [1.0 / len(values)] * len(values), float)
            edges = np.cumsum(probs)
            edges[-1] = 1.0
            return values[np.minimum(np.searchsorted(edges, u, side="right"), len(values) - 1)]
        if self.dist == "mixture":
            return _mixture_ppf(p["components"], np.asarray(u, float), self.low, self.high)
        if self.dist == "normal":
            d = stats.norm(p["mean"], p["sd"])
        elif self.dist == "lognormal":
            d = stats.lognorm(s=p["sigma_log"], scale=p["median"])
        elif self.dist == "uniform":
            d = stats.uniform(self.low, self.high - self.low)
        else:
            d = stats.loguniform(self.low, self.high)
        lo, hi = d.cdf(self.low), d.cdf(self.high)  # truncation: rescale into [F(lo), F(hi)]
        return np.clip(d.ppf(lo + u * (hi - lo)), self.low, self.high)


_REQUIRED = {"normal": ("mean", "sd"), "lognormal": ("median", "sigma_log"),
             "uniform": (), "loguniform": (), "categorical": ("values",),
             "mixture": ("components",)}


def _mixture_cdf(components: Sequence[Mapping[str, float]], x: np.ndarray) -> np.ndarray:
    from scipy import stats

    return sum(c["weight"] * stats.lognorm.cdf(x, s=c["sigma_log"], scale=c["median"])
               for c in components)


def _mixture_ppf(components: Sequence[Mapping[str, float]], u: np.ndarray, low: float,
                 high: float) -> np.ndarray:
    """Inverse CDF of a lognormal mixture truncated to [low, high], by bisection on ln x
    (to 1e-12 relative): monotone in u, so quasi-random points keep their order."""
    lo_b = max(low, 1e-300)
    f_lo = float(_mixture_cdf(components, np.array([lo_b]))[0]) if low > 0 else 0.0
    f_hi = float(_mixture_cdf(components, np.array([high]))[0]) if math.isfinite(high) else 1.0
    target = f_lo + u * (f_hi - f_lo)
    meds = [c["median"] for c in components]
    sig = max(c["sigma_log"] for c in components)
    a = np.full(u.shape, math.log(max(lo_b, min(meds) * math.exp(-12 * sig))))
    b = np.full(u.shape, math.log(min(high, max(meds) * math.exp(12 * sig))))
    for _ in range(200):
        mid = 0.5 * (a + b)
        below = _mixture_cdf(components, np.exp(mid)) < target
        a, b = np.where(below, mid, a), np.where(below, b, mid)
        if np.all(b - a < 1e-12):
            break
    return np.clip(np.exp(0.5 * (a + b)), low, high)


def parse_marginals(node: Any, key: str = "cohort.parameters") -> list[Marginal]:
    """``{label: {key, dist, ..., low, high, source}}`` -> marginals, checked.

    Raises:
        ConfigError: naming the first bad key (unknown distribution, sd <= 0, low >= high,
            probabilities that do not sum to 1, a missing source, ...).
    """
    require(isinstance(node, Mapping) and len(node) > 0, key, node,
           "a mapping label -> {key, dist, its parameters, low, high, source}")
    out = []
    for label, p in node.items():
        k = f"{key}.{label}"
        require(isinstance(p, Mapping), k, p, "a mapping {key, dist, ...}")
        ck = p.get("key")
        require(isinstance(ck, str) and ck.strip() != "", f"{k}.key", ck,
               "the dotted config key this parameter sets")
        dist = p.get("dist")
        require(dist in DISTRIBUTIONS, f"{k}.dist", dist, f"one of {DISTRIBUTIONS}")
        allowed = {"key", "dist", "low", "high", "source", *_REQUIRED[dist], "probs"}
        unknown = sorted(set(p) - allowed)
        require(not unknown, f"{k}.{unknown[0] if unknown else ''}", unknown,
               f"keys {sorted(allowed)} for dist {dist}")
        for r in _REQUIRED[dist]:
            require(r in p, f"{k}.{r}", None, f"a value ({dist} needs {_REQUIRED[dist]})")
        require(bool(str(p.get("source", "")).strip()), f"{k}.source", p.get("source"),
               "where the distribution comes from (a paper, or [assumption])")
        lo = p.get("low", -math.inf if dist != "loguniform" else None)
        hi = p.get("high", math.inf if dist != "loguniform" else None)
        if dist in ("uniform", "loguniform"):
            require(_num(lo), f"{k}.low", lo, f"a number ({dist} needs low and high)")
            require(_num(hi), f"{k}.high", hi, f"a number ({dist} needs low and high)")
        lo = float(lo) if lo is not None else -math.inf
        hi = float(hi) if hi is not None else math.inf
        require(not math.isnan(lo) and not math.isnan(hi), f"{k}.low", lo, "a number")
        require(lo < hi, f"{k}.low", lo, f"a lower bound < high ({hi:g})")
        params: dict[str, Any] = {}
        if dist == "normal":
            require(_num(p["mean"]), f"{k}.mean", p["mean"], "a number")
            require(_num(p["sd"]) and p["sd"] > 0, f"{k}.sd", p["sd"], "a number > 0")
            params = {"mean": float(p["mean"]), "sd": float(p["sd"])}
        elif dist == "lognormal":
            require(_num(p["median"]) and p["median"] > 0, f"{k}.median", p["median"],
                   "a number > 0")
            require(_num(p["sigma_log"]) and p["sigma_log"] > 0, f"{k}.sigma_log",
                   p["sigma_log"], "a number > 0 (SD of the natural log)")
            require(hi > 0, f"{k}.high", hi, "a number > 0 (lognormal values are > 0)")
            params = {"median": float(p["median"]), "sigma_log": float(p["sigma_log"])}
            lo = max(lo, 0.0)
        elif dist == "loguniform":
            require(lo > 0, f"{k}.low", lo, "a number > 0 (loguniform)")
        elif dist == "mixture":
            comps = p["components"]
            require(isinstance(comps, list | tuple) and len(comps) >= 2, f"{k}.components",
                    comps, "a list of >= 2 {weight, median, sigma_log, source}")
            parsed = []
            for i, c in enumerate(comps):
                ci = f"{k}.components[{i}]"
                require(isinstance(c, Mapping) and {"weight", "median", "sigma_log",
                                                    "source"} == set(c), ci, c,
                        "a mapping {weight, median, sigma_log, source}")
                require(_num(c["weight"]) and 0 < c["weight"] < 1, f"{ci}.weight",
                        c["weight"], "a number in (0, 1)")
                require(_num(c["median"]) and c["median"] > 0, f"{ci}.median", c["median"],
                        "a number > 0")
                require(_num(c["sigma_log"]) and c["sigma_log"] > 0, f"{ci}.sigma_log",
                        c["sigma_log"], "a number > 0 (SD of the natural log)")
                require(bool(str(c["source"]).strip()), f"{ci}.source", c["source"],
                        "where the component comes from (a paper, or [assumption])")
                parsed.append({"weight": float(c["weight"]), "median": float(c["median"]),
                               "sigma_log": float(c["sigma_log"])})
            total = sum(c["weight"] for c in parsed)
            require(abs(total - 1.0) < 1e-9, f"{k}.components", [c["weight"] for c in parsed],
                    "weights summing to 1")
            require(hi > 0, f"{k}.high", hi, "a number > 0 (lognormal values are > 0)")
            lo = max(lo, 0.0)
            params = {"components": parsed}
        elif dist == "categorical":
            vals = p["values"]
            require(isinstance(vals, list | tuple) and len(vals) >= 1 and (
                all(_num(v) for v in vals) or all(
                    isinstance(v, str) and v.strip() == v != "" for v in vals)),
                f"{k}.values", vals, "a list of numbers, or a list of names (a string key's "
                "values or a config group's options)")
            require(len(set(vals)) == len(vals), f"{k}.values", vals, "each value once")
            probs = p.get("probs")
            if probs is not None:
                require(isinstance(probs, list | tuple) and len(probs) == len(vals) and all(
                    _num(q) and q >= 0 for q in probs) and abs(sum(probs) - 1) < 1e-9,
                    f"{k}.probs", probs, f"{len(vals)} probabilities >= 0 summing to 1")
            params = {"values": [str(v) if isinstance(v, str) else float(v) for v in vals],
                      "probs": [float(q) for q in probs] if probs is not None else None}
        if dist in ("normal", "lognormal", "mixture") and (math.isfinite(lo)
                                                            or math.isfinite(hi)):
            m = Marginal(str(label), ck, dist, params, lo, hi)
            mass = m.ppf(np.array([0.0, 1.0]))
            require(mass[1] > mass[0], f"{k}.low", lo, "bounds that keep some probability")
        out.append(Marginal(str(label), ck, dist, params, lo, hi, str(p["source"])))
    keys = [m.key for m in out]
    dup = sorted({x for x in keys if keys.count(x) > 1})
    require(not dup, key, dup, "each config key once")
    return out


def parse_correlation(node: Any, marginals: Sequence[Marginal],
                      key: str = "cohort.correlation") -> np.ndarray:
    """The copula's correlation matrix over ``marginals`` (identity where not given).

    ``node``: None, a list of ``[label_a, label_b, rho]`` pairs, or a full matrix (lists)
    in the order of the continuous labels.

    Raises:
        ConfigError: an unknown or categorical label, |rho| >= 1, a matrix that is not
            symmetric with unit diagonal, or not positive definite.
    """
    labels = [m.label for m in marginals]
    cont = [m.label for m in marginals if m.continuous]
    n = len(marginals)
    r = np.eye(n)
    if node is None or (isinstance(node, list | tuple) and len(node) == 0):
        return r
    require(isinstance(node, list | tuple), key, node,
           "a list of [label_a, label_b, rho] pairs or a matrix")
    if all(isinstance(row, list | tuple) and len(row) == 3 and isinstance(row[0], str)
           for row in node):
        for i, (a, b, rho) in enumerate(node):
            for lab in (a, b):
                require(lab in cont, f"{key}[{i}]", lab,
                       f"a continuous parameter label ({', '.join(cont)})")
            require(a != b, f"{key}[{i}]", [a, b], "two different labels")
            require(_num(rho) and -1 < rho < 1, f"{key}[{i}]", rho, "a number in (-1, 1)")
            ia, ib = labels.index(a), labels.index(b)
            r[ia, ib] = r[ib, ia] = float(rho)
    else:
        m = np.asarray(node, dtype=float) if all(
            isinstance(row, list | tuple) and all(_num(x) for x in row) for row in node) \
            else None
        require(m is not None and m.shape == (len(cont), len(cont)), key, node,
               f"a {len(cont)}x{len(cont)} matrix over {cont}")
        require(np.allclose(m, m.T) and np.allclose(np.diag(m), 1.0), key, node,
               "a symmetric matrix with unit diagonal")
        idx = [labels.index(c) for c in cont]
        r[np.ix_(idx, idx)] = m
    try:
        np.linalg.cholesky(r)
    except np.linalg.LinAlgError:
        raise ConfigError(key, node, "a positive definite correlation matrix (these "
                          "correlations are mutually inconsistent)") from None
    return r


def unit_cube(n: int, d: int, method: str, seed: int) -> np.ndarray:
    """``[n, d]`` points in (0, 1): ``random``, scrambled ``sobol`` or ``lhs``."""
    from scipy.stats import qmc

    rng = np.random.default_rng([int(seed), SAMPLING_STREAM])
    if method == "random":
        u = rng.random((n, d))
    elif method == "sobol":
        m = max(0, math.ceil(math.log2(max(n, 1))))
        u = qmc.Sobol(d, scramble=True, rng=rng).random_base2(m)[:n]
    else:
        u = qmc.LatinHypercube(d, rng=rng).random(n)
    return np.clip(u, _EPS, 1.0 - _EPS)


def sample(marginals: Sequence[Marginal], n: int, seed: int, method: str = "random",
           correlation: np.ndarray | None = None,
           rows: slice | Sequence[int] | None = None) -> dict[str, np.ndarray]:
    """Parameter values ``{config key: [individual]}`` of individuals ``rows`` (default
    all ``n``), identical whatever ``rows`` (the whole cohort is drawn, then sliced)."""
    from scipy import stats

    require(isinstance(n, int) and not isinstance(n, bool) and n > 0, "cohort.n", n,
           "an integer > 0")
    require(method in METHODS, "cohort.sampling", method, f"one of {METHODS}")
    u = unit_cube(n, len(marginals), method, seed)
    if correlation is not None and not np.allclose(correlation, np.eye(len(marginals))):
        z = stats.norm.ppf(u) @ np.linalg.cholesky(correlation).T
        u = np.clip(stats.norm.cdf(z), _EPS, 1.0 - _EPS)
    if rows is not None:
        u = u[rows]
    return {m.key: m.ppf(u[:, j]) for j, m in enumerate(marginals)}


def individual_seed(seed: int, k: int) -> int:
    """Individual k's own run seed (its stochastic scenario), independent of sharding."""
    ss = np.random.SeedSequence([int(seed), SAMPLING_STREAM + 1, int(k)])
    return int(ss.generate_state(1, dtype=np.uint32)[0]) >> 1


def overrides(values: Mapping[str, np.ndarray], k: int) -> list[str]:
    """Individual ``k``'s parameters as ``allonet`` overrides (``key=value``, floats
    written exactly with ``repr``) -- the single run that must reproduce it."""
    return [f"{key}={format_value(v[k])}" for key, v in values.items()]


def format_value(v: Any) -> str:
    """A sampled value as an override's right-hand side: a float exactly (``repr``), a
    name as it is."""
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, str | np.str_):
        return str(v)
    return repr(float(v))


def individual_overrides(values: Mapping[str, np.ndarray], seeds: np.ndarray, j: int,
                         base: Sequence[str] = ()) -> list[str]:
    """The ``allonet`` overrides that rerun individual ``j`` of a block alone: the arm's
    (``base``, :func:`sims.cohort.engine.arm_overrides`, less the keys the individual
    sets), its values (numbers exact with ``repr``; names as they are, a group's option as
    ``group=option``), its seed as a shared seed, and the array backend."""
    own = [o for o in base if override_key(o) not in values]
    return [*own, *(f"{k}={format_value(v[j])}" for k, v in values.items()),
            f"seed={int(seeds[j])}", "seed_mode=shared", "slow.backend=array"]
