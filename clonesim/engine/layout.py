"""The engine's data layout: exit codes, table columns and argument groups.

Plain Python, no numba: everything outside the kernels (the model builder,
the runners, the course) reads these names, and importing them must not
import the compiler. :mod:`clonesim.engine.kernel` (the ``@njit`` kernels)
and :mod:`clonesim.engine.aot` (the same kernels compiled ahead of time)
both take their arrays in the groups defined here.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

# Exit codes of :func:`advance`.
CHUNK_DONE = 0  # max_steps taken; call again (lets Python handle Ctrl-C, progress)
REACHED_T_STOP = 1
EXTINCT = 2
LETHAL = 3
DETECTED = 4
RECORD_FULL = 5  # the record buffers need to grow; call again after growing

EXIT_NAMES = ("chunk done", "reached t_stop", "extinct", "lethal", "detected", "record full")

#: Up to this many mutant arrivals per step and target are timed one by one.
EXACT_ARRIVALS = 4

# Columns of the per-drug parameter table ``drug_f``.
DRUG_PULSED, DRUG_KILL_FRACTION, DRUG_KILL_RATE, DRUG_INTERVAL, DRUG_COST, DRUG_MUT, \
    DRUG_PROTECT = range(7)
# A row per genotype bit: the drugs, then the cross-resistance mechanisms (rows
# that are never given, with a mutation rate and a cost). DRUG_PROTECT holds
# the bits that protect against the row's drug (as a float: exact below 2**53).
# Columns of the per-slot static table ``slot_static``.
SLOT_BIRTH, SLOT_Q, SLOT_MULTI, SLOT_ANY = range(4)
# Entries of ``ints`` and ``clock``.
N_SLOTS, N_REC, N_ENTRIES, N_STEPS = range(4)
T_NOW, T_NEXT_RECORD = range(2)
# Entries of ``params``.
P_DETECTION, P_LETHAL, P_STEP_TOL, P_RECORD_DT = range(4)
# Columns of Model.sites: logistic capacity (0 = none), lethal burden (inf = none).
SITE_CAPACITY, SITE_LETHAL = range(2)

# -- argument groups ------------------------------------------------------------
# Plain namedtuples of arrays: the kernels change the arrays' contents in place,
# never the groups themselves, so a group is built once per patient (Records
# again when its buffers grow).

#: The clones, one slot per type ever seen: counts and type ids, the type -> slot
#: map, arrivals and their cell-days within a step, each slot's cached rates
#: (``slot_static``: SLOT_* columns; ``slot_single``: P(newborn gains exactly
#: resistance j)), and work arrays (per-slot birth/death of the step, cells per site).
Clones = namedtuple("Clones", ["counts", "types", "slot_of", "incoming", "exposure",
                               "slot_static", "slot_single", "scratch", "site_tot"])

#: Scalars kept between kernel calls: ``ints`` (N_SLOTS, N_REC, N_ENTRIES, N_STEPS)
#: and ``clock`` (T_NOW, T_NEXT_RECORD).
Counters = namedtuple("Counters", ["ints", "clock"])

#: The trajectory as sparse CSR rows: row times, row pointers, then slot/count pairs.
Records = namedtuple("Records", ["rec_t", "rec_ptr", "rec_slot", "rec_count"])

#: The drugs: parameter table (DRUG_* columns), action by phenotype state and
#: penetration by site, and what is given now (1.0 while given; next pulsed dose time).
Drugs = namedtuple("Drugs", ["drug_f", "targets", "penetration", "given", "next_dose"])

#: The rest of the model: per class (state and site) base birth, death and
#: move-out rates; class-to-class move rates; per site its capacity and lethal
#: burden (the SITE_* columns); the P_* run parameters; and (n_drugs,
#: n_states, n_sites).
Model = namedtuple("Model", ["cls_rates", "moves", "sites", "params", "dims"])


# dtype and ndim of each group's arrays, in field order: the one signature the
# kernels are compiled for ahead of time (clonesim.engine.aot), and what
# :func:`fits_compiled` checks before a group is handed to them.
_I1, _F1, _F2 = (np.int64, 1), (np.float64, 1), (np.float64, 2)
GROUP_ARRAYS = {
    Clones: (_I1, _I1, _I1, _I1, _F1, _F2, _F2, _F2, _F1),
    Counters: (_I1, _F1),
    Records: (_F1, _I1, _I1, _I1),
    Model: (_F2, _F2, _F2, _F1, _I1),
    Drugs: (_F2, _F2, _F2, _F1, _F1),
}


def example(group):
    """A group of empty arrays of the compiled layout (to type a signature by)."""
    shapes = {1: (0,), 2: (0, 0)}
    return group(*(np.zeros(shapes[ndim], dtype) for dtype, ndim in GROUP_ARRAYS[group]))


def fits_compiled(group) -> bool:
    """Whether every array of ``group`` has the dtype, ndim and C layout the
    ahead-of-time kernels were compiled for. Their wrapper does not check:
    a float32 table or a transposed view would be read as garbage."""
    return all(isinstance(a, np.ndarray) and a.dtype == dtype and a.ndim == ndim
               and a.flags.c_contiguous and a.flags.aligned
               for a, (dtype, ndim) in zip(group, GROUP_ARRAYS[type(group)], strict=True))
