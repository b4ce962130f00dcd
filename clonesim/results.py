"""Result objects: one virtual patient, or many; tidy tables; a readable story."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from .celltypes import CellTypes
from .config import MIX_KEY, lookup
from .outcomes import EventKind as E, Outcome, Response
from .provenance import TEACHING_NOTE, provenance

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .config import Config

__all__ = ["Event", "LineOutcome", "Result", "ResultSet"]



@dataclass(frozen=True)
class Event:
    """Something a clinic would write down, at a time (days)."""

    time: float
    kind: E  # detection, line start, response, complete response, progression, ...
    line: int | None = None  # 1-based line number, when the event belongs to a line
    burden: int = 0
    detail: str = ""


@dataclass(frozen=True)
class LineOutcome:
    """One therapy line: when it ran, how it went, why it ended."""

    line: int
    drugs: tuple[str, ...]
    start: float
    end: float
    best_response: Response
    ended_by: E  # progression, cured, died or end of follow-up

    @property
    def time_to_progression(self) -> float | None:
        """Days from the start of the line to progression (None if it did not progress)."""
        return self.end - self.start if self.ended_by == E.PROGRESSION else None

    @property
    def refractory(self) -> bool:
        """Progressed without ever responding (no partial or complete response)."""
        return self.ended_by == E.PROGRESSION and self.best_response not in (
            Response.COMPLETE_RESPONSE, Response.PARTIAL_RESPONSE)


@dataclass
class Result:
    """One virtual patient.

    Attributes
    ----------
    times : ndarray, shape (T,)
        Days at which the counts were recorded.
    type_ids : ndarray, shape (C,)
        Cell types, one per column of ``counts`` (decoded by :attr:`cell_types`).
    labels : list of str
        A reader's name for each type ("sensitive", "resistant to A", ...).
    counts : ndarray, shape (T, C)
        Cells of each type at each recorded time (int64).
    events, lines
        What happened, and one :class:`LineOutcome` per line started.
    outcome : Outcome
        Cured, died, alive at end of follow-up, or (only when tumours are
        not conditioned on detection) died out before detection.
    end_time : float
        Day of death, cure, or the end of follow-up.
    cause_of_death : str or None
        When died: "total burden" (``clinic.lethal_cells``) or the site whose
        own lethal burden was reached first ("brain burden").
    markers : ndarray, shape (V, 2)
        (day, reading) of the blood marker at each visit (none without
        ``clinic.marker_per_cell``).
    days_on_treatment, days_toxic
        Days with a drug given; days with toxicity at or above
        ``therapy.toxicity_limit`` (None when no drug has a toxicity).
    seed
        Enough to rerun this patient: ``simulate(config, seed=result.seed)``.
    """

    config: "Config"
    seed: Any
    times: np.ndarray
    type_ids: np.ndarray
    labels: list[str]
    counts: np.ndarray
    events: list[Event]
    lines: list[LineOutcome]
    outcome: Outcome
    end_time: float
    steps: int = 0
    detection_time: float | None = None
    cause_of_death: str | None = None  # "total burden", "brain burden", ... when died
    markers: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    days_on_treatment: float = 0.0
    days_toxic: float | None = None  # at or above therapy.toxicity_limit; None: no toxicity
    meta: dict[str, str] = field(default_factory=dict)

    # -- derived ------------------------------------------------------------

    @property
    def burden(self) -> np.ndarray:
        """Total cells at each recorded time."""
        return self.counts.sum(axis=1)

    @property
    def cured(self) -> bool:
        return self.outcome == Outcome.CURED

    @property
    def died(self) -> bool:
        return self.outcome == Outcome.DIED

    @property
    def lines_used(self) -> int:
        return len(self.lines)

    @property
    def refractory(self) -> bool:
        """Line 1 ended in progression without any response."""
        return bool(self.lines) and self.lines[0].refractory

    @property
    def survival_days(self) -> float:
        """Days from detection to death, or to the end of follow-up (censored).

        A cured patient's run stops at the cure, but the patient lives on:
        their survival runs to the end of follow-up, like anyone alive then.
        """
        start = self.detection_time if self.detection_time is not None else 0.0
        end = self.config.simulation.horizon_days if self.cured else self.end_time
        return end - start

    @property
    def cell_types(self) -> CellTypes:
        """How this scenario's type ids decode into genotype, state and site."""
        return CellTypes.of(self.config)

    def site_burden(self) -> np.ndarray:
        """Cells at each site (columns in config order) at each recorded time."""
        site = self.cell_types.site(self.type_ids)
        out = np.zeros((len(self.times), len(self.config.sites)), dtype=np.int64)
        for j, s in enumerate(site):
            out[:, s] += self.counts[:, j]
        return out

    def final_counts(self) -> dict[str, int]:
        """Cells of each type at the end, by label."""
        return {lab: int(c) for lab, c in zip(self.labels, self.counts[-1]) if c}

    def provenance(self) -> dict[str, str]:
        return provenance(self.config, self.seed)

    # -- tables -------------------------------------------------------------

    def to_dataframe(self) -> "pd.DataFrame":
        """The trajectory as a tidy table: one row per (time, cell type)."""
        import pandas as pd

        t, c = self.counts.shape
        return pd.DataFrame({
            "time_days": np.repeat(self.times, c),
            "type": np.tile(np.asarray(self.labels, dtype=object), t),
            "type_id": np.tile(self.type_ids, t),
            "cells": self.counts.reshape(-1),
        })

    def events_dataframe(self) -> "pd.DataFrame":
        """The events as a table: time, kind, line, burden, detail."""
        import pandas as pd

        table = pd.DataFrame([vars(e) for e in self.events],
                             columns=["time", "kind", "line", "burden", "detail"])
        return table.astype({"line": "Int64"})  # no line for detection, death, ...

    def lines_dataframe(self) -> "pd.DataFrame":
        """One row per line: drugs, start, end, best response, end reason, TTP."""
        import pandas as pd

        return pd.DataFrame([{
            "line": o.line, "drugs": "+".join(o.drugs), "start_day": o.start, "end_day": o.end,
            "best_response": o.best_response, "ended_by": o.ended_by,
            "time_to_progression_days": o.time_to_progression,
        } for o in self.lines])

    def outcome_row(self) -> dict[str, Any]:
        """This patient's outcomes as one flat dict (a row of a cohort table)."""
        row: dict[str, Any] = {
            "seed": str(self.seed), "outcome": self.outcome, "cured": self.cured,
            "died": self.died, "cause_of_death": self.cause_of_death or "",
            "detection_day": self.detection_time,
            "end_day": self.end_time, "survival_days": self.survival_days,
            "lines_used": self.lines_used, "refractory": self.refractory,
            "days_on_treatment": self.days_on_treatment,
            "days_toxic": self.days_toxic if self.days_toxic is not None else float("nan"),
            "final_burden": int(self.counts[-1].sum()),
        }
        for o in self.lines:
            row[f"ttp_line{o.line}_days"] = o.time_to_progression
        return row

    # -- the story ----------------------------------------------------------

    def summary(self) -> str:
        """A short, readable story of this patient."""
        cfg = self.config
        out = []
        title = cfg.title or "clonesim scenario"
        out.append(f"{title}  (seed {self.seed})")
        out.append(f"  {TEACHING_NOTE}.")
        for e in self.events:
            out.append(f"  day {e.time:7.1f}  {_describe(e, cfg)}")
        if self.lines:
            out.append("  lines:")
            for o in self.lines:
                ttp = o.time_to_progression
                ttp_s = f"progressed after {ttp:.0f} days" if ttp is not None else o.ended_by
                out.append(f"    {o.line}. {'+'.join(o.drugs):<10} best response: "
                           f"{o.best_response:<19}  {ttp_s}")
        if self.days_toxic is not None:
            out.append(f"  on treatment {self.days_on_treatment:.0f} days; toxicity at or above "
                       f"its limit {self.days_toxic:.0f} days")
        cause = f" ({self.cause_of_death})" if self.cause_of_death else ""
        out.append(f"  outcome: {self.outcome}{cause} at day {self.end_time:.0f}"
                   + (f" ({self.survival_days:.0f} days after detection)"
                      if self.detection_time is not None else ""))
        final = self.final_counts()
        if final:
            parts = ", ".join(f"{lab} {n:.3g}" for lab, n in final.items())
            out.append(f"  cells at the end: {parts}")
        return "\n".join(out)

    def __repr__(self) -> str:
        return (f"<Result {self.outcome} at day {self.end_time:.0f}, "
                f"{self.lines_used} line(s), seed {self.seed}>")


