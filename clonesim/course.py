"""One patient's treatment from detection on: the visits, the lines, the scans.

The course grows the tumour (:class:`~clonesim.engine.EngineState`) from one
visit to the next and, at each, lets the clinic read the scan
(:class:`~clonesim.clinic.LineMonitor`) and the policy decide
(:mod:`clonesim.policies`). Local therapies (surgery, radiation) are applied
here when their trigger comes. Plain Python between kernel calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clinic import LineMonitor, MarkerMonitor, marker_level, read_marker
from .toxicity import Toxicity
from .config import Config
from .engine import K, EngineState
from .model import ModelArrays
from .outcomes import EventKind, Response
from .policies import Policy
from .results import Event, LineOutcome

__all__ = ["Course", "Line"]


@dataclass
class Line:
    """The line on treatment now, as the policy sees it."""

    number: int  # 1 for the first line given
    drugs: tuple[str, ...]
    mask: int  # the drugs as a genotype bitmask
    start: float
    monitor: LineMonitor
    giving: bool = True  # False during a pause or a holiday
    next_switch: float = np.inf  # day of the policy's next timed change


class Course:
    """Runs one detected patient to cure, death or the horizon.

    ``events`` and ``lines`` are filled in as it goes; :meth:`run` returns
    the engine's exit code.
    """

    def __init__(self, cfg: Config, model: ModelArrays, state: EngineState,
                 rng: np.random.Generator, policy: Policy,
                 biopsy_rng: np.random.Generator | None = None,
                 marker_rng: np.random.Generator | None = None):
        self.cfg, self.model, self.state, self.rng = cfg, model, state, rng
        self.policy = policy
        self.biopsy_rng = biopsy_rng if biopsy_rng is not None else rng
        # the marker's noise has a stream of its own: a scenario without a
        # marker draws exactly what it drew before markers existed
        self.marker_rng = marker_rng if cfg.clinic.marker_per_cell > 0 else None
        self.markers: list[tuple[float, float]] = []  # (day, reading) at each visit
        self.shedding = np.array([cfg.sites[s].shedding for s in model.site_names])
        self.toxicity = Toxicity.of(cfg, model, state.t)  # None: no drug has any
        self.days_on_treatment = 0.0
        self.events: list[Event] = []
        self.lines: list[LineOutcome] = []
        self.therapy = cfg.therapy
        self.horizon = cfg.simulation.horizon_days
        self.start = state.t
        self.used: set[int] = set()
        self.local_done: set[int] = set()
        self.symptomatic: set[str] = set()

    # -- what policies call -------------------------------------------------

    def event(self, kind: EventKind | str, line: int | None = None, detail: str = "") -> None:
        """Add an event to the patient's story, now, at the current burden."""
        self.events.append(Event(self.state.t, kind, line, self.state.burden(), detail))

    def switch(self, line: Line, giving: bool, kind: EventKind, detail: str = "") -> None:
        """Start or stop giving the line's drugs (a pause, a holiday), with its event."""
        line.giving = giving
        self.state.give(line.mask if giving else 0)
        self.event(kind, line.number, detail)

    def seen_sites(self) -> list[str]:
        """The sites a scan would show now."""
        seen = self.state.burden_by_site() >= self.cfg.clinic.imaging_limit
        return [name for name, on in zip(self.model.site_names, seen) if on]

    # -- local therapies ----------------------------------------------------

    def _local(self, trigger: str, sites: list[str] = ()) -> None:
        """Apply the local therapies whose trigger has come (for "symptoms": at
        the ``sites`` whose symptoms have just begun)."""
        for i, lt in enumerate(self.therapy.local):
            if i in self.local_done or lt.trigger != trigger:
                continue
            if trigger == "day" and self.state.t < self.start + lt.day - 1e-9:
                continue
            if trigger == "site detected" and lt.site not in self.seen_sites():
                continue
            if trigger == "symptoms" and lt.site not in sites:
                continue
            self.local_done.add(i)
            self.state.thin_site(self.model.site_names.index(lt.site), lt.fraction, self.rng)
            self.event(EventKind(lt.kind), detail=f"{lt.site}: {100 * lt.fraction:.4g}% of its cells")

    # -- the engine between visits, and the cost of treatment ------------

    def _run(self, t_stop: float) -> int:
        """Run the engine to ``t_stop`` (or the first event), keeping the days on
        treatment and the toxicity (its doses and its recovery) up to date."""
        st, tox = self.state, self.toxicity
        given = st.drugs.given.copy()
        due = st.drugs.next_dose.copy()
        t0 = st.t
        code = st.run_until(t_stop, self.rng)
        if given.any():
            self.days_on_treatment += st.t - t0
        if tox is not None:  # the doses given on the way, in time order
            interval = self.model.drug_f[:, K.DRUG_INTERVAL]
            doses = sorted((due[j] + i * interval[j], j)
                           for j in np.flatnonzero(st.drugs.next_dose > due)
                           for i in range(round((st.drugs.next_dose[j] - due[j]) / interval[j])))
            for t, j in doses:
                tox.advance(t, given)
                tox.dose(j)
            tox.advance(st.t, given)
        return code

    def _next_dose_held(self) -> float:
        """With toxicity on: the next pulsed dose due after now, so that the run
        stops there and the clinic can hold it (one due now is given, or was held)."""
        if self.toxicity is None:
            return np.inf
        d = self.state.drugs
        on = self.toxicity.held_doses(d.given)
        if not on.any():
            return np.inf
        nxt = d.next_dose[on]
        nxt = np.where(nxt > self.state.t + 1e-9, nxt,
                       nxt + self.model.drug_f[on, K.DRUG_INTERVAL])  # due now: the one after
        return float(nxt.min())

    def _dose_held(self, line: Line) -> bool:
        """At a dose due with toxicity at the limit: delay it (an event), or say
        that the line must stop (``therapy.toxicity_action = "stop"``)."""
        tox, st = self.toxicity, self.state
        if tox is None or not tox.too_high():
            return False
        d = st.drugs
        due = tox.held_doses(d.given) & (d.next_dose <= st.t + 1e-9)
        if not due.any():
            return False
        wait = tox.days_to_recover(st.drugs.given)
        if self.therapy.toxicity_action == "stop" or not np.isfinite(wait):
            self.event(EventKind.TOXICITY, line.number, f"toxicity {tox.level:.2f}: line stopped")
            return True
        d.next_dose[due] = st.t + wait
        self.event(EventKind.DOSE_DELAYED, line.number,
                   f"toxicity {tox.level:.2f}: the dose waits {wait:.1f} days")
        return False

    def symptoms(self, line: int | None = None) -> list[str]:
        """At a visit: the sites whose symptoms have begun since the last one
        (their burden has reached ``sites.NAME.symptom_cells``; symptoms end when
        it falls back), told as an event, then palliated (trigger "symptoms")."""
        burden = self.state.burden_by_site()
        now = [s for s, b in zip(self.model.site_names, burden)
               if self.cfg.sites[s].symptom_cells and b >= self.cfg.sites[s].symptom_cells]
        onset = [s for s in now if s not in self.symptomatic]
        self.symptomatic = set(now)
        if onset:
            self.event(EventKind.SYMPTOMS, line, self.symptom_words(onset))
            self._local("symptoms", onset)
        return onset

    def read_marker(self) -> float | None:
        """The blood marker at this visit (None without a marker), kept in ``markers``."""
        if self.marker_rng is None:
            return None
        if self.markers and self.markers[-1][0] == self.state.t:  # one draw a visit
            return self.markers[-1][1]
        level = marker_level(self.state.burden_by_site(), self.shedding, self.cfg.clinic)
        reading = read_marker(level, self.cfg.clinic, self.marker_rng)
        self.markers.append((self.state.t, reading))
        return reading

    def symptom_words(self, sites: list[str]) -> str:
        return ", ".join(f"{self.cfg.sites[s].symptom} ({s})" for s in sites)

    def _next_local_day(self) -> float:
        days = [self.start + lt.day for i, lt in enumerate(self.therapy.local)
                if lt.trigger == "day" and i not in self.local_done]
        return min(days, default=np.inf)

    # -- the course ---------------------------------------------------------

    def run(self) -> int:
        self._local("detection")
        self._local("site detected")
        self.symptoms()  # symptoms at diagnosis: palliation, not progression
        while True:
            unused = [i for i in range(len(self.therapy.lines)) if i not in self.used]
            index = self.policy.choose_line(self, unused) if unused else None
            if index is None:  # the list is used up, or no line on it fits the tumour
                self.event(EventKind.NO_LINE_LEFT)
                self.state.give(0)
                return self._supportive_care()
            self.used.add(index)
            code, ended_by = self._line(index)
            if ended_by not in (EventKind.PROGRESSION, EventKind.TOXICITY):
                return code

    def _supportive_care(self) -> int:
        """No line left: visits only where symptoms can call for palliation."""
        visits = any(si.symptom_cells for si in self.cfg.sites.values())
        next_visit = self.state.t + self.cfg.clinic.scan_interval_days if visits else np.inf
        while True:
            code = self._run(min(self.horizon, self._next_local_day(), next_visit))
            if code != K.REACHED_T_STOP or self.state.t >= self.horizon:
                return code
            self._local("day")
            if self.state.t >= next_visit - 1e-9:
                next_visit += self.cfg.clinic.scan_interval_days
                self.symptoms()

    def _line(self, index: int) -> tuple[int, EventKind]:
        """Give one line until it ends; return the exit code and what ended it."""
        st, policy = self.state, self.policy
        drugs = self.therapy.lines[index]
        line = Line(number=len(self.lines) + 1, drugs=drugs, mask=self.model.drug_mask(drugs),
                    start=st.t, monitor=LineMonitor(self.cfg.clinic, self.model.site_names,
                                                    st.burden_by_site()))
        self.event(EventKind.LINE_START, line.number, "+".join(drugs))
        baseline_marker = self.read_marker()
        marker = (MarkerMonitor(self.cfg.clinic, baseline_marker)
                  if baseline_marker is not None else None)
        st.give(line.mask)
        line.next_switch = policy.first_switch(line)
        stopped = self._dose_held(line)  # its first dose, with the last line's toxicity
        scan_dt = self.cfg.clinic.scan_interval_days
        scans = 1
        ended_by = None
        code = K.REACHED_T_STOP
        stalled, last_t = 0, -1.0
        if stopped:
            ended_by = EventKind.TOXICITY
        while ended_by is None:
            next_scan = line.start + scans * scan_dt
            code = self._run(min(next_scan, line.next_switch, self._next_local_day(),
                                 self._next_dose_held(), self.horizon))
            stalled = stalled + 1 if st.t == last_t else 0
            last_t = st.t
            if stalled > 4:  # a bug, never a patient: fail loudly rather than hang
                raise RuntimeError(f"internal error: the course stalled at day {st.t!r}")
            if code == K.EXTINCT:
                ended_by = EventKind.CURED
            elif code == K.LETHAL:
                ended_by = EventKind.DIED
            elif st.t >= self.horizon:
                ended_by = EventKind.END_OF_FOLLOW_UP
            if ended_by:
                break
            self._local("day")
            if st.t >= line.next_switch - 1e-9:
                line.next_switch = policy.at_switch(self, line)
            if self._dose_held(line):  # a dose due now (a holiday's end gives one too)
                ended_by = EventKind.TOXICITY
                break
            if st.t < next_scan - 1e-9:
                continue
            scans += 1
            self._local("site detected")
            onset = self.symptoms(line.number)
            verdict = line.monitor.assess(st.burden_by_site())
            reading = self.read_marker()
            if marker is not None and marker.assess(reading) and verdict != EventKind.PROGRESSION:
                verdict, line.monitor.detail = EventKind.PROGRESSION, "marker rise: " + marker.detail
            if onset and verdict != EventKind.PROGRESSION:  # a sign of progression
                verdict, line.monitor.detail = EventKind.PROGRESSION, \
                    "symptoms: " + self.symptom_words(onset)
            if verdict is not None:
                self.event(verdict, line.number, line.monitor.detail)
            if verdict == EventKind.PROGRESSION:
                ended_by = EventKind.PROGRESSION
            else:
                policy.at_scan(self, line)
                if self._dose_held(line):  # adaptive therapy resumed with a dose due now
                    ended_by = EventKind.TOXICITY
        best = line.monitor.best
        if ended_by == EventKind.CURED and best == Response.NOT_EVALUATED:  # before any scan
            best = Response.COMPLETE_RESPONSE
        self.lines.append(LineOutcome(line.number, drugs, line.start, st.t, best, ended_by))
        return code, ended_by
