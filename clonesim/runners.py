"""One patient, or many: seeds are spawned here and nowhere else.

Every patient gets its own ``numpy.random.Generator`` from a child of one
``SeedSequence``: patient ``k`` of ``simulate_many(cfg, n, seed=s)`` is
``SeedSequence(s, spawn_key=(k,))``, so it can be rerun alone and the results
do not depend on how many workers ran them.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from .config import Config
from .engine import K, EngineState
from .model import ModelArrays, build_model
from .policies import PROGRESSION, LineMonitor, LineSequence
from .results import ALIVE, CURED, DIED, NEVER_DETECTED, Event, LineOutcome, Result, ResultSet

__all__ = ["simulate", "simulate_many", "seed_sequence"]

#: Redraws of a tumour that died out before detection, before giving up.
MAX_REDRAWS = 100_000


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
    if isinstance(seed, (tuple, list)):
        entropy, *key = seed
        return np.random.SeedSequence(int(entropy), spawn_key=tuple(int(k) for k in key)), \
            (int(entropy), *(int(k) for k in key))
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed)), int(seed)
    raise ValueError(f"seed must be a non-negative integer, an (entropy, patient) pair or "
                     f"None, not {seed!r}")


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
    return _run_patient(config, build_model(config), ss, seed_value)


def simulate_many(config: Config, n: int, seed: Any = None, workers: int = 1) -> ResultSet:
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
        raise ValueError(f"n must be a non-negative integer, not {n!r}")
    root, _ = seed_sequence(seed)
    entropy = root.entropy
    if not workers:
        workers = os.cpu_count() or 1
    workers = max(1, min(int(workers), n or 1))
    if workers == 1:
        model = build_model(config)
        return ResultSet(_patient(config, model, entropy, k) for k in range(n))
    bounds = np.linspace(0, n, min(n, 8 * workers) + 1).astype(int)
    chunks = [(config, entropy, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
    out = ResultSet()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_run_chunk, chunks):  # map keeps patient order
            out.extend(part)
    return out


def _run_chunk(args) -> list[Result]:
    config, entropy, start, stop = args
    model = build_model(config)
    return [_patient(config, model, entropy, k) for k in range(start, stop)]


def _patient(config: Config, model: ModelArrays, entropy: int, k: int) -> Result:
    ss = np.random.SeedSequence(entropy, spawn_key=(k,))
    return _run_patient(config, model, ss, (entropy, k))


def _run_patient(cfg: Config, model: ModelArrays, ss: np.random.SeedSequence,
                 seed_value: Any) -> Result:
    """Growth to detection, then the lines in turn, until cure, death or the horizon."""
    rng = np.random.Generator(np.random.PCG64(ss))
    horizon = cfg.simulation.horizon_days
    events: list[Event] = []
    lines: list[LineOutcome] = []
    detection_time = None

    for redraw in range(MAX_REDRAWS):
        state = EngineState(model)
        code = state.run_until(horizon, rng, watch_detection=True)
        if code != K.EXTINCT or not cfg.tumour.condition_on_detection:
            break
    else:  # pragma: no cover - needs death_rate ~ birth_rate and a tiny initial tumour
        raise RuntimeError(f"the tumour died out before detection {MAX_REDRAWS} times in a row; "
                           "raise tumour.initial_cells or tumour.birth_rate")

    if code == K.DETECTED:
        detection_time = state.t
        events.append(Event(state.t, "detection", burden=state.burden()))
        code = _treat(cfg, model, state, rng, events, lines)

    if code == K.EXTINCT:
        outcome = CURED if detection_time is not None else NEVER_DETECTED
    elif code == K.LETHAL:
        outcome = DIED
    else:
        outcome = ALIVE
    kind = {CURED: "cured", DIED: "died", ALIVE: "end of follow-up",
            NEVER_DETECTED: "died out before detection"}[outcome]
    events.append(Event(state.t, kind, burden=state.burden()))
    times, type_ids, counts = state.trajectory()
    return Result(
        config=cfg, seed=seed_value, times=times, type_ids=type_ids,
        labels=[model.label(int(t)) for t in type_ids], counts=counts, events=events,
        lines=lines, outcome=outcome, end_time=state.t, steps=state.steps,
        detection_time=detection_time, meta={"tumours_redrawn": str(redraw)},
    )


def _treat(cfg: Config, model: ModelArrays, state: EngineState, rng, events, lines) -> int:
    """Give the lines in order, switching at progression; return the final exit code."""
    horizon = cfg.simulation.horizon_days
    scan_dt = cfg.clinic.scan_interval_days
    policy = LineSequence(cfg.therapy.lines)
    while True:
        drugs = policy.next_line()
        if drugs is None:
            events.append(Event(state.t, "no line left", burden=state.burden()))
            state.give(0)
            return state.run_until(horizon, rng)
        number = policy.index + 1
        start = state.t
        monitor = LineMonitor(cfg.clinic, baseline=float(state.burden()))
        events.append(Event(start, "line start", number, state.burden(), "+".join(drugs)))
        state.give(model.drug_mask(drugs))
        ended_by = None
        code = K.REACHED_T_STOP
        scans = 0
        while ended_by is None:
            scans += 1
            code = state.run_until(min(start + scans * scan_dt, horizon), rng)
            if code == K.EXTINCT:
                ended_by = "cured"
            elif code == K.LETHAL:
                ended_by = "died"
            elif state.t >= horizon:
                ended_by = "end of follow-up"
            else:
                verdict = monitor.assess(state.burden())
                if verdict is not None:
                    events.append(Event(state.t, verdict, number, state.burden()))
                if verdict == PROGRESSION:
                    ended_by = "progression"
        lines.append(LineOutcome(number, drugs, start, state.t, monitor.best, ended_by))
        if ended_by != "progression":
            return code
