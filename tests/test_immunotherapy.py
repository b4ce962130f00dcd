"""configs/immunotherapy.toml tells its story: immunotherapy (a drug with
targets = ["antigen+"]) kills the antigen+ cells, and the tumour escapes by
antigen loss (a phenotype switch antigen+ -> antigen-). Fixed seeds; the
claims are directions with wide margins, checked patient by patient.
Teaching model, not for clinical use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import clonesim

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "immunotherapy.toml"
SEEDS = (1, 2, 3)


def antigen_negative_share(result, t: float) -> float:
    """Share of the cells that are antigen- at the last record at or before day t."""
    idx = result.cell_types.state_names.index("antigen-")
    row = result.counts[np.searchsorted(result.times, t, side="right") - 1]
    states = result.cell_types.state(result.type_ids)
    return float(row[states == idx].sum() / max(row.sum(), 1))


@pytest.mark.parametrize("seed", SEEDS)
def test_antigen_loss_is_selected_by_immunotherapy(seed):
    cfg = clonesim.load_config(CONFIG)
    r = clonesim.simulate(cfg, seed=seed)
    line = r.lines[0]
    assert line.ended_by == "progression"  # the tumour escapes: a recurrence
    at_start = antigen_negative_share(r, r.detection_time)
    at_progression = antigen_negative_share(r, r.detection_time + line.time_to_progression)
    print(f"seed {seed}: antigen- share {at_start:.3f} at line start, "
          f"{at_progression:.4f} at progression")
    assert 0 < at_start < 0.2          # a minority before therapy, made by the switch ...
    assert at_progression > 0.9        # ... the recurrence is antigen-: immune escape


def test_no_switch_no_escape():
    """Without the switch nothing escapes: the therapy clears the tumour, so
    escape in the scenario is the antigen loss, not something else."""
    cfg = clonesim.load_config(CONFIG).update({"states.antigen+.switch_to": {}})
    r = clonesim.simulate(cfg, seed=SEEDS[0])
    assert not r.died and r.lines[0].ended_by != "progression"
