"""Calibration: fit parameters to targets with Optuna, trials in an SQLite study.

``allonet -m +calibration=NAME`` runs this driver inside allonet's sweeper (Optuna is used
directly, ask-and-tell, rather than through hydra-optuna-sweeper: that plugin pins
Optuna < 3, cannot refuse a storage that belongs to another calibration, and has no hook
for scoring jobs against synthetic targets). The driver

1. checks the calibration (parameters exist and are numeric in a target's experiment,
   bounds, targets, and run-time keys only when a target reads network probes);
2. opens ``<sweep dir>/calibration.db`` (SQLite; Optuna's RDB storage) and refuses it if
   it belongs to another calibration (its fingerprint: parameters, bounds, targets,
   published values, experiments, synthetic truth and the user's overrides);
3. marks trials left RUNNING by a dead driver of this machine as FAIL;
4. asks Optuna for ``batch_size`` trials at a time, launches them as jobs through the
   configured Hydra launcher (basic, joblib, submitit/Slurm; the jobs never touch the
   database, only the driver does), scores each job's ``measures.json`` and tells Optuna
   the loss (sum of weighted squared z-scores) -- ``n_trials`` trials per command, so
   re-running the same command continues the same study;
5. writes the results (:func:`finalize`).

Several drivers may share one study (e.g. ``allonet -m +calibration=X`` started twice on a
shared folder): SQLite serialises their writes, each asks its own trials.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from sims import figure_hooks, io, owners, provenance, sweep
from sims.calibration.evaluate import (
    check_parameters,
    check_times,
    evaluate,
    experiment_overrides,
    has_key,
    network_allowed,
    result_rows,
    simulation_overrides,
)
from sims.calibration.jobs import driver_config, read_measures
from sims.calibration.spec import CalibrationSpec, fingerprint, parse_calibration
from sims.calibration.targets import TargetResult, TargetSet, loss, needs_network, score, sigma
from sims.config import compose_config
from sims.errors import ConfigError, ResultFileError, UnreadableOutputError
from sims.io import Result, Variable

log = logging.getLogger("allonet.calibration")
STORAGE = "calibration.db"
RESULT = "calibration.h5"


def storage_url(path: str | Path) -> str:
    """SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{Path(path).resolve()}"


def make_sampler(spec: CalibrationSpec, n_done: int) -> Any:
    """Optuna sampler of the spec, seeded from ``calibration.seed`` and ``n_done`` (the
    trial's number: a resumed study does not repeat its first random points)."""
    import optuna

    seed = int(np.random.SeedSequence([spec.seed, n_done]).generate_state(1)[0])
    if spec.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if spec.sampler == "qmc":
        return optuna.samplers.QMCSampler(seed=spec.seed, scramble=True)  # one sequence
    return optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                      n_startup_trials=max(4, 2 * len(spec.parameters)))


