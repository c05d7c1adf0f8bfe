"""Targets, calibration, sensitivity and uncertainty: the model against published data.

* :mod:`sims.calibration.statistics` -- what a published number measures, on a time course;
* :mod:`sims.calibration.targets` -- target specs, z-scores and the loss;
* :mod:`sims.calibration.evaluate` -- runs the experiments targets need and scores them;
* :mod:`sims.calibration.check` -- the ``allonet-check`` command;
* :mod:`sims.calibration.optimize` -- Optuna calibrations in an SQLite study;
* :mod:`sims.calibration.sensitivity` -- SALib Morris and Sobol analyses;
* :mod:`sims.calibration.uncertainty` -- accepted parameter sets run as bands.
"""
