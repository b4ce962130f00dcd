"""Config -> flat arrays: the only place that knows both the config objects
and the kernel's array layout.

A cell's *type* is one int64: the resistance genotype (bit j = resistant to
drug j) in the low ``n_drugs`` bits, and above them a class index
``site * n_states + state`` for the phenotype state and the metastatic site.
This scenario format has one state and one site; the layout already carries
both so that phenotypes and sites extend the model without a new kernel.
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
    cls_rates: np.ndarray  # (n_states * n_sites, 2): base birth, base death
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

    def label(self, type_id: int) -> str:
        """A reader's name for a type, e.g. ``"resistant to A+B"``."""
        geno = type_id & ((1 << self.n_drugs) - 1)
        return genotype_label(geno, self.drug_names)


def genotype_label(geno: int, drug_names) -> str:
    """``"sensitive"`` or ``"resistant to A+B"`` for a genotype bitmask."""
    names = [name for j, name in enumerate(drug_names) if (geno >> j) & 1]
    return "resistant to " + "+".join(names) if names else "sensitive"


def build_model(cfg: Config) -> ModelArrays:
    """Translate a validated :class:`~clonesim.config.Config` into kernel arrays."""
    names = cfg.drug_names
    n = len(names)
    drug_f = np.zeros((n, 6))
    for j, name in enumerate(names):
        d = cfg.drugs[name]
        drug_f[j, K.DRUG_PULSED] = 1.0 if d.kill == "pulsed" else 0.0
        drug_f[j, K.DRUG_KILL_FRACTION] = d.kill_fraction if d.kill == "pulsed" else 0.0
        drug_f[j, K.DRUG_KILL_RATE] = d.kill_rate if d.kill == "continuous" else 0.0
        drug_f[j, K.DRUG_INTERVAL] = d.dose_interval_days
        drug_f[j, K.DRUG_COST] = d.resistance_cost
        drug_f[j, K.DRUG_MUT] = cfg.drug_mutation_rate(name)
    t = cfg.tumour
    initial = []
    if t.initial_cells:
        initial.append((0, int(t.initial_cells)))
    mask_of = {name: 1 << j for j, name in enumerate(names)}
    for label, cells in t.initial_resistant.items():
        if cells:
            geno = 0
            for name in label.split("+"):
                geno |= mask_of[name]
            initial.append((geno, int(cells)))
    return ModelArrays(
        drug_names=names,
        state_names=("all",),
        site_names=("primary",),
        cls_rates=np.array([[t.birth_rate, t.death_rate]]),
        drug_f=drug_f,
        targets=np.ones((n, 1)),
        penetration=np.ones((n, 1)),
        capacity=np.array([t.carrying_capacity]),
        params=np.array([cfg.clinic.detection_cells, cfg.clinic.lethal_cells,
                         cfg.simulation.step_tolerance, cfg.simulation.record_interval_days]),
        dims=np.array([n, 1, 1], dtype=np.int64),
        initial=tuple(initial),
    )
