"""What a clinic sees: scans read as RECIST 1.1 reads them, and biopsies.

Plain Python: it runs a few dozen times per patient (at detection and at
each scan), never inside a kernel step. What is *given* in answer is the
policy's to decide (:mod:`clonesim.policies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import Clinic
from .outcomes import EventKind, Response

__all__ = ["LineMonitor", "MarkerMonitor", "lesion_diameters_mm", "marker_level",
           "read_marker", "biopsy", "liquid_biopsy", "susceptible_fraction"]

#: Best response first: a line's best is the first of these any scan reached.
_RANK = (Response.COMPLETE_RESPONSE, Response.PARTIAL_RESPONSE, Response.STABLE_DISEASE,
         Response.PROGRESSIVE_DISEASE, Response.NOT_EVALUATED)


def lesion_diameters_mm(site_burdens, clinic: Clinic) -> np.ndarray:
    """Each site's lesion as a scan measures it: the diameter in mm of a sphere
    of ``burden / cells_per_cm3`` cm3, and 0 where the site is below the
    imaging limit (invisible)."""
    cells = np.asarray(site_burdens, dtype=float)
    diameters = 10.0 * np.cbrt(6.0 * (cells / clinic.lesion_cells_per_cm3) / np.pi)
    return np.where(cells >= clinic.imaging_limit, diameters, 0.0)


@dataclass
class LineMonitor:
    """One line's scans, read as RECIST 1.1 reads them (Eisenhauer et al. 2009,
    Eur J Cancer 45:228), with one lesion per site.

    The sum of the visible lesions' diameters (SLD) is compared with its value
    at the start of the line (the baseline) and with its smallest value so far
    (the nadir). A scan is a **complete response** when no lesion is visible;
    a **partial response** when the SLD is at least ``partial_response`` (30%)
    below baseline; **progressive disease** when it is at least
    ``progressive_disease`` (20%) and ``progression_min_mm`` (5 mm) above the
    reference (the nadir, or with ``progression_reference = "baseline"`` the
    baseline), when a site no scan on the line had shown appears (a new
    lesion), or when a lesion reappears after a complete response (nadir
    reference only: adaptive therapy lets it shrink and regrow on purpose);
    **stable disease** otherwise. RECIST's confirmation of a response by a
    second scan is not modelled.
    """

    clinic: Clinic
    site_names: tuple[str, ...]
    baseline_burdens: np.ndarray
    seen_sites: set = field(default_factory=set)
    baseline: float = 0.0  # total burden at the start of the line (cells)
    baseline_sld: float = 0.0
    nadir_sld: float = 0.0
    best: Response = Response.NOT_EVALUATED
    complete_seen: bool = False
    detail: str = ""

    def __post_init__(self):
        d = lesion_diameters_mm(self.baseline_burdens, self.clinic)
        self.baseline = float(np.sum(self.baseline_burdens))
        self.baseline_sld = self.nadir_sld = float(d.sum())
        self.seen_sites |= {n for n, x in zip(self.site_names, d) if x > 0}

    def assess(self, site_burdens) -> EventKind | None:
        """Read one scan of the sites' burdens; return the event it is (partial or
        complete response the first time, progression) or None. ``self.detail``
        says what the scan measured."""
        c = self.clinic
        d = lesion_diameters_mm(site_burdens, c)
        visible = [n for n, x in zip(self.site_names, d) if x > 0]
        sld = float(d.sum())
        fresh = [n for n in visible if n not in self.seen_sites]
        self.seen_sites.update(visible)
        by_nadir = c.progression_reference == "nadir"
        reference = self.nadir_sld if by_nadir else self.baseline_sld
        if fresh:
            verdict, self.detail = Response.PROGRESSIVE_DISEASE, "new lesion: " + ", ".join(fresh)
        elif not visible:
            verdict, self.detail = Response.COMPLETE_RESPONSE, "no visible lesion"
        elif self.complete_seen and by_nadir:
            verdict = Response.PROGRESSIVE_DISEASE
            self.detail = f"a lesion is back after a complete response ({sld:.1f} mm)"
        elif sld >= (1 + c.progressive_disease) * reference and \
                sld - reference >= c.progression_min_mm:
            verdict = Response.PROGRESSIVE_DISEASE
            self.detail = (f"sum of diameters {sld:.1f} mm, +{100 * (sld / reference - 1):.0f}% "
                           f"over its {'nadir' if by_nadir else 'baseline'} {reference:.1f} mm"
                           if reference > 0 else f"sum of diameters {sld:.1f} mm")
        elif sld <= (1 - c.partial_response) * self.baseline_sld:
            verdict = Response.PARTIAL_RESPONSE
            self.detail = (f"sum of diameters {sld:.1f} mm, "
                           f"{100 * (sld / self.baseline_sld - 1):.0f}% from baseline")
        else:
            verdict, self.detail = Response.STABLE_DISEASE, f"sum of diameters {sld:.1f} mm"
        self.nadir_sld = min(self.nadir_sld, sld)
        self.complete_seen |= verdict == Response.COMPLETE_RESPONSE
        improved = _RANK.index(verdict) < _RANK.index(self.best)
        if improved:
            self.best = verdict
        if verdict == Response.PROGRESSIVE_DISEASE:
            return EventKind.PROGRESSION
        if improved and verdict == Response.COMPLETE_RESPONSE:
            return EventKind.COMPLETE_RESPONSE
        if improved and verdict == Response.PARTIAL_RESPONSE:
            return EventKind.PARTIAL_RESPONSE
        return None


def marker_level(site_burdens, shedding, clinic: Clinic) -> float:
    """The true level of the blood marker: background plus what every site's
    cells shed (cells x shedding x units per cell)."""
    return clinic.marker_background + clinic.marker_per_cell * float(
        np.dot(np.asarray(site_burdens, dtype=float), shedding))


def read_marker(level: float, clinic: Clinic, rng: np.random.Generator) -> float:
    """One measurement: the level times log-normal noise, exp(sigma Z)."""
    return level * float(np.exp(clinic.marker_noise * rng.standard_normal()))


@dataclass
class MarkerMonitor:
    """The marker over one line: progression on a confirmed rise, two readings
    in a row at least ``marker_progression`` times the lowest on the line (the
    baseline reading included) and ``marker_min_rise`` units above it. Off when
    marker_progression is 0."""

    clinic: Clinic
    nadir: float
    above: int = 0
    detail: str = ""

    def assess(self, reading: float) -> bool:
        """Take one reading; whether the rise is now confirmed."""
        factor = self.clinic.marker_progression
        if (factor > 0 and reading >= factor * self.nadir
                and reading - self.nadir >= self.clinic.marker_min_rise):
            self.above += 1
        else:
            self.above = 0
        ratio = f"{reading / self.nadir:.2f}x" if self.nadir > 0 else "above"
        self.detail = f"marker {reading:.3g}, {ratio} its nadir {self.nadir:.3g}, twice in a row"
        self.nadir = min(self.nadir, reading)
        return self.above >= 2


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


def liquid_biopsy(counts: np.ndarray, sites: np.ndarray, shedding: np.ndarray, k: int,
                  rng: np.random.Generator) -> np.ndarray:
    """``k`` reads of circulating tumour DNA: each from a cell of any site, drawn
    in proportion to the clone's cells times its site's shedding (multinomial,
    as :func:`biopsy`). Unlike a tissue biopsy it sees every site at once,
    the brain's clone too, if the brain sheds."""
    weight = counts.astype(float) * shedding[sites]
    total = weight.sum()
    if total == 0:
        return np.zeros_like(counts)
    return rng.multinomial(k, weight / total)


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
