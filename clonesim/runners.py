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

from .config import Config, spec_for, vary_distribution
from .engine import K, EngineState
from .model import ModelArrays, build_model
from .policies import (COMPLETE_RESPONSE, PROGRESSION, LineMonitor, biopsy,
                       susceptible_fraction)
from .results import (ALIVE, CURED, DIED, NEVER_DETECTED, Cohort, Event, LineOutcome, Result,
                      ResultSet)

__all__ = ["simulate", "simulate_many", "simulate_cohort", "patient_config", "seed_sequence"]

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
    return _run_patient(config, _model_for(config), ss, seed_value)


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
        raise ValueError(f"n must be a non-negative integer, not {n!r}")
    root, _ = seed_sequence(seed)
    entropy = root.entropy
    if not workers:
        workers = os.cpu_count() or 1
    workers = max(1, min(int(workers), n or 1))
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
        biopsy_rng = np.random.Generator(np.random.PCG64(
            np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, 2))))
        code = _Course(cfg, model, state, rng, events, lines, biopsy_rng).run()

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


class _Course:
    """One patient's treatment from detection on: lines chosen by the policy,
    scans, local therapies, pauses. Plain Python between kernel calls."""

    def __init__(self, cfg: Config, model: ModelArrays, state: EngineState, rng, events, lines,
                 biopsy_rng=None):
        self.cfg, self.model, self.state, self.rng = cfg, model, state, rng
        # biopsies draw from their own stream, so that arms compared on the same
        # patient share its tumour until their decisions differ
        self.biopsy_rng = biopsy_rng if biopsy_rng is not None else rng
        self.events, self.lines = events, lines
        self.therapy = cfg.therapy
        self.horizon = cfg.simulation.horizon_days
        self.start = state.t
        self.used: set[int] = set()
        self.local_done: set[int] = set()

    # -- helpers ------------------------------------------------------------

    def _event(self, kind, line=None, detail=""):
        self.events.append(Event(self.state.t, kind, line, self.state.burden(), detail))

    def _seen_sites(self) -> list[str]:
        seen = self.state.burden_by_site() >= self.cfg.clinic.site_detection_cells
        return [name for name, on in zip(self.model.site_names, seen) if on]

    def _local(self, trigger: str) -> None:
        """Apply the local therapies whose trigger has come."""
        for i, lt in enumerate(self.therapy.local):
            if i in self.local_done or lt.trigger != trigger:
                continue
            if trigger == "day" and self.state.t < self.start + lt.day - 1e-9:
                continue
            if trigger == "site detected" and lt.site not in self._seen_sites():
                continue
            self.local_done.add(i)
            self.state.thin_site(self.model.site_names.index(lt.site), lt.fraction, self.rng)
            self._event(lt.kind, detail=f"{lt.site}: {100 * lt.fraction:.4g}% of its cells")

    def _next_local_day(self) -> float:
        days = [self.start + lt.day for i, lt in enumerate(self.therapy.local)
                if lt.trigger == "day" and i not in self.local_done]
        return min(days, default=np.inf)

    def _choose_line(self) -> int | None:
        """The next line: in order, or (re-biopsy) the first unused one the
        sample looks sensitive to."""
        unused = [i for i in range(len(self.therapy.lines)) if i not in self.used]
        if not unused:
            return None
        if self.therapy.policy != "rebiopsy":
            return unused[0]
        st, model = self.state, self.model
        by_site = st.burden_by_site()
        name = self.therapy.rebiopsy_site
        site = int(np.argmax(by_site)) if name == "largest" else model.site_names.index(name)
        n = st.n_slots
        sample = biopsy(st.counts[:n], st.types[:n], st.site_of_slots(), site,
                        self.therapy.rebiopsy_cells, self.biopsy_rng)
        choice = unused[0]
        for i in unused:
            frac = susceptible_fraction(sample, st.types[:n], model, self.therapy.lines[i])
            if frac >= self.therapy.sensitive_fraction:
                choice = i
                break
        mix = {}
        for k in np.flatnonzero(sample):
            label = model.label(int(st.types[k]))
            mix[label] = mix.get(label, 0) + int(sample[k])
        told = ", ".join(f"{c} {lab}" for lab, c in sorted(mix.items(), key=lambda x: -x[1]))
        self._event("re-biopsy", detail=f"{model.site_names[site]}: {told}; chooses "
                                        f"{'+'.join(self.therapy.lines[choice])}")
        return choice

    # -- the course ---------------------------------------------------------

    def run(self) -> int:
        self._local("detection")
        self._local("site detected")
        while True:
            index = self._choose_line()
            if index is None:
                self._event("no line left")
                self.state.give(0)
                return self._supportive_care()
            self.used.add(index)
            code, ended_by = self._line(index)
            if ended_by != "progression":
                return code

    def _supportive_care(self) -> int:
        while True:
            code = self.state.run_until(min(self.horizon, self._next_local_day()), self.rng)
            if code != K.REACHED_T_STOP or self.state.t >= self.horizon:
                return code
            self._local("day")

    def _line(self, index: int) -> tuple[int, str]:
        st, th = self.state, self.therapy
        drugs = th.lines[index]
        number = len(self.lines) + 1
        mask = self.model.drug_mask(drugs)
        start = st.t
        monitor = LineMonitor(self.cfg.clinic, baseline=float(st.burden()),
                              seen_sites=set(self._seen_sites()))
        self._event("line start", number, "+".join(drugs))
        st.give(mask)
        giving = True
        holidays = th.holiday_on_days > 0
        next_switch = start + th.holiday_on_days if holidays else np.inf
        scan_dt = self.cfg.clinic.scan_interval_days
        scans = 1
        ended_by = None
        code = K.REACHED_T_STOP
        stalled, last_t = 0, -1.0
        while ended_by is None:
            next_scan = start + scans * scan_dt
            code = st.run_until(min(next_scan, next_switch, self._next_local_day(),
                                    self.horizon), self.rng)
            stalled = stalled + 1 if st.t == last_t else 0
            last_t = st.t
            if stalled > 4:  # a bug, never a patient: fail loudly rather than hang
                raise RuntimeError(f"internal error: the course stalled at day {st.t!r}")
            if code == K.EXTINCT:
                ended_by = "cured"
            elif code == K.LETHAL:
                ended_by = "died"
            elif st.t >= self.horizon:
                ended_by = "end of follow-up"
            if ended_by:
                break
            self._local("day")
            if st.t >= next_switch - 1e-9:  # a drug holiday starts or ends
                giving = not giving
                st.give(mask if giving else 0)
                self._event("holiday ends" if giving else "holiday starts", number)
                next_switch += th.holiday_on_days if giving else th.holiday_off_days
            if st.t < next_scan - 1e-9:
                continue
            scans += 1
            self._local("site detected")
            verdict = monitor.assess(st.burden(), self._seen_sites())
            if verdict is not None:
                self._event(verdict, number, monitor.detail if verdict == PROGRESSION else "")
            if verdict == PROGRESSION:
                ended_by = "progression"
            elif th.policy == "adaptive":
                burden = st.burden()
                if giving and burden <= th.adaptive_pause_at * monitor.baseline:
                    giving = False
                    st.give(0)
                    self._event("pause", number, "adaptive: burden fell enough")
                elif not giving and burden >= th.adaptive_resume_at * monitor.baseline:
                    giving = True
                    st.give(mask)
                    self._event("resume", number, "adaptive: burden regrew")
        best = monitor.best
        if ended_by == "cured" and best == "none":  # cured before the first scan
            best = COMPLETE_RESPONSE
        self.lines.append(LineOutcome(number, drugs, start, st.t, best, ended_by))
        return code, ended_by
