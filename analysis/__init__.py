"""allonet analysis: load results into xarray/pandas, collect sweeps, make figures."""
