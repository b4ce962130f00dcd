"""What is given when, and how a clinic reads the burden at a scan.

Both are plain Python: they run a few dozen times per patient (at detection
and at each scan), never inside a kernel step.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Clinic

__all__ = ["LineSequence", "LineMonitor", "RESPONSE", "COMPLETE_RESPONSE", "PROGRESSION"]

RESPONSE = "response"
COMPLETE_RESPONSE = "complete response"
PROGRESSION = "progression"


class LineSequence:
    """A fixed sequence of lines, each switched at progression."""

    def __init__(self, lines: tuple[tuple[str, ...], ...]):
        self.lines = lines
        self.index = -1

    def next_line(self) -> tuple[str, ...] | None:
        """The next line's drugs, or None when no line is left."""
        self.index += 1
        return self.lines[self.index] if self.index < len(self.lines) else None


@dataclass
class LineMonitor:
    """Response and progression on one line, read from scans as a clinic would.

    A burden below ``detection_cells`` is *undetectable*: the scan shows no
    tumour, whatever the true count. A scan is a response when the burden is at
    most ``response_factor`` times its value at the start of the line (complete
    when undetectable); progression when it is at least ``progression_factor``
    times the lowest burden seen on the line, or when the tumour reappears after
    a scan found none.
    """

    clinic: Clinic
    baseline: float
    nadir: float = float("nan")
    responded: bool = False
    best: str = "none"
    undetectable_seen: bool = False

    def __post_init__(self):
        self.nadir = self.baseline

    def assess(self, burden: int) -> str | None:
        """Read one scan; return RESPONSE, COMPLETE_RESPONSE, PROGRESSION or None."""
        c = self.clinic
        if burden < c.detection_cells:
            self.undetectable_seen = True
            if self.best != COMPLETE_RESPONSE:
                self.best = COMPLETE_RESPONSE
                self.responded = True
                return COMPLETE_RESPONSE
            return None
        if self.undetectable_seen:
            return PROGRESSION
        self.nadir = min(self.nadir, float(burden))
        if burden >= c.progression_factor * self.nadir:
            return PROGRESSION
        if not self.responded and burden <= c.response_factor * self.baseline:
            self.responded = True
            self.best = RESPONSE
            return RESPONSE
        return None
