"""The cost of treatment: a toxicity level that doses raise and the body
repairs, and the clinic's answer when it is too high (a delayed dose, or the
end of the line).

One number per patient, in units where ``therapy.toxicity_limit`` (default 1)
is the level at which a clinic holds a dose (think of a grade-3 side
effect). Each dose of a pulsed drug adds ``drugs.NAME.toxicity``; a
continuous drug adds its ``toxicity`` per day while given; the level falls
back at rate ``therapy.toxicity_recovery`` per day:

    dT/dt = C - r T   between doses,   T -> T + p_j at a dose of drug j,

solved exactly between the course's stops, so the days spent above the limit
are exact too. Plain Python, only for scenarios that give a drug a toxicity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Toxicity"]


@dataclass
class Toxicity:
    """The toxicity level of one patient over its course."""

    per_dose: np.ndarray  # per drug: added by each dose (pulsed drugs)
    per_day: np.ndarray  # per drug: added per day while given (continuous drugs)
    recovery: float  # per day
    limit: float
    level: float = 0.0
    t: float = 0.0
    days_above: float = 0.0

    @classmethod
    def of(cls, config, model, t: float) -> "Toxicity | None":
        """The scenario's toxicity from day ``t`` (diagnosis), or None when no drug has any."""
        drugs = [config.drugs.get(n) for n in model.drug_names]  # None: a mechanism's bit
        tox = np.array([d.toxicity if d else 0.0 for d in drugs])
        if not tox.any():
            return None
        pulsed = np.array([bool(d) and d.kill == "pulsed" for d in drugs])
        th = config.therapy
        return cls(np.where(pulsed, tox, 0.0), np.where(pulsed, 0.0, tox),
                   th.toxicity_recovery, th.toxicity_limit, t=t)

    def _steady(self, given: np.ndarray) -> float:
        return float(np.dot(self.per_day, given)) / self.recovery

    def advance(self, t: float, given: np.ndarray) -> None:
        """Move the level to day ``t`` with the drugs ``given`` (0/1 per drug)
        since the last call, counting the days spent at or above the limit."""
        dt = t - self.t
        if dt <= 0:
            return
        eq, r, lim, t0 = self._steady(given), self.recovery, self.limit, self.level
        # T(s) = eq + (t0 - eq) exp(-r s) runs monotonically from t0 towards eq
        if t0 >= lim and eq >= lim:
            above = dt
        elif t0 < lim and eq < lim:
            above = 0.0
        elif t0 >= lim:  # falling through the limit
            above = min(dt, math.log((t0 - eq) / (lim - eq)) / r) if t0 > lim else 0.0
        else:  # rising through it
            above = max(0.0, dt - math.log((eq - t0) / (eq - lim)) / r)
        self.days_above += above
        self.level = eq + (t0 - eq) * math.exp(-r * dt)
        self.t = t

    def dose(self, drug: int) -> None:
        """A dose of pulsed drug ``drug`` was given now."""
        self.level += float(self.per_dose[drug])

    def held_doses(self, given: np.ndarray) -> np.ndarray:
        """Per drug: a pulsed drug given now whose doses add toxicity (so may be held)."""
        return (given > 0) & (self.per_dose > 0)

    def too_high(self) -> bool:
        return self.level >= self.limit

    def days_to_recover(self, given: np.ndarray) -> float:
        """Days until the level is below the limit again, the drugs ``given``
        going on (infinite when they keep it above)."""
        eq = self._steady(given)
        if self.level < self.limit:
            return 0.0
        if eq >= self.limit:
            return math.inf
        # a hair past the crossing, so that the level is below the limit then
        return math.log((self.level - eq) / (self.limit - eq)) / self.recovery * (1 + 1e-9) + 1e-9
