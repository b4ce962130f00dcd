"""The generators of a batch of patients: patient ``k`` of a cohort (or row
``(p, r)`` of a sweep) runs on ``Generator(PCG64(SeedSequence(entropy,
spawn_key=key)))``, built by numpy itself.

Why a class for so little: the batch runners ask it for each patient's
generator in turn, so how the seeding is done stays in one place. numpy's
``SeedSequence`` costs some 30 us a patient (about an eighth of a 1e7-cell
tumour in a batch). A vectorised copy of its hash would save most of that,
but it would be a hand-written copy of numpy's internals; we use numpy's own
(``benchmarks/startup.md``, third round, has the figures).
"""

from __future__ import annotations

import numpy as np

__all__ = ["BatchSeeds"]


class BatchSeeds:
    """The generators of a batch of patients of one root entropy.

    Parameters
    ----------
    entropy
        The root seed's entropy (an int).
    keys
        The patients' spawn keys: ints (``spawn_key=(k,)``, e.g.
        ``range(start, stop)`` for patients ``start .. stop - 1`` of a
        cohort) or tuples (``spawn_key=(p, r)`` for a sweep's rows).
    """

    def __init__(self, entropy: int, keys):
        self.entropy = int(entropy)
        self.keys = [tuple(int(x) for x in k) if np.ndim(k) else (int(k),) for k in keys]

    def __len__(self) -> int:
        return len(self.keys)

    def generator(self, i: int) -> np.random.Generator:
        """The ``i``-th patient's generator: ``Generator(PCG64(SeedSequence(
        entropy, spawn_key=keys[i])))``."""
        seq = np.random.SeedSequence(self.entropy, spawn_key=self.keys[i])
        return np.random.Generator(np.random.PCG64(seq))
