"""The ``allonet`` Hydra app: compose the config and call :func:`sims.simulate.run_job`.

Exit codes (one scheme for every layer, ``sims.errors``): 0 success, 1 internal error
(with a traceback), 2 bad input (Hydra composition and override syntax included, with a
message and no traceback), 3 runaway or non-finite activity (with the probe's time,
steroid levels and rates). In a multirun (``-m``) a failing job is recorded in its
``job_status.json`` instead of raising, so the other jobs go on; the sweep callback
(``sims.sweep.SweepSummary``) then prints the failures and exits with their shared code.
"""

from __future__ import annotations

import logging
import sys
import time

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sims import figure_hooks
from sims.config import register_configs, register_resolvers
from sims.constants import CONFIG_DIR
from sims.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, exit_code, report, run_and_report

register_configs()
register_resolvers()
log = logging.getLogger("allonet")

#: The figures allonet's commands draw after an analysis writes its result: the engines
#: call sims.figure_hooks.draw and never import analysis/ themselves.
COMMAND_DRAWERS = {
    "check": "analysis.calibration_figures:check_figure",
    "calibration": "analysis.calibration_figures:calibration_figures",
    "uncertainty": "analysis.calibration_figures:uncertainty_figure",
    "sensitivity": "analysis.calibration_figures:sensitivity_figures",
}
for _kind, _drawer in COMMAND_DRAWERS.items():
    figure_hooks.register(_kind, _drawer)


def _use_allonet_exit_codes() -> None:
    """Route Hydra's top-level error handling through :func:`run_and_report`."""
    import hydra._internal.hydra as hydra_core
    import hydra._internal.utils as hydra_utils

    hydra_utils.run_and_report = run_and_report
    hydra_core.run_and_report = run_and_report


def _analysis(c: dict, multirun: bool) -> str | None:
    """The analysis a job belongs to; an analysis needs ``-m`` (its driver is the sweeper).

    Raises:
        ConfigError: an analysis config without ``-m``.
    """
    from sims.calibration.jobs import analysis_kind
    from sims.errors import ConfigError

    kind = analysis_kind(c)
    if kind is not None and not multirun:
        raise ConfigError(kind, c[kind].get("name"), f"a multirun: allonet -m +{kind}="
                          f"{c[kind].get('name')} (the {kind} launches its jobs itself)")
    return kind


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def _app(cfg: DictConfig) -> str:
    """Run one simulation (or skip it if complete) into the Hydra job folder."""
    from sims import sweep
    from sims.config import validate

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    overrides = list(hc.overrides.task)
    out_dir = hc.runtime.output_dir
    num = hc.job.get("num") if multirun else None
    t0 = time.perf_counter()
    try:
        c = validate(cfg)  # bad input fails here, before Brian2 is even imported (~1 s)
        if c.get("calibrated"):  # say which fit the values come from
            from sims.configuration.calibrated import describe

            log.info("%s", describe(c))
        analysis = _analysis(c, multirun)
        if analysis in ("calibration", "sensitivity"):  # a trial or a sample: statistics
            from sims.calibration.jobs import run_measure_job

            data = run_measure_job(c, out_dir, overrides)
            sweep.record_job(out_dir, num, overrides, "ran", time.perf_counter() - t0)
            log.info("%s", sweep.progress_line(hc.sweep.dir))
            return data
        if c.get("study"):  # a virtual study: its cohort(s), measurements, statistics
            from sims.study.engine import run_study_job

            status = run_study_job(c, out_dir, overrides)
        elif c.get("cohort"):  # a virtual cohort (or one shard of it): cohort.h5
            from sims.cohort.engine import run_cohort_job

            status = run_cohort_job(c, out_dir, overrides)
        else:
            from sims.simulate import run_job

            status = run_job(c, out_dir, overrides)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, see below
        code = exit_code(exc)
        msg = f"{type(exc).__name__}: {exc}"
        if multirun:
            sweep.record_job(out_dir, num, overrides, "failed", time.perf_counter() - t0, msg,
                             code)
            log.error("job %s failed: %s", num, msg)
            log.info("%s", sweep.progress_line(hc.sweep.dir))
            return "failed"
        if code == EXIT_BAD_INPUT:
            report(exc, code)  # a message on stderr: nothing ran
        elif code == EXIT_INTERNAL:
            log.exception("internal error: %s", msg)  # with the traceback, also in the log
        else:
            log.error("%s", msg)  # the failed run's report (time, levels, rates)
        sys.exit(code)
    if multirun:
        sweep.record_job(out_dir, num, overrides, status, time.perf_counter() - t0)
        log.info("%s", sweep.progress_line(hc.sweep.dir))
    return status


def main() -> None:
    """The ``allonet`` command (and ``python -m sims``)."""
    _use_allonet_exit_codes()
    from sims.slow.treatments import check_selection_overrides

    run_and_report(lambda: check_selection_overrides(sys.argv[1:]))  # before Hydra composes
    try:
        _app()
    except KeyboardInterrupt:
        print("allonet: interrupted", file=sys.stderr)
        sys.exit(130)


__all__ = ["main", "run_and_report", "EXIT_BAD_INPUT"]