#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def storage_problem(path: str | Path) -> str | None:
    """Why ``path`` is not a usable SQLite database (None: it looks like one). SQLite
    would silently start an empty database in a zero-byte file."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or exc})"
    if head == SQLITE_HEADER and path.stat().st_size >= 512:  # one page at least
        return None
    return ("empty file (zero bytes)" if not head else
            "truncated SQLite database" if head == SQLITE_HEADER else
            "not an SQLite database")


def check_storage(path: str | Path, overwrite: bool = False) -> None:
    """Refuse a ``calibration.db`` that is not an SQLite database (empty, truncated to its
    header, another file), and a folder whose ``calibration.h5`` holds the results of a
    study whose database is gone: a new study there would replace that history. With
    ``overwrite`` (``output.overwrite=true``) a damaged database is removed and a new
    study starts.

    Raises:
        UnreadableOutputError: a damaged database, not ``overwrite``.
        ConfigError: results without their database, not ``overwrite``.
    """

    path = Path(path)
    result = path.with_name(RESULT)
    if path.exists():
        reason = storage_problem(path)
        if reason is None:
            return
        if not overwrite:
            raise UnreadableOutputError(path, f"{reason}; the calibration's trials live "
                                        "there")
        log.warning("removing %s (%s): output.overwrite=true", path, reason)
        path.unlink()
    if result.exists() and not overwrite:
        raise ConfigError("output.overwrite", False, f"true to start a new study over "
                          f"{result}: it holds the results of a calibration whose database "
                          f"({path.name}) is missing; restore the database to continue it, "
                          "or run into another hydra.sweep.dir")


def open_study(path: str | Path, spec: CalibrationSpec, base: Sequence[str],
               create: bool = True) -> Any:
    """The study of ``spec`` in the SQLite file ``path`` (created if absent).

    Raises:
        ConfigError: the storage holds a study of another calibration.
        ResultFileError: the storage is damaged (SQLite cannot read it).
    """
    from filelock import FileLock

    # drivers started together must not both create the database's schema
    with FileLock(f"{path}.lock", timeout=120), storage_errors(path):
        return _open_study(path, spec, base, create)


@contextlib.contextmanager
def storage_errors(path: str | Path) -> Iterator[None]:
    """Turn what SQLAlchemy, sqlite3 or Optuna raise on a damaged ``calibration.db`` into
    :class:`~sims.errors.ResultFileError` naming the file (exit 2, no traceback); allonet's
    own errors and anything else pass through."""

    try:
        yield
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - classified by the raising library below
        if type(exc).__module__.split(".")[0] not in ("sqlalchemy", "optuna", "sqlite3"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ResultFileError(path, f"damaged calibration database ({first}); restore it "
                              "from a copy, or move it away to start a new study") from None


def _open_study(path: str | Path, spec: CalibrationSpec, base: Sequence[str],
                create: bool) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    fp = fingerprint(spec.identity(base))
    storage = optuna.storages.RDBStorage(storage_url(path),
                                         engine_kwargs={"connect_args": {"timeout": 60}})
    names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
    if names and spec.name not in names:
        raise ConfigError("calibration.name", spec.name, f"the study in {path} ({names}); "
                          "use another hydra.sweep.dir for another calibration")
    if not create and spec.name not in names:
        raise ConfigError("uncertainty.calibration", str(path), "a calibration folder "
                          "whose calibration.db holds a study")
    study = optuna.create_study(study_name=spec.name, storage=storage, direction="minimize",
                                load_if_exists=True,
                                sampler=make_sampler(spec, 0))
    theirs = study.user_attrs.get("fingerprint")
    if theirs is None:
        study.set_user_attr("fingerprint", fp)
        study.set_user_attr("identity", json.dumps(spec.identity(base), default=str))
        study.set_user_attr("parameters", [p.name for p in spec.parameters])
        study.set_user_attr("accept_delta_loss", spec.accept_delta_loss)
    elif theirs != fp:
        raise ConfigError("calibration", spec.name, f"the calibration stored in {path} "
                          f"(fingerprint {theirs}, this one {fp}: different parameters, "
                          "bounds, targets or overrides); refusing to mix them -- use "
                          "another hydra.sweep.dir")
    n_done = sum(t.state.is_finished() for t in study.get_trials(deepcopy=False))
    study.sampler = make_sampler(spec, n_done)
    return study


def fail_stale_trials(study: Any) -> int:
    """Mark RUNNING trials whose driver (this machine, by pid) is gone as FAIL."""
    import optuna

    n = 0
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        host, pid = t.user_attrs.get("host"), t.user_attrs.get("pid")
        if host == owners.host_tag() and isinstance(pid, int) and not owners.alive_here(pid):
            study._storage.set_trial_state_values(t._trial_id, optuna.trial.TrialState.FAIL)
            n += 1
    return n


def synthetic_targets(spec: CalibrationSpec, base: Sequence[str]) -> TargetSet:
    """The targets with published values replaced by the model's own at
    ``synthetic_truth`` (spread: the target's sigma, or for a range its half width or
    scale): an identifiability check fits these."""
    res = evaluate(spec.targets, base, spec.synthetic_truth, allow_network=True)
    items = {}
    for r in res:
        if not math.isfinite(r.value):
            raise ConfigError(f"calibration.targets ({r.target.name})", r.value,
                              f"a target computable at the synthetic truth ({r.reason})")
        pub = r.target.published
        if "range" in pub:
            lo, hi = pub["range"]
            s = float(pub.get("scale", (hi - lo) / 2 if lo is not None and hi is not None
                                   else 0.25 * abs(lo if lo is not None else hi)))
        else:
            s = sigma(pub)
        items[r.target.name] = replace(r.target, published={
            "value": r.value, "sigma": s, "unit": r.target.unit,
            "note": "synthetic: the model at calibration.synthetic_truth"},
            tolerance_z=2.0)
    return TargetSet(spec.targets.name, spec.targets.experiments, items)


def score_values(targets: TargetSet, values: Mapping[str, float],
                 status: Mapping[str, str] | None = None) -> tuple[float, list[TargetResult]]:
    """Loss and per-target results of one job's statistic values."""
    results = []
    for name, t in targets.items.items():
        v = float(values.get(name, float("nan")))
        if status and status.get(name) == "skipped":
            results.append(TargetResult(t, reason="skipped"))
        else:
            results.append(score(t, v))
    return loss(results), results


