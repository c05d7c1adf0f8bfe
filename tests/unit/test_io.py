"""HDF5 result file: exact round trip, atomic write, xarray view."""

from __future__ import annotations

import numpy as np
import pytest

from sims.io import Result, Variable, is_complete, read_result, write_result


def _sample() -> Result:
    rng = np.random.default_rng(0)
    return Result(
        attrs={"schema_version": "1.0", "complete": True, "seed": 7, "wall_time_s": 1.5,
               "config_yaml": "a: 1\n"},
        groups={
            "probes": {
                "time": Variable(np.array([0.0, 3600.0]), ("time",), "s", "probe time"),
                "population": Variable(np.array(["E", "PV", "SST"]), ("population",)),
                "rate": Variable(rng.random((2, 3)), ("time", "population"), "Hz", "rate"),
                "gamma_power": Variable(rng.random(2), ("time",), "A^2"),
            },
            "spikes/probe_0/E": {"i": Variable(np.array([0, 3, 1], dtype=np.int32), ("spike",)),
                                 "t": Variable(np.array([0.1, 0.2, 0.3]), ("spike",), "s")},
        })


def test_round_trip_is_exact(tmp_path):
    res = _sample()
    p = write_result(tmp_path / "result.h5", res)
    back = read_result(p)
    assert back.attrs == res.attrs
    assert set(back.groups) == set(res.groups)
    for g, variables in res.groups.items():
        assert set(back.groups[g]) == set(variables)
        for name, v in variables.items():
            w = back.groups[g][name]
            np.testing.assert_array_equal(w.data, v.data)
            assert w.data.dtype.kind == np.asarray(v.data).dtype.kind
            assert (w.dims, w.units, w.description) == (v.dims, v.units, v.description)


def test_failed_write_leaves_existing_file_intact(tmp_path):
    p = write_result(tmp_path / "result.h5", _sample())
    bad = _sample()
    bad.groups["probes"]["broken"] = Variable(np.array([object()]), ("x",))
    with pytest.raises(TypeError):
        write_result(p, bad)
    assert is_complete(p)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["result.h5"]  # no temp left over


def test_incomplete_and_corrupt_files_are_not_complete(tmp_path):
    res = _sample()
    res.attrs["complete"] = False
    assert not is_complete(write_result(tmp_path / "a.h5", res))
    (tmp_path / "b.h5").write_bytes(b"not hdf5")
    assert not is_complete(tmp_path / "b.h5")


def test_xarray_reads_probes_with_dimension_scales(tmp_path):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    p = write_result(tmp_path / "result.h5", _sample())
    ds = xr.open_dataset(p, group="probes", engine="h5netcdf")
    assert ds["rate"].dims == ("time", "population")
    assert ds["rate"].attrs["units"] == "Hz"
    np.testing.assert_array_equal(ds["time"].values, [0.0, 3600.0])
    assert list(ds["population"].values) == ["E", "PV", "SST"]
