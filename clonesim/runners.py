"""One patient, or many: seeds are spawned here and nowhere else.

Every patient gets its own ``numpy.random.Generator`` from a child of one
``SeedSequence``: patient ``k`` of ``simulate_many(cfg, n, seed=s)`` is
``SeedSequence(s, spawn_key=(k,))``, so it can be rerun alone and the results
do not depend on how many workers ran them.
"""

from __future__ import annotations

import os
import weakref
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from .config import Config, ConfigError, spec_for, vary_distribution
from .engine import K, EngineState, RecordsTooLarge
from .course import Course
from .model import ModelArrays, build_model
from .outcomes import CLOSING_EVENT, EventKind, Outcome
from .policies import policy_for
from .results import Cohort, Event, LineOutcome, Result, ResultSet

__all__ = ["simulate", "simulate_many", "simulate_cohort", "patient_config", "seed_sequence",
           "workers_for"]

#: Redraws of a tumour that died out before detection, before giving up.
MAX_REDRAWS = 100_000

#: The most patients :func:`simulate_many` keeps (each with its trajectory:
#: some 100 kB for the shipped scenarios, so about 5 GB at this many).
MAX_PATIENTS = 50_000


def seed_sequence(seed: Any) -> tuple[np.random.SeedSequence, Any]:
    """Turn a user's seed into a SeedSequence and the value that reruns it.

    ``None`` draws fresh entropy and records it, so an unseeded run can be
    repeated; an ``(entropy, k)`` pair names patient ``k`` of a cohort.
    """
    if seed is None:
        ss = np.random.SeedSequence()
        return ss, ss.entropy
    if isinstance(seed, np.random.SeedSequence):
        return seed, (seed.entropy, *seed.spawn_key) if seed.spawn_key else seed.entropy
    if isinstance(seed, (tuple, list)) and seed and all(
            isinstance(x, (int, np.integer)) and not isinstance(x, bool) and x >= 0 for x in seed):
        entropy, *key = seed
        return np.random.SeedSequence(int(entropy), spawn_key=tuple(int(k) for k in key)), \
            (int(entropy), *(int(k) for k in key))
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed)), int(seed)
    raise ConfigError(param="seed", value=seed,
                      allowed="must be a whole number >= 0, an (entropy, patient) pair such as "
                              "result.seed, or None (fresh)")


def workers_for(workers: Any) -> int:
    """The number of processes ``workers`` asks for: ``0`` or ``None`` is one per
    core; more than four per core is refused (the work is all computation, so
    more processes than cores only cost memory, and ``10000`` is a typo)."""
    cores = os.cpu_count() or 1
    if workers is None or (isinstance(workers, (int, np.integer)) and not isinstance(
            workers, bool) and workers == 0):
        return cores
    if (isinstance(workers, bool) or not isinstance(workers, (int, np.integer))
            or not 0 <= workers <= 4 * cores):
        raise ConfigError(param="workers", value=workers,
                          allowed=f"must be a whole number from 0 (one per core) to "
                                  f"{4 * cores} (four per core; this machine has {cores})")
    return int(workers)


def simulate(config: Config, seed: Any = None) -> Result:
    """Simulate one virtual patient.

    Parameters
    ----------
    config
        A validated scenario (:func:`clonesim.load_config`).
    seed
        A non-negative integer, ``None`` (fresh entropy, recorded in the
        result), or ``result.seed`` of an earlier run to repeat it.

    Returns
    -------
    Result
        Trajectory, events, per-line outcomes; ``result.summary()`` tells the story.

    Examples
    --------
    >>> import clonesim
    >>> cfg = clonesim.load_config("configs/classic_98_2.toml")   # doctest: +SKIP
    >>> print(clonesim.simulate(cfg, seed=1).summary())            # doctest: +SKIP
    """
    ss, seed_value = seed_sequence(seed)
    return run_patient(config, _model_for(config), ss, seed_value)


_MODELS: dict[int, tuple[weakref.ref, ModelArrays]] = {}