def current_values(spec: CalibrationSpec, base: Sequence[str]) -> dict[str, float]:
    """The parameters' values in the configured model (from the first experiment that has
    each key); empty if one is missing or outside its bounds."""
    from omegaconf import OmegaConf

    out = {}
    for p in spec.parameters:
        for e in spec.targets.experiments.values():
            cfg = compose_config(experiment_overrides(base, e.overrides))
            if has_key(cfg, p.name):
                out[p.name] = float(OmegaConf.select(cfg, p.name))
                break
        if p.name not in out or not p.low <= out[p.name] <= p.high:
            return {}
    return out


def _point(spec: CalibrationSpec, params: Mapping[str, float]) -> str:
    return "[" + ",".join(repr(float(params[p.name])) for p in spec.parameters) + "]"


def _update_total(sweep_dir: Path, add: int) -> None:
    p = sweep_dir / sweep.SWEEP_STATUS
    try:
        info = json.loads(p.read_text())
    except (OSError, ValueError):
        info = {"started": time.time()}
    info["total"] = add  # this command's jobs (the callback counted one)
    sweep.write_json(p, info)


def check(spec: CalibrationSpec, base: Sequence[str]) -> None:
    """Everything that can be wrong before a trial runs (see module doc)."""

    check_parameters({p.label: p for p in spec.parameters}, spec.targets, base,
                     "calibration.parameters")
    check_times(spec.targets, base)
    net = [t.name for t in spec.targets.items.values() if needs_network(t)]
    if net and not network_allowed(base):
        raise ConfigError("calibration.targets", net, "targets computable without the "
                          "network: these read probes and the config sets coupling.fast="
                          "false")


