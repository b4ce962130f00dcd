"""Shared test settings.

Statistical tests are marked ``statistical`` and size their replicate counts
with :func:`replicates`: CI runs them at the default scale (1.0); a long run
is ``CLONESIM_STAT_SCALE=10 python -m pytest -m statistical``. Tolerances are
always computed from the replicate count actually used, so a test is as
strict at either size as its sample allows.
"""

from __future__ import annotations

import os

import pytest

STAT_SCALE = float(os.environ.get("CLONESIM_STAT_SCALE", "1.0"))


def replicates(base: int) -> int:
    """Replicate count for a statistical test: ``base`` scaled by CLONESIM_STAT_SCALE."""
    return max(10, int(round(base * STAT_SCALE)))


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(20261124)
