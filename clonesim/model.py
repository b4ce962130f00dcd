"""Config -> flat arrays: the only place that knows both the config objects
and the kernel's array layout.

A cell's *type* is one int64: the resistance genotype (bit j = resistant to
drug j) in the low ``n_drugs`` bits, and above them a class index
``site * n_states + state`` for the phenotype state and the metastatic site.
Scenarios without [states] or [sites] have one of each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Config
from .engine import kernel as K

__all__ = ["ModelArrays", "build_model", "genotype_label"]


@dataclass(frozen=True)
class ModelArrays:
    """The model as the kernel sees it, plus the names to read results by."""

    drug_names: tuple[str, ...]
    state_names: tuple[str, ...]
    site_names: tuple[str, ...]
    cls_rates: np.ndarray  # (n_classes, 3): base birth, base death, total move-out rate
    moves: np.ndarray  # (n_classes, n_classes): switching and migration rates
    drug_f: np.ndarray  # (n_drugs, 6): see the DRUG_* columns in engine.kernel
    targets: np.ndarray  # (n_drugs, n_states): 1.0 where the drug acts on the state
    penetration: np.ndarray  # (n_drugs, n_sites): fraction of the drug's effect at the site
    capacity: np.ndarray  # (n_sites,): logistic carrying capacity, 0 = none
    params: np.ndarray  # detection, lethal, step tolerance, record interval
    dims: np.ndarray  # n_drugs, n_states, n_sites
    initial: tuple[tuple[int, int], ...]  # (type id, cells) at day 0

    @property
    def n_drugs(self) -> int:
        return len(self.drug_names)

    @property
    def n_types(self) -> int:
        return (1 << self.n_drugs) * len(self.state_names) * len(self.site_names)

    def drug_mask(self, names) -> int:
        """Bitmask of a set of drug names."""
        mask = 0
        for name in names:
            mask |= 1 << self.drug_names.index(name)
        return mask

    def decode(self, type_id: int) -> tuple[int, str, str]:
        """(genotype bitmask, state name, site name) of a type id."""
        geno = type_id & ((1 << self.n_drugs) - 1)
        cls = type_id >> self.n_drugs
        n_states = len(self.state_names)
        return geno, self.state_names[cls % n_states], self.site_names[cls // n_states]

    def label(self, type_id: int) -> str:
        """A reader's name for a type: ``"resistant to A+B"``, with the state
        and site added when the scenario has more than one of either."""
        geno, state, site = self.decode(type_id)
        parts = [genotype_label(geno, self.drug_names)]
        if len(self.state_names) > 1:
            parts.append(state)
        if len(self.site_names) > 1:
            parts.append(site)
        return ", ".join(parts)


def genotype_label(geno: int, drug_names) -> str:
    """``"sensitive"`` or ``"resistant to A+B"`` for a genotype bitmask."""
    names = [name for j, name in enumerate(drug_names) if (geno >> j) & 1]
    return "resistant to " + "+".join(names) if names else "sensitive"


def build_model(cfg: Config) -> ModelArrays:
    """Translate a validated :class:`~clonesim.config.Config` into kernel arrays."""
    names = cfg.drug_names
    states = list(cfg.states)
    sites = list(cfg.sites)
    n, n_states = len(names), len(states)
    drug_f = np.zeros((n, 6))
    targets = np.ones((n, n_states))
    penetration = np.ones((n, len(sites)))
    for j, name in enumerate(names):
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
                moves[c, sites.index(other) * n_states + pi] += rate
    cls_rates[:, 2] = moves.sum(axis=1)

    fractions = _state_fractions(cfg, states)
    initial: dict[int, int] = {}
    mask_of = {name: 1 << j for j, name in enumerate(names)}
    groups = [(0, int(t.initial_cells))]
    for label, cells in t.initial_resistant.items():
        geno = 0
        for name in label.split("+"):
            geno |= mask_of[name]
        groups.append((geno, int(cells)))
    for geno, cells in groups:  # every group starts at the first site, split over states
        for pi, share in enumerate(_split(cells, fractions)):
            if share:
                type_id = (pi << n) | geno
                initial[type_id] = initial.get(type_id, 0) + share
    return ModelArrays(
        drug_names=names,
        state_names=tuple(states),
        site_names=tuple(sites),
        cls_rates=cls_rates,
        moves=moves,
        drug_f=drug_f,
        targets=targets,
        penetration=penetration,
        capacity=np.array([cfg.sites[s].carrying_capacity or 0.0 for s in sites]),
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