def drive(sweeper: Any, arguments: Sequence[str]) -> list[Any]:
    """Run ``n_trials`` trials of the calibration in ``sweeper.config`` (see module doc)."""
    import optuna

    cfg = sweeper.config
    c = driver_config(cfg)
    spec = parse_calibration(c)
    base = simulation_overrides(arguments)
    check(spec, base)
    sweep_dir = Path(cfg.hydra.sweep.dir)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    check_storage(sweep_dir / STORAGE, bool((c.get("output") or {}).get("overwrite")))
    study = open_study(sweep_dir / STORAGE, spec, base)
    stale = fail_stale_trials(study)
    if stale:
        log.warning("marked %d trial(s) of a killed calibration as FAIL", stale)
    targets = synthetic_targets(spec, base) if spec.synthetic_truth else spec.targets
    start = {} if spec.synthetic_truth else current_values(spec, base)
    if start:  # the model as configured is the first trial: a fit can only improve it
        from filelock import FileLock

        with FileLock(f"{sweep_dir / STORAGE}.lock", timeout=120):
            if not study.get_trials(deepcopy=False):
                study.enqueue_trial(start)
    done0 = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
    log.info("calibration %s: %d complete trials in %s; running %d more", spec.name, done0,
             sweep_dir / STORAGE, spec.n_trials)
    _update_total(sweep_dir, spec.n_trials)
    returns: list[Any] = []
    remaining = spec.n_trials
    while remaining > 0:
        trials = []
        for _ in range(min(spec.batch_size, remaining)):
            t = study.ask()
            # seeded by the trial's number: the same command gives the same trials, and
            # drivers sharing one study never draw the same point for two trials
            study.sampler = make_sampler(spec, t.number)
            t.set_user_attr("host", owners.host_tag())
            t.set_user_attr("pid", os.getpid())
            params = {p.name: t.suggest_float(p.name, p.low, p.high, log=p.log)
                      for p in spec.parameters}
            trials.append((t, params))
        batch = [[*arguments, f"calibration.trial={t.number}",
                  f"calibration.point={_point(spec, params)}"] for t, params in trials]
        sweeper.validate_batch_is_legal(batch)
        rets = sweeper.launcher.launch(batch, initial_job_idx=trials[0][0].number)
        returns.extend(rets)
        for (t, params), r in zip(trials, rets, strict=True):
            data = r.return_value if isinstance(getattr(r, "_return_value", None), dict) \
                else None
            if data is None:
                data = read_measures(Path(r.hydra_cfg.hydra.runtime.output_dir))
            if not isinstance(data, dict) or "values" not in data:
                study.tell(t, state=optuna.trial.TrialState.FAIL)
                log.error("trial %d failed (see its job folder)", t.number)
                continue
            value, results = score_values(targets, data["values"], data.get("status"))
            t.set_user_attr("values", {k: float(v) for k, v in data["values"].items()})
            t.set_user_attr("status", {k: str(v) for k, v in (data.get("status") or {}).items()})
            study.tell(t, value if math.isfinite(value) else 1e12)
            log.info("trial %d: loss %.4g  %s", t.number, value,
                     " ".join(f"{k}={v:.4g}" for k, v in params.items()))
        remaining -= len(trials)
    finalize(study, spec, targets, sweep_dir, base, c)
    return returns


# --------------------------------------------------------------------------- results
def complete_trials(study: Any) -> list[Any]:
    """The study's complete trials, by trial number."""
    import optuna

    return sorted(study.get_trials(deepcopy=False,
                                   states=(optuna.trial.TrialState.COMPLETE,)),
                  key=lambda t: t.number)


def accepted_trials(study: Any, delta_loss: float, max_sets: int | None = None) -> list[Any]:
    """Complete trials with loss <= best + ``delta_loss`` (best first)."""
    trials = sorted(complete_trials(study), key=lambda t: t.value)
    if not trials:
        return []
    best = trials[0].value
    out = [t for t in trials if t.value <= best + delta_loss]
    return out[:max_sets] if max_sets else out


def failures(targets: TargetSet, trial: Any) -> int:
    """How many targets a trial fails (a skipped target is not a failure)."""
    _, results = score_values(targets, trial.user_attrs.get("values", {}),
                              trial.user_attrs.get("status"))
    return sum(r.status == "fail" for r in results)


def best_passing(trials: Sequence[Any], n_fail: Sequence[int], delta_loss: float) -> Any | None:
    """The lowest-loss accepted trial (loss <= best + ``delta_loss``) with no failed target
    (``n_fail`` per trial, from :func:`failures`), or None. Where the loss cannot tell sets
    apart, this is the set that reproduces every pattern at once (pattern-oriented
    modelling, Grimm et al. 2005 Science 310:987)."""
    if not trials:
        return None
    best = min(t.value for t in trials)
    ok = [t for t, n in zip(trials, n_fail, strict=True)
          if n == 0 and t.value <= best + delta_loss]
    return min(ok, key=lambda t: t.value, default=None)


