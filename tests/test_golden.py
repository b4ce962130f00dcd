"""Golden fingerprints: a redesign must not change a single number.

Issue #16 moves code (sweeps as a package, policies as classes, one cell-type
module, grouped kernel arguments) and promises that the same config and seed
give the same bytes before and after. This test holds that promise: for every
shipped scenario and a few seeds it hashes the trajectory, events and lines
tables, and it hashes a small sweep's table.

The fingerprints in ``tests/golden/fingerprints.json`` were written by
``python -m tests.test_golden --write`` before any code moved. An issue that
changes the model *on purpose* (a new random draw, a new rule) rewrites them
in its own commit and says why; a refactor never does.

The hash reads values, not text: numbers as float64 bytes (cell counts up to
1e12 are exact there), strings as themselves, so a pandas or CSV formatting
change cannot move it, while any changed draw does.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clonesim import load_config, simulate, sweep

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).with_name("golden") / "fingerprints.json"
CONFIGS = sorted((ROOT / "configs").glob("*.toml"))
SEEDS = (0, 1, 7)
SWEEP_AXES = {"drugs.A.kill_fraction": [0.9, 0.99], "mutation_rate": [1e-7, 1e-6]}


def table_hash(table: pd.DataFrame) -> str:
    """A digest of a table's column names, dtypes' kinds and values."""
    h = hashlib.sha256()
    for name in table.columns:
        col = table[name]
        h.update(f"\x1e{name}\x1f".encode())
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            values = col.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
            h.update(b"n" + np.ascontiguousarray(values).tobytes())
        else:
            h.update(b"s" + "\x1f".join("<NA>" if pd.isna(v) else str(v)
                                        for v in col).encode())
    return h.hexdigest()


def patient_fingerprint(path: Path, seed: int) -> dict[str, str]:
    result = simulate(load_config(path), seed=seed)
    return {"trajectory": table_hash(result.to_dataframe()),
            "events": table_hash(result.events_dataframe()),
            "lines": table_hash(result.lines_dataframe())}


def sweep_fingerprint() -> str:
    table = sweep(ROOT / "configs" / "classic_98_2.toml", SWEEP_AXES, 3, seed=11,
                  progress=False)
    return table_hash(table.reset_index(drop=True))


def all_fingerprints() -> dict:
    return {"patients": {f"{p.name}:{s}": patient_fingerprint(p, s)
                         for p in CONFIGS for s in SEEDS},
            "sweep": sweep_fingerprint()}


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text())


def test_every_shipped_config_has_a_fingerprint(golden):
    expected = {f"{p.name}:{s}" for p in CONFIGS for s in SEEDS}
    assert set(golden["patients"]) == expected, (
        "a scenario was added or removed: rewrite the fingerprints "
        "(python -m tests.test_golden --write) in the commit that does it")


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
@pytest.mark.parametrize("seed", SEEDS)
def test_patient_tables_are_unchanged(golden, path, seed):
    assert patient_fingerprint(path, seed) == golden["patients"][f"{path.name}:{seed}"]


def test_sweep_table_is_unchanged(golden):
    assert sweep_fingerprint() == golden["sweep"]


def test_the_hash_sees_a_one_cell_change():
    """The fingerprint could fail: one cell more in one row moves it."""
    table = simulate(load_config(ROOT / "configs" / "classic_98_2.toml"), seed=0).to_dataframe()
    before = table_hash(table)
    table.loc[table.index[len(table) // 2], "cells"] += 1
    assert table_hash(table) != before


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.test_golden --write")
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(all_fingerprints(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
