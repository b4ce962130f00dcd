"""The engine: numba kernels and the thin Python state that feeds them.

:class:`EngineState` owns every array one virtual patient needs, sizes and
grows them, and calls :func:`~clonesim.engine.kernel.advance` in chunks until
it returns something other than "chunk done" or "record buffer full".
"""

from __future__ import annotations

import numpy as np

from . import kernel as K
from .birth_death import lineage_law, sample_birth_death

__all__ = ["EngineState", "K", "lineage_law", "sample_birth_death"]

CHUNK_STEPS = 100_000


class EngineState:
    """Clone counts, therapy state and the recorded trajectory of one patient.

    Parameters
    ----------
    model
        A :class:`clonesim.model.ModelArrays`.
    record_rows
        Initial room for trajectory rows; it doubles when full.
    """

    def __init__(self, model, record_rows: int = 4096):
        self.model = model
        n_types = model.n_types
        # One slot per type that has ever held a cell. Sized for the whole type
        # space (at most 2**16 * states * sites) so that a step never runs out
        # of slots; the arrays are calloc'ed and only touched pages cost memory.
        cap = n_types
        self.counts = np.zeros(cap, dtype=np.int64)
        self.types = np.zeros(cap, dtype=np.int64)
        self.slot_of = np.full(n_types, -1, dtype=np.int64)
        self.incoming = np.zeros(cap, dtype=np.int64)
        self.exposure = np.zeros(cap)
        self.slot_static = np.zeros((cap, 4))
        self.slot_single = np.zeros((cap, model.n_drugs))
        self.scratch = np.zeros((cap, 2))
        self.site_tot = np.zeros(len(model.site_names))
        self.ints = np.zeros(4, dtype=np.int64)
        self.clock = np.zeros(2)
        self.given = np.zeros(model.n_drugs)
        self.next_dose = np.full(model.n_drugs, np.inf)
        self.rec_t = np.zeros(record_rows)
        self.rec_ptr = np.zeros(record_rows + 1, dtype=np.int64)
        self.rec_slot = np.zeros(record_rows * 4, dtype=np.int64)
        self.rec_count = np.zeros(record_rows * 4, dtype=np.int64)
        for type_id, cells in model.initial:
            k = self._slot(type_id)
            self.counts[k] += cells

    # -- state --------------------------------------------------------------

    @property
    def t(self) -> float:
        return float(self.clock[K.T_NOW])

    @property
    def n_slots(self) -> int:
        return int(self.ints[K.N_SLOTS])

    @property
    def steps(self) -> int:
        return int(self.ints[K.N_STEPS])

    def burden(self) -> int:
        """Total cells now."""
        return int(self.counts[: self.n_slots].sum())

    def counts_by_type(self) -> dict[int, int]:
        """Non-zero counts now, by type id."""
        n = self.n_slots
        return {int(t): int(c) for t, c in zip(self.types[:n], self.counts[:n]) if c}

    def site_of_slots(self) -> np.ndarray:
        """Site index of every slot in use."""
        return self.model.cell_types.site(self.types[: self.n_slots])

    def burden_by_site(self) -> np.ndarray:
        """Cells at each site now."""
        return np.bincount(self.site_of_slots(), weights=self.counts[: self.n_slots],
                           minlength=len(self.model.site_names)).astype(np.int64)

    def thin_site(self, site: int, fraction: float, rng: np.random.Generator) -> None:
        """Remove ``fraction`` of one site's cells, each independently (surgery,
        radiation); the trajectory gets a row before and after."""
        self.record()
        K.thin_site(site, fraction, self.counts, self.types, self.ints, self.model.dims, rng)
        self.record()

    def record(self) -> None:
        """Append the current counts to the trajectory."""
        if (self.ints[K.N_REC] + 2 > self.rec_t.size
                or self.ints[K.N_ENTRIES] + 2 * self.n_slots > self.rec_slot.size):
            self._grow_records()
        K.record_row(self.t, self.counts, self.ints, self.rec_t, self.rec_ptr, self.rec_slot,
                     self.rec_count)

    def _slot(self, type_id: int) -> int:
        m = self.model
        return int(K.slot_for(type_id, self.counts, self.types, self.slot_of, self.slot_static,
                              self.slot_single, self.ints, m.cls_rates, m.drug_f, m.dims))

    # -- therapy ------------------------------------------------------------

    def give(self, drug_mask: int) -> None:
        """Give exactly the drugs in ``drug_mask`` from now on; pulsed drugs
        that were not already given receive their first dose now."""
        t = self.t
        for j in range(self.model.n_drugs):
            on = bool((drug_mask >> j) & 1)
            if on and self.given[j] == 0.0:
                self.next_dose[j] = t
            if not on:
                self.next_dose[j] = np.inf
            self.given[j] = 1.0 if on else 0.0

    # -- running ------------------------------------------------------------

    def run_until(self, t_stop: float, rng: np.random.Generator,
                  watch_detection: bool = False) -> int:
        """Advance to ``t_stop`` or the first event; return the kernel's exit code."""
        m = self.model
        while True:
            code = K.advance(
                self.counts, self.types, self.slot_of, self.incoming, self.exposure,
                self.slot_static, self.slot_single, self.scratch, self.site_tot, self.ints,
                self.clock, self.given, self.next_dose,
                self.rec_t, self.rec_ptr, self.rec_slot, self.rec_count,
                m.cls_rates, m.moves, m.drug_f, m.targets, m.penetration, m.capacity, m.params,
                m.dims,
                float(t_stop), watch_detection, CHUNK_STEPS, rng)
            if code == K.RECORD_FULL:
                self._grow_records()
            elif code != K.CHUNK_DONE:
                return code

    def _grow_records(self) -> None:
        rows = self.rec_t.size * 2
        entries = max(self.rec_slot.size * 2, int(self.ints[K.N_ENTRIES]) + 8 * self.n_slots)
        self.rec_t = np.resize(self.rec_t, rows)
        self.rec_ptr = np.resize(self.rec_ptr, rows + 1)
        self.rec_slot = np.resize(self.rec_slot, entries)
        self.rec_count = np.resize(self.rec_count, entries)

    # -- output -------------------------------------------------------------

    def trajectory(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(times, type_ids, counts)``: counts has one column per type
        ever seen, in order of first appearance."""
        rows = int(self.ints[K.N_REC])
        n = self.n_slots
        dense = np.zeros((rows, n), dtype=np.int64)
        ptr = self.rec_ptr[: rows + 1]
        row_of_entry = np.repeat(np.arange(rows), np.diff(ptr))
        z = int(ptr[-1])
        dense[row_of_entry, self.rec_slot[:z]] = self.rec_count[:z]
        return self.rec_t[:rows].copy(), self.types[:n].copy(), dense