def conditions(spec: CalibrationSpec, base: Sequence[str]) -> dict[str, dict[str, list]]:
    """For each parameter under ``scenario.`` or ``treatment.``: the scenario or treatment
    names of the experiments that have the key (where the calibrated value applies)."""

    out: dict[str, dict[str, list]] = {}
    for p in spec.parameters:
        group = p.name.split(".")[0]
        if group not in ("scenario", "treatment"):
            continue
        names = set()
        for e in spec.targets.experiments.values():
            cfg = compose_config(experiment_overrides(base, e.overrides))
            if has_key(cfg, p.name):
                names.add(str(cfg[group]["name"]))
        out[p.name] = {f"{group}.name": sorted(names)}
    return out


def calibrated_yaml(spec: CalibrationSpec, best: Any, provenance: Mapping[str, Any],
                    when: Mapping[str, Mapping[str, list]]) -> str:
    """The best parameters as a config file (``+calibrated=NAME``; sims.calibration.
    calibrated applies them)."""
    import yaml

    head = ["# @package _global_",
            f"# Calibrated parameters of `allonet -m +calibration={spec.name}`:",
            f"# best of {provenance['n_complete']} complete trials (trial {best.number}, "
            f"loss {best.value:.6g} over {len(spec.targets.items)} targets: "
            f"{', '.join(spec.targets.items)}).",
            f"# study {provenance['storage']} (fingerprint {provenance['fingerprint']}),",
            f"# written {provenance['written']}, allonet commit {provenance['git_commit']}.",
            f"# Pass back with: allonet +calibrated={spec.name}. A value with 'when' applies "
            "only under that scenario or treatment."]
    params = {}
    for p in spec.parameters:
        entry: dict[str, Any] = {"value": float(best.params[p.name])}
        if p.name in when:
            entry["when"] = {k: list(v) for k, v in when[p.name].items()}
        entry["bounds"] = [p.low, p.high]
        entry["source"] = f"calibration {spec.name}, trial {best.number}"
        params[p.name] = entry
    study = {"storage": str(provenance["storage"]), "fingerprint": provenance["fingerprint"],
             "trial": int(best.number), "n_complete": int(provenance["n_complete"]),
             "written": provenance["written"]}
    body = yaml.safe_dump({"calibrated": {"name": spec.name, "loss": float(best.value),
                                          "study": study, "parameters": params}},
                          sort_keys=False)
    return "\n".join(head) + "\n" + body


def exported_study(path: str | Path) -> dict[str, Any] | None:
    """The ``calibrated.study`` entry (storage, fingerprint, trial, ...) of an exported
    file, or None (absent, unreadable, or written before files named their study)."""
    import yaml

    try:
        node = (yaml.safe_load(Path(path).read_text()) or {}).get("calibrated") or {}
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        return None
    study = node.get("study") if isinstance(node, Mapping) else None
    return dict(study) if isinstance(study, Mapping) else None


def export_calibrated(export: Path, name: str, text: str, prov: Mapping[str, Any],
                      overwrite: bool = False) -> Path:
    """Write the best parameters as ``<export>/<name>.yaml`` (``+calibrated=NAME``).

    The file names its study (storage path and fingerprint). It is replaced only by the
    same study (a resumed calibration) or with ``overwrite``; a calibration of the same
    name in another folder is exported as ``<name>-<id>.yaml`` instead (``id``: 8 hex of
    its storage and fingerprint), with a warning, so ``+calibrated=NAME`` never silently
    passes the values of a different fit.
    """
    import hashlib

    export.mkdir(parents=True, exist_ok=True)
    target = export / f"{name}.yaml"
    mine = (str(prov["storage"]), str(prov["fingerprint"]))
    if target.exists() and not overwrite:
        theirs = exported_study(target)
        if theirs is None or (str(theirs.get("storage")),
                              str(theirs.get("fingerprint"))) != mine:
            tag = hashlib.sha256("|".join(mine).encode()).hexdigest()[:8]
            versioned = export / f"{name}-{tag}.yaml"
            owner = ("an unrecorded study" if theirs is None else
                     f"the study {theirs.get('storage')} (fingerprint "
                     f"{theirs.get('fingerprint')})")
            log.warning("%s belongs to %s: kept; this fit is exported as %s (pass it with "
                        "+calibrated=%s-%s, or replace %s with output.overwrite=true)",
                        target, owner, versioned, name, tag, target.name)
            target = versioned
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, target)
    return target


