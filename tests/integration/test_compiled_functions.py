"""The hand-written C++ of the fast path against exact references, in cpp_standalone."""

from __future__ import annotations

import math

import brian2 as b2
import numpy as np

from sims.fast.network import LINEAR_SEARCH_MAX, binomial_cdf, binomial_counts
from sims.fast.receptors import MG_BLOCK


def test_compiled_mg_block_and_binomial_counts_match_exact_references(tmp_path):
    b2.set_device("cpp_standalone", build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.seed(7)
    n_v = 201
    volt = b2.NeuronGroup(n_v, "v : volt\nmg = mg_block_fn(v, 1/3.57) : 1",
                          namespace={"mg_block_fn": MG_BLOCK}, name="volt")
    volt.v = "-100*mV + 160*mV*i/(N-1)"
    mon_v = b2.StateMonitor(volt, "mg", record=True, when="end")
    n_draw = 20000
    count = binomial_counts(1000, 3.25e-3, "count_fn")
    draws = b2.NeuronGroup(n_draw, "k : 1", namespace={"count_fn": count}, name="draws")
    draws.run_regularly("k = count_fn()", dt=b2.defaultclock.dt)
    mon_k = b2.StateMonitor(draws, "k", record=True, when="end")
    # a long table (> LINEAR_SEARCH_MAX entries): the binary-search branch
    big = binomial_counts(20000, 0.05, "big_fn")
    assert len(binomial_cdf(20000, 0.05)[1]) > LINEAR_SEARCH_MAX
    draws_big = b2.NeuronGroup(n_draw, "k : 1", namespace={"big_fn": big}, name="draws_big")
    draws_big.run_regularly("k = big_fn()", dt=b2.defaultclock.dt)
    mon_big = b2.StateMonitor(draws_big, "k", record=True, when="end")
    net = b2.Network(volt, mon_v, draws, mon_k, draws_big, mon_big)
    net.run(b2.defaultclock.dt, namespace={})
    b2.device.build(directory=str(tmp_path / "proj"), compile=True, run=True, with_output=False)
    v = np.linspace(-0.1, 0.06, n_v)
    exact = 1.0 / (1.0 + np.exp(-62.0 * v) / 3.57)
    np.testing.assert_allclose(mon_v.mg[:, 0], exact, rtol=1e-8)
    k = np.asarray(mon_k.k[:, 0], dtype=int)
    # binomial(1000, 3.25e-3): compare the histogram with the exact pmf (chi-square)
    ks = np.arange(0, 10)
    pmf = np.array([math.comb(1000, j) * 3.25e-3**j * (1 - 3.25e-3) ** (1000 - j) for j in ks])
    observed = np.array([(k == j).sum() for j in ks])
    expected = pmf * n_draw
    chi2 = ((observed - expected) ** 2 / expected)[expected > 5].sum()
    assert chi2 < 25.0  # ~8 degrees of freedom; p ~ 0.002 threshold
    assert abs(k.mean() - 3.25) < 4 * math.sqrt(3.25 / n_draw)
    # binomial(20000, 0.05): mean 1000, sd 30.8; histogram in sd-wide bins against the cdf
    kb = np.asarray(mon_big.k[:, 0], dtype=int)
    sd = math.sqrt(20000 * 0.05 * 0.95)
    assert abs(kb.mean() - 1000) < 4 * sd / math.sqrt(n_draw)
    assert abs(kb.std() / sd - 1) < 0.05
    k0, cdf = binomial_cdf(20000, 0.05)
    edges = np.round(1000 + sd * np.arange(-3, 4)).astype(int)  # counts k < edge
    observed = np.diff([(kb < e).sum() for e in edges])
    expected = np.diff(cdf[edges - 1 - k0]) * n_draw
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert chi2 < 20.0  # 5 degrees of freedom; p ~ 0.001 threshold
