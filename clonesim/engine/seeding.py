"""Many patients' generators at once, bit for bit what numpy's seeding gives.

Patient ``k`` of a batch runs on ``Generator(PCG64(SeedSequence(entropy,
spawn_key=(k,))))``. Building that chain costs some 25 us a patient (numpy's
``SeedSequence`` mixes in a Python-level loop, ``generate_state`` runs under
``np.errstate``, and a fresh ``PCG64`` makes new ctypes pointers for numba),
a tenth of a small tumour. Here the same hash (numpy's
``numpy/random/bit_generator.pyx``, after M. E. O'Neill's ``seed_seq_fe``)
runs for every patient of a batch in one vectorised pass, and one reused
``PCG64`` is set to each patient's state: the same four seed words, the same
128-bit PCG state, the same stream. ``tests/test_reproducibility.py`` checks
the states against numpy's own for many entropies and patients.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BatchSeeds"]

# numpy's SeedSequence constants (bit_generator.pyx)
_POOL_SIZE = 4
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715
_XSHIFT = 16
_M32 = 0xFFFFFFFF

# PCG64's 128-bit LCG multiplier (numpy's pcg64.h, PCG_DEFAULT_MULTIPLIER_128)
_PCG_MULT = (2549297995355413924 << 64) + 4865540595714422341
_M128 = (1 << 128) - 1


def _words(value: int) -> list[int]:
    """An int as numpy's SeedSequence reads it: 32-bit words, low first; 0 is [0]."""
    out = []
    while True:
        out.append(value & _M32)
        value >>= 32
        if not value:
            return out


class _Hash:
    """numpy's ``hashmix``: a running multiplier, the same for every patient."""

    def __init__(self, const: int):
        self.const = const

    def __call__(self, value: np.ndarray) -> np.ndarray:
        value = value ^ np.uint32(self.const)
        self.const = (self.const * _MULT_A) & _M32
        value = value * np.uint32(self.const)
        return value ^ (value >> np.uint32(_XSHIFT))


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    result = np.uint32(_MIX_MULT_L) * x - np.uint32(_MIX_MULT_R) * y
    return result ^ (result >> np.uint32(_XSHIFT))


def seed_words(entropy: int, keys) -> np.ndarray:
    """``SeedSequence(entropy, spawn_key=key).generate_state(4, np.uint64)`` for
    every spawn key in ``keys``, as an array (len(keys), 4).

    ``keys``: one int per patient (``spawn_key=(k,)``), or rows of equal
    length (``spawn_key=(p, r)``); every entry below 2**32 (one word each).
    """
    keys = np.asarray(keys, dtype=np.int64)
    if keys.ndim == 1:
        keys = keys[:, None]
    if keys.size and (int(keys.min()) < 0 or int(keys.max()) > _M32):
        raise ValueError("seed_words: spawn key entries must be from 0 to 2**32 - 1")
    run = _words(int(entropy))
    run += [0] * (_POOL_SIZE - len(run))  # padded, since the spawn key is not empty
    n = len(keys)
    columns = [np.full(n, w, dtype=np.uint32) for w in run]
    columns += [keys[:, j].astype(np.uint32) for j in range(keys.shape[1])]
    with np.errstate(over="ignore"):
        h = _Hash(_INIT_A)
        pool = [h(columns[i]) for i in range(_POOL_SIZE)]
        for src in range(_POOL_SIZE):
            for dst in range(_POOL_SIZE):
                if src != dst:
                    pool[dst] = _mix(pool[dst], h(pool[src]))
        for src in range(_POOL_SIZE, len(columns)):
            for dst in range(_POOL_SIZE):
                pool[dst] = _mix(pool[dst], h(columns[src]))
        # generate_state(4, uint64): 8 uint32 words, read as 4 little-endian uint64
        const = _INIT_B
        out = np.empty((n, 8), dtype=np.uint32)
        for i in range(8):
            v = pool[i % _POOL_SIZE] ^ np.uint32(const)
            const = (const * _MULT_B) & _M32
            v = v * np.uint32(const)
            out[:, i] = v ^ (v >> np.uint32(_XSHIFT))
    lo, hi = out[:, 0::2].astype(np.uint64), out[:, 1::2].astype(np.uint64)
    return lo | (hi << np.uint64(32))


def pcg64_state(words) -> tuple[int, int]:
    """PCG64's ``(state, inc)`` after seeding with these four words
    (numpy's ``pcg64_set_seed``: seed = words 0-1, increment = words 2-3)."""
    v0, v1, v2, v3 = (int(w) for w in words)
    inc = ((((v2 << 64) | v3) << 1) | 1) & _M128
    state = ((inc + ((v0 << 64) | v1)) * _PCG_MULT + inc) & _M128  # two LCG steps from 0
    return state, inc


class BatchSeeds:
    """The generators of a batch of patients of one root entropy.

    ``keys``: the patients' spawn keys, as :func:`seed_words` takes them
    (``range(start, stop)`` for patients ``start .. stop - 1`` of a cohort).
    :meth:`generator` returns one ``numpy.random.Generator``, reused: it is
    set to the ``i``-th patient's state on each call, so a caller must be done
    with one patient's draws before asking for the next (a batch runs its
    patients in turn, in one thread).
    """

    def __init__(self, entropy: int, keys):
        self.words = seed_words(entropy, keys)
        self._bits = np.random.PCG64(0)
        self._rng = np.random.Generator(self._bits)

    def generator(self, i: int) -> np.random.Generator:
        """The ``i``-th patient's generator, as ``Generator(PCG64(SeedSequence(
        entropy, spawn_key=keys[i])))``."""
        state, inc = pcg64_state(self.words[i].tolist())
        self._bits.state = {"bit_generator": "PCG64", "state": {"state": state, "inc": inc},
                            "has_uint32": 0, "uinteger": 0}
        return self._rng