def finalize(study: Any, spec: CalibrationSpec, targets: TargetSet, out: Path,
             base: Sequence[str], c: Mapping[str, Any]) -> dict[str, Path]:
    """Write ``calibration.h5`` (trials, best target table, provenance), ``history.csv``,
    ``topk.csv``, ``best.yaml`` (and its copy ``<export_dir>/calibrated/<name>.yaml``)
    and the figures."""
    import pandas as pd

    trials = complete_trials(study)
    if not trials:
        log.error("calibration %s has no complete trial", spec.name)
        return {}
    names = [p.name for p in spec.parameters]
    loss_v = np.array([t.value for t in trials])
    n_fail = np.array([failures(targets, t) for t in trials])
    hist = pd.DataFrame({"trial": [t.number for t in trials], "loss": loss_v,
                         "best_so_far": np.minimum.accumulate(loss_v), "n_fail": n_fail,
                         **{n: [t.params[n] for t in trials] for n in names}})
    best = min(trials, key=lambda t: t.value)
    passing = best_passing(trials, n_fail, spec.accept_delta_loss)
    _, best_results = score_values(targets, best.user_attrs.get("values", {}))
    order = np.argsort(loss_v, kind="stable")[:spec.top_k]
    top = hist.iloc[order].reset_index(drop=True)
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    prov = {"n_complete": len(trials), "storage": str((out / STORAGE).resolve()),
            "fingerprint": fingerprint(spec.identity(base)), "written": provenance.now_iso(),
            "git_commit": provenance.git_commit()}
    paths = {"history": out / "history.csv", "topk": out / "topk.csv",
             "best": out / "best.yaml", "result": out / RESULT}
    hist.to_csv(paths["history"], index=False)
    top.to_csv(paths["topk"], index=False)
    text = calibrated_yaml(spec, best, prov, conditions(spec, base))
    paths["best"].write_text(text)
    export = Path(str(c["calibration"].get("export_dir", "outputs/configs"))) / "calibrated"
    paths["export"] = export_calibrated(export, spec.name, text, prov,
                                        bool((c.get("output") or {}).get("overwrite")))

    rows = result_rows(best_results)
    pd.DataFrame(rows).to_csv(out / "best_targets.csv", index=False)
    res = Result(attrs={**provenance.versions(), **prov, "kind": "calibration",
                        "name": spec.name, "best_trial": int(best.number),
                        "best_loss": float(best.value),
                        "best_params_json": json.dumps(best.params),
                        "best_passing_trial": -1 if passing is None else int(passing.number),
                        "identity_json": json.dumps(spec.identity(base), default=str),
                        "complete": True})
    res.groups["trials"] = {
        "trial": Variable(hist["trial"].to_numpy(), ("trial",), "1", "Optuna trial number"),
        "loss": Variable(loss_v, ("trial",), "1", "sum of weighted squared z-scores"),
        "best_so_far": Variable(hist["best_so_far"].to_numpy(), ("trial",), "1",
                                "lowest loss up to this trial"),
        "parameter": Variable(np.array(names), ("parameter",), "", "calibrated config keys"),
        "params": Variable(hist[names].to_numpy(float), ("trial", "parameter"), "",
                           "parameter values (units of each config key)"),
        "low": Variable(np.array([p.low for p in spec.parameters]), ("parameter",), "",
                        "lower bounds"),
        "high": Variable(np.array([p.high for p in spec.parameters]), ("parameter",), "",
                         "upper bounds"),
        "log": Variable(np.array([int(p.log) for p in spec.parameters]), ("parameter",), "1",
                        "searched on a log scale"),
    }
    res.groups["best_targets"] = _target_table(best_results)
    io.write_result(paths["result"], res)
    paths.update(figure_hooks.draw("calibration", paths["result"], out) or {})
    log.info("calibration %s: best loss %.4g (trial %d) %s; wrote %s", spec.name, best.value,
             best.number, json.dumps(best.params), out)
    for r in rows:
        log.info("  %-38s %10.4g  published %-18s z %6.2f  %s", r["target"], r["value"],
                 r["published"], r["z"], r["status"])
    print(f"calibration {spec.name}: {len(trials)} complete trials, best loss "
          f"{best.value:.4g} (trial {best.number}); pass back with "
          f"+calibrated={paths['export'].stem} "
          f"({paths['export']}); "
          + ("no accepted set meets every target" if passing is None else
             f"lowest-loss accepted set meeting every target: trial {passing.number}, loss "
             f"{passing.value:.4g} {json.dumps(passing.params)}"), flush=True)
    if spec.synthetic_truth:
        paths["identifiability"] = identifiability_report(study, spec, out)
    return paths