def _model_for(config: Config) -> ModelArrays:
    """The model arrays of ``config``, built once per config object: a notebook
    or a benchmark that calls :func:`simulate` in a loop pays for the build
    (~0.1 ms, a third of a small tumour's run) only once. Configs are frozen
    and the engine never writes to the model, so sharing is safe."""
    entry = _MODELS.get(id(config))
    if entry is not None and entry[0]() is config:
        return entry[1]
    model = build_model(config)
    if len(_MODELS) >= 64:
        _MODELS.clear()
    _MODELS[id(config)] = (weakref.ref(config), model)
    return model


def simulate_many(config: Config, n: int, seed: Any = None, workers: int = 1,
                  _cohort: bool = False) -> ResultSet:
    """Simulate ``n`` independent patients of one scenario.

    Parameters
    ----------
    config
        The scenario.
    n
        Number of patients.
    seed
        Root seed; patient ``k`` uses child ``k`` of ``SeedSequence(seed)``.
    workers
        Processes to use (``0`` or ``None``: one per core). The results are
        identical for any number of workers.

    Returns
    -------
    ResultSet
        The patients in order; ``.to_dataframe()`` gives one row each.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ConfigError(param="n", value=n, allowed="must be a whole number >= 0 (patients)")
    if n > MAX_PATIENTS:
        raise ConfigError(param="n", value=n,
                          allowed=f"must be at most {MAX_PATIENTS:,}: every patient is kept in "
                                  "memory with its whole trajectory; for more, run a sweep "
                                  "(clonesim.sweep, clonesim sweep), one table row a patient")
    root, _ = seed_sequence(seed)
    entropy = root.entropy
    workers = min(workers_for(workers), n or 1)
    if workers == 1:
        return ResultSet(_run_chunk((config, entropy, 0, n, _cohort)))
    bounds = np.linspace(0, n, min(n, 8 * workers) + 1).astype(int)
    chunks = [(config, entropy, int(a), int(b), _cohort) for a, b in zip(bounds[:-1], bounds[1:])]
    out = ResultSet()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_run_chunk, chunks):  # map keeps patient order
            out.extend(part)
    return out


def simulate_cohort(config: Config, n: int, seed: Any = None, workers: int = 1) -> Cohort:
    """Simulate a virtual cohort: ``n`` patients who differ by the draws of
    ``[cohort] vary`` (initial size, mutation rates, phenotype mix, ...).

    Patient ``k`` draws its parameters from ``SeedSequence(seed, spawn_key=(k, 1))``
    and runs on ``SeedSequence(seed, spawn_key=(k,))``, so without ``vary`` a
    cohort is exactly ``simulate_many``, and any patient can be rerun alone.

    Returns
    -------
    Cohort
        The patients in order, with Kaplan-Meier survival (``.survival()``),
        the refractory fraction and a summary table.
    """
    return Cohort(simulate_many(config, n, seed=seed, workers=workers, _cohort=True))


def patient_config(config: Config, entropy: int, k: int) -> Config:
    """The scenario as patient ``k`` of a cohort sees it, after its ``vary`` draws.

    The entries draw in file order from one generator,
    ``SeedSequence(entropy, spawn_key=(k, 1))``, so a patient's draws depend
    on neither the cohort size nor the number of workers.
    """
    if not config.cohort.vary:
        return config
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(k, 1))))
    changes = {}
    for key, entry in config.cohort.vary.items():
        changes.update(_draw(key, entry, rng))
    return config.update(changes)


def _draw(key: str, entry, rng: np.random.Generator) -> dict[str, Any]:
    """One vary entry's draw, as dotted keys to set: one key, or (a phenotype
    mix) every state's initial_fraction, drawn together so they add up to 1."""
    dist = vary_distribution(entry)
    if entry["dist"] == "dirichlet":
        shares = dist.rvs(random_state=rng)[0]
        return {f"states.{name}.initial_fraction": float(x)
                for name, x in zip(entry["alpha"], shares)}
    if entry["dist"] == "choice":
        values, p = dist
        value = values[int(rng.choice(len(values), p=p))]
    else:
        value = float(dist.rvs(random_state=rng))
    if spec_for(key).kind == "int":
        value = int(round(value))
    return {key: value}


def _run_chunk(args) -> list[Result]:
    config, entropy, start, stop, cohort = args
    model = None if cohort and config.cohort.vary else build_model(config)
    return [_patient(config, model, entropy, k, cohort) for k in range(start, stop)]


