"""Every shipped scenario validates and runs one patient to an outcome."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from clonesim import load_config, simulate
from clonesim.cli import main
from clonesim.outcomes import Outcome

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").glob("*.toml"))


def test_there_are_shipped_configs():
    names = {p.name for p in CONFIGS}
    assert {"classic_98_2.toml", "pre_existing_resistance.toml"} <= names


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_config_validates_and_runs(path, capsys):
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{path}: OK")
    assert err == ""

    cfg = load_config(path)
    assert cfg.title, "a shipped scenario should have a title"
    assert cfg.description, "a shipped scenario should have a description"
    result = simulate(cfg, seed=0)
    assert result.outcome in (Outcome.CURED, Outcome.DIED, Outcome.ALIVE)
    assert result.seed == 0
    assert result.counts.shape == (result.times.size, result.type_ids.size)
    assert (result.counts >= 0).all()
    assert np.all(np.diff(result.times) >= 0)
    assert result.times[0] == 0.0
    assert result.end_time <= cfg.simulation.horizon_days
    kinds = [e.kind for e in result.events]
    assert kinds[-1] in ("cured", "died", "end of follow-up")
    if result.outcome == Outcome.DIED and result.cause_of_death == "total burden":
        assert result.burden[-1] >= cfg.clinic.lethal_cells
    elif result.outcome == Outcome.DIED:  # a site's own lethal burden
        site = result.cause_of_death.removesuffix(" burden")
        column = list(cfg.sites).index(site)
        assert result.site_burden()[-1, column] >= cfg.sites[site].lethal_cells
    if result.outcome == Outcome.CURED:
        assert result.burden[-1] == 0
    if result.detection_time is not None:
        assert kinds[0] == "detection"
        assert result.lines, "a detected tumour gets at least line 1"
        assert result.lines[0].drugs == cfg.therapy.lines[0]

    story = result.summary()
    assert "not for clinical use" in story
    assert cfg.title in story
    assert f"outcome: {result.outcome}" in story