def identifiability_report(study: Any, spec: CalibrationSpec, out: Path) -> Path:
    """Known vs recovered parameters of a synthetic-truth calibration: the best trial's
    value, its relative error, and the range of the accepted sets (loss <= best +
    ``accept_delta_loss``) and whether it holds the truth. ``identifiability.csv``."""
    import pandas as pd

    best = study.best_trial
    acc = accepted_trials(study, spec.accept_delta_loss)
    rows = []
    for p in spec.parameters:
        true = spec.synthetic_truth.get(p.name, float("nan"))
        got = float(best.params[p.name])
        vals = [t.params[p.name] for t in acc]
        rows.append({"parameter": p.name, "true": true, "recovered": got,
                     "rel_error": (got - true) / true if true else float("nan"),
                     "accepted_low": min(vals), "accepted_high": max(vals),
                     "n_accepted": len(acc),
                     "truth_in_accepted_range": bool(min(vals) <= true <= max(vals))})
    path = out / "identifiability.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    for r in rows:
        print(f"identifiability {r['parameter']}: true {r['true']:.4g}, recovered "
              f"{r['recovered']:.4g} ({100 * r['rel_error']:+.1f} %), accepted "
              f"[{r['accepted_low']:.4g}, {r['accepted_high']:.4g}] of {r['n_accepted']} "
              "sets", flush=True)
    return path


def _target_table(results: Sequence[TargetResult]) -> dict[str, Any]:
    """A target table as HDF5 variables (one row per target)."""

    rows = result_rows(results)
    lo, hi, val, sig = [], [], [], []
    for r in results:
        pub = r.target.published
        if "range" in pub:
            a, b = pub["range"]
            lo.append(np.nan if a is None else a)
            hi.append(np.nan if b is None else b)
            val.append(np.nan)
            sig.append(np.nan)
        else:
            lo.append(np.nan)
            hi.append(np.nan)
            val.append(float(pub["value"]))
            sig.append(sigma(pub))
    nan_ok = "NaN where the target is a range (value, sigma) or a value (low, high)"
    return {
        "target": Variable(np.array([r["target"] for r in rows]), ("target",), "", "target"),
        "role": Variable(np.array([r["role"] for r in rows]), ("target",), "",
                         "calibration (may inform parameters), validation (held out) or "
                         "mechanism (a default scenario's mechanism must act)"),
        "source": Variable(np.array([r["source"] for r in rows]), ("target",), "", "source"),
        "unit": Variable(np.array([r["unit"] for r in rows]), ("target",), "", "unit"),
        "status": Variable(np.array([r["status"] for r in rows]), ("target",), "", "status"),
        "simulated": Variable(np.array([r["value"] for r in rows], float), ("target",), "",
                              "simulated statistic", "NaN when skipped"),
        "z": Variable(np.array([r["z"] for r in rows], float), ("target",), "1", "z-score",
                      "NaN when skipped; inf when the statistic failed"),
        "published_value": Variable(np.array(val), ("target",), "", "published value", nan_ok),
        "published_sigma": Variable(np.array(sig), ("target",), "", "its spread", nan_ok),
        "published_low": Variable(np.array(lo), ("target",), "", "range low", nan_ok),
        "published_high": Variable(np.array(hi), ("target",), "", "range high", nan_ok),
    }