def _describe(e: Event, cfg) -> str:
    burden = f"{e.burden:.2e} cells"
    match e.kind:
        case E.DETECTION:
            return f"tumour detected at {burden}"
        case E.LINE_START:
            return f"line {e.line} starts: {e.detail} ({burden})"
        case E.PARTIAL_RESPONSE | E.COMPLETE_RESPONSE:
            return f"line {e.line}: {e.kind} ({e.detail}; {burden})"
        case E.PROGRESSION:
            return f"line {e.line}: progression ({burden})" + (f": {e.detail}" if e.detail else "")
        case E.SURGERY | E.RADIATION:
            return f"{e.kind} of {e.detail}"
        case E.DOSE_DELAYED | E.TOXICITY:
            return f"line {e.line}: {e.kind} ({e.detail})"
        case E.SYMPTOMS:
            return f"symptoms begin: {e.detail} ({burden})"
        case E.REBIOPSY:
            return f"re-biopsy of {e.detail}"
        case E.PAUSE | E.RESUME | E.HOLIDAY_STARTS | E.HOLIDAY_ENDS:
            return f"line {e.line}: {e.kind}" + (f" ({e.detail})" if e.detail else "") + \
                f" at {burden}"
        case E.NO_LINE_LEFT:
            return f"no line left: supportive care only ({burden})"
        case E.CURED:
            return "no tumour cell left: cured"
        case E.DIED:
            if e.detail and e.detail != "total burden":
                return f"lethal {e.detail} reached (total {burden})"
            return f"lethal burden reached ({burden})"
        case E.DIED_OUT:
            return "the tumour died out by chance before it was ever detected"
        case E.END_OF_FOLLOW_UP:
            return f"end of follow-up ({burden})"
    return f"{e.kind} {e.detail} ({burden})"


