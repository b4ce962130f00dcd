"""The frozen settings a scenario is made of: tumour, drugs, states, sites,
therapy, clinic, cohort and simulation.

Plain values with the schema's defaults and no logic: the checks
(:mod:`.checks`) fill them from a scenario file, and they are frozen so that
a patient's run can never change the scenario it was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["Tumour", "Drug", "State", "Site", "LocalTherapy", "Therapy", "CohortSettings",
           "Clinic", "Simulation"]


@dataclass(frozen=True)
class Tumour:
    """The untreated tumour: its size at day 0 and its growth law."""

    initial_cells: int = 1
    birth_rate: float = 0.25
    death_rate: float = 0.20
    carrying_capacity: float = 0.0
    initial_resistant: Mapping[str, int] = field(default_factory=dict)
    condition_on_detection: bool = True


@dataclass(frozen=True)
class Drug:
    """One drug: how it kills, and how cells become resistant to it."""

    name: str
    kill: str = "pulsed"
    kill_fraction: float = 0.98
    dose_interval_days: float = 21.0
    kill_rate: float = 0.0
    mutation_rate: float | None = None
    resistance_cost: float = 0.0
    toxicity: float = 0.0  # per dose (pulsed) or per day (continuous)
    targets: tuple[str, ...] | None = None
    penetration: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Mechanism:
    """A resistance mechanism that covers several drugs at once (cross-resistance)."""

    name: str
    protects: tuple[str, ...] = ()
    mutation_rate: float | None = None  # None: the top-level mutation_rate
    cost: float = 0.0


@dataclass(frozen=True)
class State:
    """A phenotype state (e.g. a receptor profile) and its switching rates."""

    name: str
    initial_fraction: float | None = None
    birth_factor: float = 1.0
    death_factor: float = 1.0
    switch_to: Mapping[str, float] = field(default_factory=dict)
    tropism: Mapping[str, float] = field(default_factory=dict)  # site: migration factor


@dataclass(frozen=True)
class Site:
    """An organ the tumour lives in: the primary or a metastatic site."""

    name: str
    carrying_capacity: float | None = None
    birth_factor: float = 1.0
    death_factor: float = 1.0
    migrate_to: Mapping[str, float] = field(default_factory=dict)
    lethal_cells: float | None = None  # None: only the total (clinic.lethal_cells) kills
    shedding: float = 1.0  # into the blood: markers and circulating tumour DNA
    symptom_cells: float | None = None  # None: no symptoms from this site
    symptom: str = "symptoms"


@dataclass(frozen=True)
class LocalTherapy:
    """Surgery or radiation of one site."""

    kind: str
    site: str
    fraction: float = 0.99
    trigger: str = "site detected"
    day: float = 0.0


@dataclass(frozen=True)
class Therapy:
    """The policy: which lines, how the next is chosen, and local therapies."""

    lines: tuple[tuple[str, ...], ...]
    policy: str = "sequence"
    rebiopsy_cells: int = 100
    rebiopsy_site: str = "largest"
    sensitive_fraction: float = 0.5
    adaptive_pause_at: float = 0.5
    adaptive_resume_at: float = 1.0
    holiday_on_days: float = 0.0
    holiday_off_days: float = 0.0
    toxicity_recovery: float = 0.05
    toxicity_limit: float = 1.0
    toxicity_action: str = "delay"
    local: tuple[LocalTherapy, ...] = ()


@dataclass(frozen=True)
class CohortSettings:
    """Between-patient heterogeneity (dotted key -> distribution table) and
    arms to compare (arm name -> dotted key -> value)."""

    vary: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    arms: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Clinic:
    """How a clinic reads the tumour: diagnosis, scans (RECIST 1.1), death."""

    detection_cells: float = 1e9
    lethal_cells: float = 1e12
    scan_interval_days: float = 28.0
    imaging_limit_cells: float | None = None  # as given; None: see imaging_limit
    cells_per_cm3: float | None = None  # as given; None: see lesion_cells_per_cm3
    partial_response: float = 0.30
    progressive_disease: float = 0.20
    progression_min_mm: float = 5.0
    progression_reference: str = "nadir"
    marker_per_cell: float = 0.0  # 0: no blood marker
    marker_background: float = 10.0
    marker_noise: float = 0.15
    marker_progression: float = 0.0  # 0: read, not used to call progression
    marker_min_rise: float = 5.0

    # The two defaults follow detection_cells, so they are read through these
    # (a sweep over detection_cells then moves them with it).
    @property
    def imaging_limit(self) -> float:
        """The smallest lesion a scan shows, in cells (default: detection_cells / 10)."""
        return self.imaging_limit_cells or self.detection_cells / 10

    @property
    def lesion_cells_per_cm3(self) -> float:
        """Cells per cm3 of lesion (default: detection_cells, 1 cm3 at diagnosis)."""
        return self.cells_per_cm3 or self.detection_cells


@dataclass(frozen=True)
class Simulation:
    """Run length and engine settings."""

    horizon_days: float = 3650.0
    record_interval_days: float = 1.0
    step_tolerance: float = 0.1
