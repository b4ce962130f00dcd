"""Cell types: the one place that knows how a type id is laid out.

A cell's *type* is one int64: the resistance genotype (bit j = resistant to
drug j) in the low ``n_drugs`` bits, and above them a phenotype *class*
``site * n_states + state``. Scenarios without [states] or [sites] have one
of each, so their type id is the genotype.

Every method takes an int or a numpy array of ints and answers in kind, so
results, policies and plots read whole trajectories without a Python loop.
The kernels, which cannot hold this object, use ``engine.kernel.decode``:
the same arithmetic, compiled (``tests/test_celltypes.py`` checks they agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

__all__ = ["CellTypes", "genotype_label"]


@dataclass(frozen=True)
class CellTypes:
    """The type-id layout of one scenario: its drugs, states and sites, in config order."""

    drug_names: tuple[str, ...]  # the genotype's bits: drugs, then cross-resistance mechanisms
    state_names: tuple[str, ...] = ("default",)
    site_names: tuple[str, ...] = ("primary",)
    #: per bit, the bits that protect against it: its own, and the mechanisms
    #: covering that drug (empty: each bit protects only itself)
    protect: tuple[int, ...] = ()

    @classmethod
    def of(cls, config) -> "CellTypes":
        """The layout of a :class:`~clonesim.Config`."""
        bits = tuple(config.bit_names)
        protect = tuple((1 << j) | sum(1 << bits.index(m) for m, mech in
                                       config.mechanisms.items() if name in mech.protects)
                        for j, name in enumerate(bits))
        return cls(bits, tuple(config.states), tuple(config.sites), protect)

    @property
    def n_drugs(self) -> int:
        return len(self.drug_names)

    @property
    def n_states(self) -> int:
        return len(self.state_names)

    @property
    def n_sites(self) -> int:
        return len(self.site_names)

    @property
    def n_types(self) -> int:
        return (1 << self.n_drugs) * self.n_states * self.n_sites

    # -- decoding (ints or arrays) -------------------------------------------

    def genotype(self, ids):
        """Resistance bitmask: bit j set = resistant to drug j."""
        return ids & ((1 << self.n_drugs) - 1)

    def phenotype_class(self, ids):
        """``site * n_states + state``: the row of the per-class rate tables."""
        return ids >> self.n_drugs

    def state(self, ids):
        """Phenotype state index (config order)."""
        return (ids >> self.n_drugs) % self.n_states

    def site(self, ids):
        """Site index (config order)."""
        return (ids >> self.n_drugs) // self.n_states

    def resistant(self, ids, drug: str | int):
        """True where the type resists ``drug`` (a name or an index): its own
        resistance, or a mechanism that covers it."""
        j = self.drug_names.index(drug) if isinstance(drug, str) else drug
        mask = self.protect[j] if self.protect else 1 << j
        return (self.genotype(ids) & mask) != 0

    # -- encoding -----------------------------------------------------------

    def encode(self, genotype, state=0, site=0):
        """The type id of a genotype bitmask in a state and at a site (indices)."""
        return ((site * self.n_states + state) << self.n_drugs) | genotype

    def drug_mask(self, names: Iterable[str]) -> int:
        """Bitmask of a set of drug names (a line's drugs, a resistance label)."""
        mask = 0
        for name in names:
            mask |= 1 << self.drug_names.index(name)
        return mask

    # -- names --------------------------------------------------------------

    def label(self, type_id: int) -> str:
        """A reader's name for a type: ``"resistant to A+B"``, with the state
        and site added when the scenario has more than one of either."""
        parts = [genotype_label(int(self.genotype(type_id)), self.drug_names)]
        if self.n_states > 1:
            parts.append(self.state_names[int(self.state(type_id))])
        if self.n_sites > 1:
            parts.append(self.site_names[int(self.site(type_id))])
        return ", ".join(parts)

    def labels(self, ids: np.ndarray) -> list[str]:
        return [self.label(int(t)) for t in ids]


def genotype_label(geno: int, drug_names) -> str:
    """``"sensitive"`` or ``"resistant to A+B"`` for a genotype bitmask."""
    names = [name for j, name in enumerate(drug_names) if (geno >> j) & 1]
    return "resistant to " + "+".join(names) if names else "sensitive"
