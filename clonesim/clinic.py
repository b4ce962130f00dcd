"""What a clinic sees: scans read as response or progression, and biopsies.

Plain Python: it runs a few dozen times per patient (at detection and at
each scan), never inside a kernel step. What is *given* in answer is the
policy's to decide (:mod:`clonesim.policies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import Clinic
from .outcomes import EventKind, Response

__all__ = ["LineMonitor", "biopsy", "susceptible_fraction"]


@dataclass
class LineMonitor:
    """Response and progression on one line, read from scans as a clinic would.

    A scan shows no tumour (*undetectable*) when the burden is below
    ``detection_cells`` and no site reaches ``site_detection_cells``, whatever
    the true count. A scan is a response when the burden is at
    most ``response_factor`` times its value at the start of the line (complete
    when undetectable). It is progression when the burden is at least
    ``progression_factor`` times its reference (the lowest burden seen on the
    line, or with ``progression_reference = "baseline"`` its value at the start
    of the line), when the tumour reappears after a scan found none (nadir
    reference only: adaptive therapy lets it shrink and regrow on purpose), or
    when a site that no scan on this line had seen appears (a new lesion).
    """

    clinic: Clinic
    baseline: float
    seen_sites: set = field(default_factory=set)
    nadir: float = float("nan")
    responded: bool = False
    best: Response = Response.NONE
    undetectable_seen: bool = False
    detail: str = ""

    def __post_init__(self):
        self.nadir = self.baseline

    def assess(self, burden: int, new_sites: list[str] = ()) -> str | None:
        """Read one scan; return the event it is (response, complete response,
        progression) or None.

        ``new_sites`` are the sites this scan sees; any not seen before on the
        line is a new lesion. ``self.detail`` says why, after a progression.
        """
        c = self.clinic
        fresh = [s for s in new_sites if s not in self.seen_sites]
        self.seen_sites.update(new_sites)
        if fresh:
            self.detail = "new site: " + ", ".join(fresh)
            return EventKind.PROGRESSION
        by_nadir = c.progression_reference == "nadir"
        if burden < c.detection_cells and not new_sites:  # the scan shows no tumour
            self.undetectable_seen = True
            if self.best != Response.COMPLETE_RESPONSE:
                self.best = Response.COMPLETE_RESPONSE
                self.responded = True
                return EventKind.COMPLETE_RESPONSE
            return None
        if self.undetectable_seen and by_nadir:
            self.detail = "back after an undetectable scan"
            return EventKind.PROGRESSION
        self.nadir = min(self.nadir, float(burden))
        reference = self.nadir if by_nadir else self.baseline
        if burden >= c.progression_factor * reference:
            self.detail = f"{burden / reference:.1f}x its {'nadir' if by_nadir else 'baseline'}"
            return EventKind.PROGRESSION
        if not self.responded and burden <= c.response_factor * self.baseline:
            self.responded = True
            self.best = Response.RESPONSE
            return EventKind.RESPONSE
        return None


def biopsy(counts: np.ndarray, types: np.ndarray, sites: np.ndarray, site: int, k: int,
           rng: np.random.Generator) -> np.ndarray:
    """Sample ``k`` cells of one site; return how many of each slot were drawn.

    Sampling is multinomial (with replacement): a biopsy takes k of ~1e9 cells,
    so the difference from sampling without replacement is of order k/N.
    """
    here = np.where(sites == site, counts, 0).astype(float)
    total = here.sum()
    if total == 0:
        return np.zeros_like(counts)
    return rng.multinomial(k, here / total)


def susceptible_fraction(sample: np.ndarray, types: np.ndarray, model, drugs) -> float:
    """Fraction of sampled cells susceptible to every drug of a line: not
    resistant to it, and of a phenotype state it targets."""
    n = sample.sum()
    if n == 0:
        return 0.0
    ok = np.ones(len(sample), dtype=bool)
    cell_types = model.cell_types
    state = cell_types.state(types)
    for name in drugs:
        ok &= ~cell_types.resistant(types, name)
        ok &= model.targets[model.drug_names.index(name), state] > 0
    return float(sample[ok].sum() / n)
