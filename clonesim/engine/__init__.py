"""The engine: the kernels and the thin Python state that feeds them.

:class:`EngineState` owns every array one virtual patient needs, sizes and
grows them, and calls :func:`~clonesim.engine.kernel.advance` in chunks until
it returns something other than "chunk done" or "record buffer full".

The kernels come compiled ahead of time (:mod:`~clonesim.engine.aot`, built
at install) when that module is present and current, or else from numba's
just-in-time compiler: same code, same results. ``CLONESIM_KERNELS`` chooses:
``auto`` (the default), ``aot`` (fail if the built module is missing or stale)
or ``jit``. Importing this package does not import numba; only the JIT does.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from . import layout as K

__all__ = ["EngineState", "K", "RecordsTooLarge", "kernels", "kernels_cached", "lineage_law",
           "sample_birth_death"]


def __getattr__(name):
    # the numba-compiled birth-death law, imported (with numba) only when asked for
    if name in ("lineage_law", "sample_birth_death"):
        from . import birth_death
        return getattr(birth_death, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


CHUNK_STEPS = 100_000

#: The most clone counts one patient's trajectory may hold, sparse while it
#: runs (two int64 each: 80 MB) and as a table of records x cell types at the
#: end (one int64 each: 40 MB; some 200 MB as the CSV of ``clonesim run``).
#: The shipped scenarios need 15,000 at most; thousands of live genotypes
#: (16 drugs at a high mutation rate) would fill memory and disk instead.
MAX_RECORD_ENTRIES = 5_000_000


#: CPU seconds numba takes to compile the kernels for one ``classic_98_2``
#: patient on the 2-core test machine (``benchmarks/startup.md``), when the
#: ahead-of-time module is missing or stale.
COLD_COMPILE_SECONDS = 17

KERNEL_CHOICES = ("auto", "aot", "jit")

_announced = False
_kernels = None  # the module chosen by kernels(), once per process
_why_jit = ""  # why the ahead-of-time module is not used, for the compile message


def _load_aot():
    """The built ahead-of-time module, or the reason it cannot be used."""
    from . import aot
    try:
        from . import _kernels_aot as module
    except ImportError as exc:
        return None, f"the ahead-of-time kernels are not built ({exc})"
    if module.source_digest() != aot.source_digest():
        return None, ("the ahead-of-time kernels were built from other kernel sources; "
                      "reinstall clonesim (python -m pip install -e .) to rebuild them")
    return module, ""


def kernels():
    """The kernel module this process uses: the ahead-of-time build when it is
    present and current (unless ``CLONESIM_KERNELS=jit``), else
    :mod:`clonesim.engine.kernel` compiled just in time. Both export
    ``advance``, ``thin_site``, ``record_row`` and ``slot_for``."""
    global _kernels, _why_jit
    if _kernels is not None:
        return _kernels
    choice = os.environ.get("CLONESIM_KERNELS", "auto").strip().lower() or "auto"
    if choice not in KERNEL_CHOICES:
        from ..config import ConfigError
        raise ConfigError(f"environment variable CLONESIM_KERNELS = "
                          f"{os.environ['CLONESIM_KERNELS']!r}: allowed are "
                          f"{', '.join(KERNEL_CHOICES)} (auto: the ahead-of-time build when "
                          f"current, else numba's JIT)")
    module = None
    if choice == "jit":
        _why_jit = "CLONESIM_KERNELS=jit"
    else:
        module, _why_jit = _load_aot()
        if module is None and choice == "aot":
            from ..config import ConfigError
            raise ConfigError(f"environment variable CLONESIM_KERNELS = 'aot': {_why_jit}")
    if module is None:
        from . import kernel as module
    _kernels = module
    return module


def _is_jit(module) -> bool:
    return module.__name__ == f"{__name__}.kernel"


def _kernels_for(kernel_model, drugs):
    """:func:`kernels`, unless a model's arrays are not of the layout the
    ahead-of-time build was compiled for (it would misread them): then the JIT,
    which compiles for whatever it is given."""
    module = kernels()
    if _is_jit(module) or (K.fits_compiled(kernel_model) and K.fits_compiled(drugs)):
        return module
    from . import kernel
    return kernel


def kernels_cached() -> bool:
    """Whether the first simulation can start without compiling: the
    ahead-of-time kernels are in use, or numba's cache holds the compiled
    :func:`~clonesim.engine.kernel.advance` for this source (or it is compiled
    in this process already). ``True`` when it cannot tell."""
    module = kernels()
    if not _is_jit(module):
        return True
    advance = module.advance
    if getattr(advance, "overloads", True):  # compiled already, or JIT disabled
        return True
    try:
        # numba's own check: the index is empty when missing or stale
        return bool(advance._cache._cache_file._load_index())
    except Exception:  # a numba without these internals, or JIT disabled
        return True


def announce_compile() -> None:
    """Say once per process, before it happens, that the kernels are being
    compiled: a cold start without the ahead-of-time build (a source checkout
    whose build failed, kernels edited since) is otherwise a silent wait.
    Nothing is printed when no compile is needed."""
    global _announced
    if _announced:
        return
    _announced = True
    if not kernels_cached():
        why = f" ({_why_jit})" if _why_jit else ""
        print(f"clonesim: compiling the simulation kernels once (about "
              f"{COLD_COMPILE_SECONDS} s; cached afterwards){why}...", file=sys.stderr, flush=True)


class _PerModel:
    """What every patient of one model starts from, computed for the first one.

    ``slots``, ``slot_of``: the initial slots' rows (types, counts, cached
    rates) and the type -> slot map, so later patients copy them instead of
    calling :func:`~clonesim.engine.kernel.slot_for` once per initial type;
    ``shape`` and ``kernel_model``: the array sizes and the model's group.
    ``kernels``: the kernel module for this model (:func:`_kernels_for`).
    ``advance``: its ``advance`` as called: the ahead-of-time one, or for the
    JIT the compiled entry point numba's dispatcher would pick, kept in
    :data:`_ADVANCE` under ``key`` (the numba types of the model's arrays),
    since the dispatcher types every array of every group on each call (some
    40 us, a tenth of a small tumour). All give exactly what the kernels would
    (same compiled code, same values): bit-identical results.
    """

    def __init__(self, state):
        n = state.n_slots
        c = state.clones
        self.slots = (n, c.types[:n].copy(), c.counts[:n].copy(),
                      c.slot_static[:n].copy(), c.slot_single[:n].copy())
        self.slot_of = c.slot_of.copy()  # -1 but at the initial types
        self.shape = (c.counts.size, c.slot_single.shape[1], c.site_tot.size)
        self.kernel_model = state.kernel_model  # the model's own arrays, never written
        self.kernels = state.kernels
        self.advance = None if _is_jit(self.kernels) else self.kernels.advance
        # numba's type of every model-owned array (dtype, ndim, layout, writeable,
        # aligned); the state-owned arrays are always fresh C-contiguous ones
        model_arrays = (*state.kernel_model, *state.drugs[:3])
        self.key = tuple((a.dtype.str, a.ndim, a.flags.c_contiguous, a.flags.f_contiguous,
                          a.flags.writeable, a.flags.aligned) for a in model_arrays)
        #: type id -> label, filled as types appear (``model.label`` builds
        #: each string anew, some 4 us a type a patient)
        self.labels: dict[int, str] = {}


#: The compiled advance for each model-array type key (see :class:`_PerModel`);
#: resolving one costs numba's typing of every argument, so once per process.
_ADVANCE: dict[tuple, object] = {}


def _compiled(dispatcher, args):
    """The compiled entry point of ``dispatcher`` for exactly these argument
    types, or the dispatcher itself when there is none (JIT disabled)."""
    overloads = getattr(dispatcher, "overloads", None)
    if not overloads:
        return dispatcher
    from numba import typeof
    cres = overloads.get(tuple(typeof(a) for a in args))
    return dispatcher if cres is None else cres.entry_point


class RecordsTooLarge(Exception):
    """A trajectory past :data:`MAX_RECORD_ENTRIES`; the runner says which keys to change."""

    def __init__(self, entries: int, rows: int, live: int, t: float):
        self.entries, self.rows, self.live, self.t = entries, rows, live, t
        super().__init__(f"{entries:,} clone counts in {rows:,} records by day {t:.0f}")


class EngineState:
    """Clone counts, therapy state and the recorded trajectory of one patient.

    The arrays live in the kernel's argument groups (:mod:`clonesim.engine.kernel`):
    ``clones``, ``counters``, ``records``, ``drugs`` and ``kernel_model``.

    Parameters
    ----------
    model
        A :class:`clonesim.model.ModelArrays`.
    record_rows
        Initial room for trajectory rows; it doubles when full.
    """

    def __init__(self, model, record_rows: int = 256):
        announce_compile()
        self.model = model
        per_model = model.engine_cache.get("start")
        if per_model is not None:
            cap, n_drugs, n_sites = per_model.shape
            self.kernel_model = per_model.kernel_model
            self.kernels = per_model.kernels
        else:
            cap, n_drugs, n_sites = model.n_types, model.n_drugs, len(model.site_names)
            self.kernel_model = K.Model(cls_rates=model.cls_rates, moves=model.moves,
                                        sites=model.sites, params=model.params,
                                        dims=model.dims)
        # One slot per type that has ever held a cell. Sized for the whole type
        # space (at most 2**16 * states * sites) so that a step never runs out
        # of slots; the arrays are calloc'ed and only touched pages cost memory.
        # The kernels' argument groups (see engine.kernel), built once per
        # patient; the kernels change their arrays in place. The record
        # buffers start small (the kernel asks for more before a step, so
        # their size never changes a result) and double when full.
        zeros, i8 = np.zeros, np.int64
        self.clones = K.Clones(
            counts=zeros(cap, dtype=i8),
            types=zeros(cap, dtype=i8),
            slot_of=np.full(cap, -1, dtype=i8) if per_model is None else per_model.slot_of.copy(),
            incoming=zeros(cap, dtype=i8),
            exposure=zeros(cap),
            slot_static=zeros((cap, 4)),
            slot_single=zeros((cap, n_drugs)),
            scratch=zeros((cap, 2)),
            site_tot=zeros(n_sites))
        self.counters = K.Counters(ints=zeros(4, dtype=i8), clock=zeros(2))
        self.records = K.Records(
            rec_t=zeros(record_rows),
            rec_ptr=zeros(record_rows + 1, dtype=i8),
            rec_slot=zeros(record_rows * 4, dtype=i8),
            rec_count=zeros(record_rows * 4, dtype=i8))
        self.drugs = K.Drugs(
            drug_f=model.drug_f, targets=model.targets, penetration=model.penetration,
            given=zeros(n_drugs), next_dose=np.full(n_drugs, np.inf))
        if per_model is not None:
            self._per_model = per_model
            n, types, counts, static, single = per_model.slots
            c = self.clones
            c.types[:n], c.counts[:n] = types, counts
            c.slot_static[:n], c.slot_single[:n] = static, single
            self.counters.ints[K.N_SLOTS] = n
        else:
            self.kernels = _kernels_for(self.kernel_model, self.drugs)
            for type_id, cells in model.initial:
                k = self._slot(type_id)
                self.counts[k] += cells
            self._per_model = model.engine_cache["start"] = _PerModel(self)

    # -- state --------------------------------------------------------------

    @property
    def counts(self) -> np.ndarray:
        """Cells in each slot (the kernel's array: slots beyond ``n_slots`` are unused)."""
        return self.clones.counts

    @property
    def types(self) -> np.ndarray:
        """Type id of each slot (as :attr:`counts`)."""
        return self.clones.types

    @property
    def t(self) -> float:
        return float(self.counters.clock[K.T_NOW])

    @property
    def n_slots(self) -> int:
        return int(self.counters.ints[K.N_SLOTS])

    @property
    def steps(self) -> int:
        return int(self.counters.ints[K.N_STEPS])

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
        self.kernels.thin_site(site, fraction, self.clones, self.counters, self.kernel_model, rng)
        self.record()

    def record(self) -> None:
        """Append the current counts to the trajectory."""
        ints, rec = self.counters.ints, self.records
        if (ints[K.N_REC] + 2 > rec.rec_t.size
                or ints[K.N_ENTRIES] + 2 * self.n_slots > rec.rec_slot.size):
            self._grow_records()
        self.kernels.record_row(self.t, self.clones, self.counters, self.records)

    def _slot(self, type_id: int) -> int:
        return int(self.kernels.slot_for(type_id, self.clones, self.counters, self.kernel_model,
                                         self.drugs))

    # -- therapy ------------------------------------------------------------

    def give(self, drug_mask: int) -> None:
        """Give exactly the drugs in ``drug_mask`` from now on; pulsed drugs
        that were not already given receive their first dose now."""
        t = self.t
        given, next_dose = self.drugs.given, self.drugs.next_dose
        for j in range(self.model.n_drugs):
            on = bool((drug_mask >> j) & 1)
            if on and given[j] == 0.0:
                next_dose[j] = t
            if not on:
                next_dose[j] = np.inf
            given[j] = 1.0 if on else 0.0

    # -- running ------------------------------------------------------------

    def run_until(self, t_stop: float, rng: np.random.Generator,
                  watch_detection: bool = False) -> int:
        """Advance to ``t_stop`` or the first event; return the kernel's exit code."""
        per_model = self._per_model
        while True:
            args = (self.clones, self.counters, self.records, self.kernel_model, self.drugs,
                    float(t_stop), bool(watch_detection), CHUNK_STEPS, rng)
            advance = per_model.advance
            if advance is None:  # the JIT's first call for this model: compiles or loads
                code = self.kernels.advance(*args)
                per_model.advance = _ADVANCE.setdefault(
                    per_model.key, _compiled(self.kernels.advance, args))
            else:
                code = advance(*args)
            if code == K.RECORD_FULL:
                self._grow_records()
            elif code != K.CHUNK_DONE:
                return code

    def _grow_records(self) -> None:
        rec = self.records
        rows = rec.rec_t.size * 2
        entries = max(rec.rec_slot.size * 2,
                      int(self.counters.ints[K.N_ENTRIES]) + 8 * self.n_slots)
        if entries > MAX_RECORD_ENTRIES:
            raise RecordsTooLarge(int(self.counters.ints[K.N_ENTRIES]),
                                  int(self.counters.ints[K.N_REC]), self.n_slots, self.t)
        self.records = K.Records(rec_t=np.resize(rec.rec_t, rows),
                                 rec_ptr=np.resize(rec.rec_ptr, rows + 1),
                                 rec_slot=np.resize(rec.rec_slot, entries),
                                 rec_count=np.resize(rec.rec_count, entries))

    # -- output -------------------------------------------------------------

    def labels(self, type_ids) -> list[str]:
        """A reader's name for each of ``type_ids`` (``model.label``), kept per model."""
        cache, label = self._per_model.labels, self.model.label
        out = []
        for t in type_ids.tolist():
            name = cache.get(t)
            if name is None:
                name = cache[t] = label(t)
            out.append(name)
        return out

    def trajectory(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(times, type_ids, counts)``: counts has one column per type
        ever seen, in order of first appearance."""
        rows = int(self.counters.ints[K.N_REC])
        n = self.n_slots
        if rows * n > MAX_RECORD_ENTRIES:
            raise RecordsTooLarge(rows * n, rows, n, self.t)
        rec = self.records
        dense = np.zeros((rows, n), dtype=np.int64)
        ptr = rec.rec_ptr[: rows + 1]
        z = int(ptr[rows])
        # entry e of row r sits at flat index r * n + slot (plain index
        # arithmetic: np.diff and 2-d fancy indexing cost ~10 us a patient)
        flat = np.repeat(np.arange(rows) * n, ptr[1:] - ptr[:-1])
        flat += rec.rec_slot[:z]
        dense.reshape(-1)[flat] = rec.rec_count[:z]
        return rec.rec_t[:rows].copy(), self.types[:n].copy(), dense
