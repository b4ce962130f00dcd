"""Config -> flat arrays: the only place that knows both the config objects
and the kernel's array layout.

How a type id packs genotype, state and site is :mod:`clonesim.celltypes`'s
to say; this module builds the per-class and per-drug tables in that order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .celltypes import CellTypes
from .config import Config
from .engine import layout as K

__all__ = ["ModelArrays", "build_model"]


@dataclass(frozen=True)
class ModelArrays:
    """The model as the kernel sees it, plus the names to read results by."""

    cell_types: CellTypes
    cls_rates: np.ndarray  # (n_classes, 3): base birth, base death, total move-out rate
    moves: np.ndarray  # (n_classes, n_classes): switching and migration rates
    drug_f: np.ndarray  # (n_bits, 7): see the DRUG_* columns in engine.layout (mechanisms last)
    targets: np.ndarray  # (n_drugs, n_states): 1.0 where the drug acts on the state
    penetration: np.ndarray  # (n_drugs, n_sites): fraction of the drug's effect at the site
    sites: np.ndarray  # (n_sites, 2): logistic capacity (0 = none), lethal burden (inf = none)
    params: np.ndarray  # detection, lethal, step tolerance, record interval
    dims: np.ndarray  # n_drugs, n_states, n_sites
    initial: tuple[tuple[int, int], ...]  # (type id, cells) at day 0
    #: what the engine computes once per model for all its patients
    #: (``clonesim.engine._PerModel``), filled by the first patient
    engine_cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def drug_names(self) -> tuple[str, ...]:
        return self.cell_types.drug_names

    @property
    def state_names(self) -> tuple[str, ...]:
        return self.cell_types.state_names

    @property
    def site_names(self) -> tuple[str, ...]:
        return self.cell_types.site_names

    @property
    def n_drugs(self) -> int:
        return self.cell_types.n_drugs

    @property
    def n_types(self) -> int:
        return self.cell_types.n_types

    def drug_mask(self, names) -> int:
        """Bitmask of a set of drug names."""
        return self.cell_types.drug_mask(names)

    def label(self, type_id: int) -> str:
        """A reader's name for a type (see :meth:`CellTypes.label`)."""
        return self.cell_types.label(type_id)


def build_model(cfg: Config) -> ModelArrays:
    """Translate a validated :class:`~clonesim.config.Config` into kernel arrays."""
    cell_types = CellTypes.of(cfg)
    names = cell_types.drug_names
    states = list(cell_types.state_names)
    sites = list(cell_types.site_names)
    n, n_states = len(names), len(states)
    drug_f = np.zeros((n, 7))
    targets = np.ones((n, n_states))
    penetration = np.ones((n, len(sites)))
    drug_f[:, K.DRUG_PROTECT] = cell_types.protect
    for j, name in enumerate(names):
        if name in cfg.mechanisms:  # a bit that is never given: only its mutation and cost
            drug_f[j, K.DRUG_COST] = cfg.mechanisms[name].cost
            drug_f[j, K.DRUG_MUT] = cfg.drug_mutation_rate(name)
            continue
        d = cfg.drugs[name]
        drug_f[j, K.DRUG_PULSED] = 1.0 if d.kill == "pulsed" else 0.0
        drug_f[j, K.DRUG_KILL_FRACTION] = d.kill_fraction if d.kill == "pulsed" else 0.0
        drug_f[j, K.DRUG_KILL_RATE] = d.kill_rate if d.kill == "continuous" else 0.0
        drug_f[j, K.DRUG_INTERVAL] = d.dose_interval_days
        drug_f[j, K.DRUG_COST] = d.resistance_cost
        drug_f[j, K.DRUG_MUT] = cfg.drug_mutation_rate(name)
        if d.targets is not None:
            targets[j] = [1.0 if st in d.targets else 0.0 for st in states]
        for site, x in d.penetration.items():
            penetration[j, sites.index(site)] = x
    t = cfg.tumour
    n_cls = n_states * len(sites)
    cls_rates = np.zeros((n_cls, 3))
    moves = np.zeros((n_cls, n_cls))
    for si, site_name in enumerate(sites):
        site = cfg.sites[site_name]
        for pi, state_name in enumerate(states):
            state = cfg.states[state_name]
            c = si * n_states + pi
            cls_rates[c, 0] = t.birth_rate * state.birth_factor * site.birth_factor
            cls_rates[c, 1] = t.death_rate * state.death_factor * site.death_factor
            for other, rate in state.switch_to.items():  # plasticity: same site, new state
                moves[c, si * n_states + states.index(other)] += rate
            for other, rate in site.migrate_to.items():  # migration: same state, new site
                moves[c, sites.index(other) * n_states + pi] += rate * state.tropism.get(other, 1.0)
    cls_rates[:, 2] = moves.sum(axis=1)

    fractions = _state_fractions(cfg, states)
    initial: dict[int, int] = {}
    groups = [(0, int(t.initial_cells))]
    groups += [(cell_types.drug_mask(label.split("+")), int(cells))
               for label, cells in t.initial_resistant.items()]
    for geno, cells in groups:  # every group starts at the first site, split over states
        for pi, share in enumerate(_split(cells, fractions)):
            if share:
                type_id = cell_types.encode(geno, state=pi)
                initial[type_id] = initial.get(type_id, 0) + share
    return ModelArrays(
        cell_types=cell_types,
        cls_rates=cls_rates,
        moves=moves,
        drug_f=drug_f,
        targets=targets,
        penetration=penetration,
        sites=np.array([[cfg.sites[s].carrying_capacity or 0.0,
                         cfg.sites[s].lethal_cells or np.inf] for s in sites]),
        params=np.array([cfg.clinic.detection_cells, cfg.clinic.lethal_cells,
                         cfg.simulation.step_tolerance, cfg.simulation.record_interval_days]),
        dims=np.array([n, n_states, len(sites)], dtype=np.int64),
        initial=tuple(initial.items()),
    )


def _state_fractions(cfg: Config, states: list[str]) -> np.ndarray:
    given = [cfg.states[s].initial_fraction for s in states]
    if all(f is None for f in given):
        out = np.zeros(len(states))
        out[0] = 1.0
        return out
    return np.array([f or 0.0 for f in given])


def _split(cells: int, fractions: np.ndarray) -> list[int]:
    """Split a whole number of cells by fractions, largest remainders first,
    so the parts add up exactly and no randomness is needed."""
    raw = cells * fractions
    parts = np.floor(raw).astype(np.int64)
    short = cells - int(parts.sum())
    for i in np.argsort(-(raw - parts), kind="stable")[:short]:
        parts[i] += 1
    return [int(x) for x in parts]