def _patient(config: Config, model: ModelArrays | None, entropy: int, k: int,
             cohort: bool = False) -> Result:
    if cohort and config.cohort.vary:
        config = patient_config(config, entropy, k)
        model = build_model(config)
    ss = np.random.SeedSequence(entropy, spawn_key=(k,))
    return run_patient(config, model, ss, (entropy, k))


def run_patient(cfg: Config, model: ModelArrays, ss: np.random.SeedSequence,
                 seed_value: Any) -> Result:
    """Growth to detection, then the lines in turn, until cure, death or the horizon."""
    try:
        return _run_patient(cfg, model, ss, seed_value)
    except RecordsTooLarge as exc:
        raise ConfigError(
            f"{cfg.source}: this patient's trajectory outgrew memory: {exc}, with {exc.live:,} "
            "cell types ever alive\n  raise simulation.record_interval_days (now "
            f"{cfg.simulation.record_interval_days:g}), or lower the mutation rates or the "
            f"number of drugs ({len(cfg.drugs)}): each drug doubles the genotypes") from None


def _run_patient(cfg: Config, model: ModelArrays, ss: np.random.SeedSequence,
                 seed_value: Any) -> Result:
    rng = np.random.Generator(np.random.PCG64(ss))
    horizon = cfg.simulation.horizon_days
    events: list[Event] = []
    lines: list[LineOutcome] = []
    markers: list[tuple[float, float]] = []
    treated, toxic = 0.0, None
    detection_time = None

    for redraw in range(MAX_REDRAWS):
        state = EngineState(model)
        code = state.run_until(horizon, rng, watch_detection=True)
        if code != K.EXTINCT or not cfg.tumour.condition_on_detection:
            break
    else:  # birth barely above death and a tiny initial tumour (tests/test_config.py)
        raise ConfigError(f"{cfg.source}: the tumour died out before detection {MAX_REDRAWS:,} "
                          "times in a row\n  raise tumour.initial_cells or tumour.birth_rate "
                          f"(now {cfg.tumour.initial_cells:g} cells, birth "
                          f"{cfg.tumour.birth_rate:g} vs death {cfg.tumour.death_rate:g} a day)")

    if code == K.DETECTED:
        detection_time = state.t
        events.append(Event(state.t, EventKind.DETECTION, burden=state.burden()))
        biopsy_rng, marker_rng = (np.random.Generator(np.random.PCG64(
            np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, key))))
            for key in (2, 3))
        course = Course(cfg, model, state, rng, policy_for(cfg.therapy), biopsy_rng, marker_rng)
        code = course.run()
        events += course.events
        lines = course.lines
        markers = course.markers
        treated = course.days_on_treatment
        toxic = course.toxicity.days_above if course.toxicity is not None else None

    cause = None
    if code == K.EXTINCT:
        outcome = Outcome.CURED if detection_time is not None else Outcome.NEVER_DETECTED
    elif code == K.LETHAL:
        outcome, cause = Outcome.DIED, cause_of_death(cfg, model, state)
    else:
        outcome = Outcome.ALIVE
    events.append(Event(state.t, CLOSING_EVENT[outcome], burden=state.burden(),
                        detail=cause or ""))
    times, type_ids, counts = state.trajectory()
    return Result(
        config=cfg, seed=seed_value, times=times, type_ids=type_ids,
        labels=state.labels(type_ids), counts=counts, events=events,
        lines=lines, outcome=outcome, end_time=state.t, steps=state.steps,
        detection_time=detection_time, cause_of_death=cause,
        markers=np.array(markers, dtype=float).reshape(-1, 2),
        days_on_treatment=treated, days_toxic=toxic,
        meta={"tumours_redrawn": str(redraw)},
    )


def cause_of_death(cfg: Config, model: ModelArrays, state: EngineState) -> str:
    """What killed: "total burden", or "brain burden" where a site reached its
    own lethal burden first (``sites.NAME.lethal_cells``)."""
    if state.burden() >= cfg.clinic.lethal_cells:
        return "total burden"
    over = state.burden_by_site() >= model.sites[:, K.SITE_LETHAL]
    return " and ".join(f"{name} burden" for name, hit in zip(model.site_names, over) if hit)