def drawn_keys(config) -> list[str]:
    """The dotted keys a cohort draws per patient (a phenotype mix: one per state)."""
    keys = []
    for key, entry in config.cohort.vary.items():
        if key == MIX_KEY:
            keys += [f"states.{name}.initial_fraction" for name in entry["alpha"]]
        else:
            keys.append(key)
    return keys


class ResultSet(list):
    """Many patients of one scenario, in patient order."""

    def to_dataframe(self) -> "pd.DataFrame":
        """One row per patient with the outcomes (see :meth:`Result.outcome_row`)."""
        import pandas as pd

        rows = []
        for i, r in enumerate(self):
            row = {"patient": i}
            row.update(r.outcome_row())
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> str:
        n = len(self)
        if not n:
            return "no patients"
        cured = sum(r.cured for r in self)
        died = sum(r.died for r in self)
        refractory = sum(r.refractory for r in self)
        lines = np.array([r.lines_used for r in self])
        return (f"{n} patients: {cured} cured, {died} died, {n - cured - died} alive at the end "
                f"of follow-up; {refractory} refractory to line 1; lines used: median "
                f"{np.median(lines):.0f} (range {lines.min()}-{lines.max()})")

    @classmethod
    def of(cls, results: Iterable[Result]) -> "ResultSet":
        return cls(results)


class Cohort(ResultSet):
    """A virtual cohort: survival curves and the numbers a trial would report."""

    def to_dataframe(self) -> "pd.DataFrame":
        """One row per patient: the outcomes, then the values the patient drew
        for each ``cohort.vary`` key (a column named by the key; a phenotype
        mix gives one column per state), so outcomes can be plotted against
        what made the patients differ."""
        df = super().to_dataframe()
        keys = drawn_keys(self[0].config) if len(self) else []
        trees = [r.config.to_dict() for r in self] if keys else []
        for key in keys:
            df[key] = [lookup(tree, key) for tree in trees]
        return df

    def endpoint_times(self, endpoint: str = "os", line: int = 1
                       ) -> tuple[list[float], list[float]]:
        """Days to the event, and censored days, for one endpoint.

        ``"os"``: detection to death; patients alive or cured at the end of
        follow-up are censored there. ``"pfs"``: start of ``line`` to
        progression on it or death, among the patients who started that line;
        censored at the end of follow-up. A cured patient's run stops at the
        cure, but the patient is alive and progression-free to the end of
        follow-up, so both endpoints censor a cure at the horizon.
        """
        events, censored = [], []
        for r in self:
            # A cured patient's run stops at the cure, but the patient is alive
            # (and progression-free) until the end of follow-up: censor there.
            horizon = r.config.simulation.horizon_days
            if endpoint == "os":
                if r.detection_time is not None:
                    (events if r.died else censored).append(r.survival_days)
            elif endpoint == "pfs":
                if len(r.lines) >= line:
                    o = r.lines[line - 1]
                    progressed = o.ended_by in (E.PROGRESSION, E.DIED)
                    if progressed:
                        events.append(o.end - o.start)
                    else:
                        censored.append((horizon if o.ended_by == E.CURED else o.end)
                                        - o.start)
            else:
                raise ValueError(f"endpoint must be 'os' or 'pfs', not {endpoint!r}")
        return events, censored

    def survival(self, endpoint: str = "os", line: int = 1):
        """Kaplan-Meier estimate (``scipy.stats.ecdf`` with right censoring).

        Parameters
        ----------
        endpoint, line
            As in :meth:`endpoint_times`.

        Returns
        -------
        scipy.stats ECDFResult or None
            ``.sf`` is the survival function (``.sf.confidence_interval()``
            gives a pointwise 95% band); None when no patient had the event.
        """
        from scipy import stats

        events, censored = self.endpoint_times(endpoint, line)
        if not events:
            return None
        return stats.ecdf(stats.CensoredData(uncensored=events, right=censored))

    @property
    def refractory_fraction(self) -> float:
        """Fraction of treated patients whose line 1 progressed without any response."""
        treated = [r for r in self if r.lines]
        return sum(r.refractory for r in treated) / len(treated) if treated else float("nan")

    def summary_table(self) -> "pd.DataFrame":
        """Per endpoint: patients, events, median days with a 95% band.

        A median or bound the curve never reaches (it stays above one half)
        is NaN, so the columns stay numeric; :func:`format_summary_table`
        prints it as "not reached".
        """
        import pandas as pd

        rows = []
        n_lines = max((len(r.lines) for r in self), default=0)
        nan = float("nan")
        for endpoint, line in [("os", 1)] + [("pfs", k) for k in range(1, n_lines + 1)]:
            events, censored = self.endpoint_times(endpoint, line)
            row = {"endpoint": "overall survival" if endpoint == "os" else f"PFS line {line}",
                   "patients": len(events) + len(censored), "events": len(events),
                   "median_days": nan, "median_low_days": nan, "median_high_days": nan}
            km = self.survival(endpoint, line)
            if km is not None:
                ci = km_band(km)
                row.update({k: _reached(km_median(sf)) for k, sf in
                            (("median_days", km.sf), ("median_low_days", ci.low),
                             ("median_high_days", ci.high))})
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> str:
        text = super().summary()
        rf = self.refractory_fraction
        text += f"\nrefractory to line 1: {rf:.1%}" if rf == rf else ""
        km = self.survival("os")
        if km is not None:
            text += f"\nmedian overall survival: {km_median(km.sf):.0f} days after detection"
        return text


def km_band(km):
    """Pointwise 95% band of a Kaplan-Meier curve (log-log, which stays in
    [0, 1]); scipy warns where it is undefined (the curve at 0 or 1), which is
    expected here, so the warning is silenced."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return km.sf.confidence_interval(0.95, method="log-log")


def km_median(sf) -> float:
    """First time at which a survival curve is at or below 0.5 (inf if never)."""
    below = np.flatnonzero(sf.probabilities <= 0.5)
    return float(sf.quantiles[below[0]]) if below.size else float("inf")


def _reached(days: float) -> float:
    """A median in days, NaN where the curve never reaches one half."""
    return days if np.isfinite(days) else float("nan")


def format_summary_table(table, indent: str = "") -> str:
    """A :meth:`Cohort.summary_table` as text: medians to the day, and "not
    reached" where the curve stays above one half.

    Parameters
    ----------
    table
        The DataFrame :meth:`Cohort.summary_table` returns.
    indent
        Put before every line.

    Returns
    -------
    str
    """
    def days(v) -> str:
        return "not reached" if v != v else f"{v:.0f}"

    def band(lo, hi) -> str:
        return "not reached" if lo != lo and hi != hi else f"{days(lo)} to {days(hi)}"

    rows = [("endpoint", "patients", "events", "median days", "95% band (days)")]
    for r in table.itertuples(index=False):
        rows.append((r.endpoint, str(r.patients), str(r.events), days(r.median_days),
                     band(r.median_low_days, r.median_high_days)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))) for row in rows]
    return "\n".join(indent + line.rstrip() for line in lines)
