"""Seeds: a result can always be rerun bit for bit.

The same config and seed give identical arrays and events; a cohort does not
depend on the number of workers; patient ``k`` of a cohort can be rerun alone
from ``result.seed``; an unseeded run records the entropy it drew.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from clonesim import ConfigError, load_config, simulate, simulate_many

ROOT = Path(__file__).resolve().parents[1]
CLASSIC = ROOT / "configs" / "classic_98_2.toml"
PRE_EXISTING = ROOT / "configs" / "pre_existing_resistance.toml"


@pytest.fixture(scope="module")
def cfg():
    # Shorter follow-up keeps the cohort tests quick; the story is unchanged.
    return load_config(CLASSIC, {"simulation.horizon_days": 1500})


def assert_same(a, b):
    """Two results of one patient are identical, bit for bit."""
    assert a.seed == b.seed
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_array_equal(a.type_ids, b.type_ids)
    np.testing.assert_array_equal(a.counts, b.counts)
    assert a.times.tobytes() == b.times.tobytes()  # exact float bits, not just ==
    assert a.labels == b.labels
    assert a.events == b.events
    assert a.lines == b.lines
    assert a.outcome == b.outcome
    assert a.end_time == b.end_time
    assert a.steps == b.steps
    assert a.detection_time == b.detection_time


@pytest.mark.parametrize("path", [CLASSIC, PRE_EXISTING], ids=["classic", "pre_existing"])
def test_same_seed_same_patient(path):
    config = load_config(path)
    a = simulate(config, seed=11)
    b = simulate(config, seed=11)
    assert a.seed == 11
    assert_same(a, b)
    assert a.counts.dtype == np.int64
    assert len(a.events) >= 2


def test_reloaded_config_gives_the_same_patient():
    a = simulate(load_config(CLASSIC), seed=4)
    b = simulate(load_config(CLASSIC), seed=4)
    assert_same(a, b)


def test_different_seeds_differ(cfg):
    runs = [simulate(cfg, seed=s) for s in (1, 2, 3)]
    for i in range(len(runs)):
        for j in range(i + 1, len(runs)):
            a, b = runs[i], runs[j]
            same = (a.counts.shape == b.counts.shape and np.array_equal(a.counts, b.counts)
                    and np.array_equal(a.times, b.times))
            assert not same, f"seeds {a.seed} and {b.seed} gave the same trajectory"


@pytest.fixture(scope="module")
def cohort_serial(cfg):
    return simulate_many(cfg, n=12, seed=5, workers=1)


def test_cohort_is_independent_of_workers(cfg, cohort_serial):
    parallel = simulate_many(cfg, n=12, seed=5, workers=2)
    assert len(cohort_serial) == len(parallel) == 12
    for a, b in zip(cohort_serial, parallel):
        assert_same(a, b)
    assert cohort_serial.to_dataframe().equals(parallel.to_dataframe())


@pytest.mark.parametrize("cuts", [(5,), (1, 2, 11), tuple(range(1, 12))],
                         ids=["two", "uneven", "singles"])
def test_cohort_is_independent_of_batching(cfg, cohort_serial, cuts):
    """Any split of the patients into batches (what each worker runs, sharing
    one model within a batch) gives the same patients as one batch."""
    from clonesim.runners import _run_chunk

    bounds = (0, *cuts, 12)
    batched = [r for a, b in zip(bounds[:-1], bounds[1:])
               for r in _run_chunk((cfg, 5, a, b, False))]
    assert len(batched) == 12
    for a, b in zip(cohort_serial, batched):
        assert_same(a, b)


def test_first_patient_of_a_model_matches_the_later_ones():
    """The first patient of a model fills its initial slots with the kernel and
    calls numba's dispatcher; later ones copy those slots and call the compiled
    kernel directly (``engine._PerModel``). Both paths give the same patient,
    here on a scenario with several initial types (pre-existing resistance)."""
    from clonesim import engine
    from clonesim.model import build_model
    from clonesim.runners import _patient

    config = load_config(PRE_EXISTING, {"simulation.horizon_days": 1500})
    model = build_model(config)
    first = engine.EngineState(model)
    assert first.n_slots > 1
    later = engine.EngineState(model)
    for name in ("counts", "types", "slot_of", "slot_static", "slot_single"):
        assert getattr(first.clones, name).tobytes() == getattr(later.clones, name).tobytes()
    alone = [_patient(config, build_model(config), 9, k) for k in range(3)]  # each one first
    shared = [_patient(config, model, 9, k) for k in range(3)]  # all but none first
    for a, b in zip(alone, shared):
        assert_same(a, b)


def test_cohort_patients_are_distinct_and_labelled(cohort_serial):
    assert [r.seed for r in cohort_serial] == [(5, k) for k in range(12)]
    trajectories = {(r.times.tobytes(), r.counts.tobytes()) for r in cohort_serial}
    assert len(trajectories) == 12, "two patients of one cohort share a trajectory"


def test_cohort_is_repeatable(cfg, cohort_serial):
    again = simulate_many(cfg, n=12, seed=5, workers=1)
    for a, b in zip(cohort_serial, again):
        assert_same(a, b)


def test_cohort_prefix_does_not_depend_on_size(cfg, cohort_serial):
    first = simulate_many(cfg, n=3, seed=5)
    for a, b in zip(first, cohort_serial[:3]):
        assert_same(a, b)


@pytest.mark.parametrize("k", [0, 7, 11])
def test_cohort_patient_reruns_alone(cfg, cohort_serial, k):
    original = cohort_serial[k]
    alone = simulate(cfg, seed=original.seed)
    assert_same(original, alone)


def test_unseeded_run_records_its_entropy(cfg):
    first = simulate(cfg)
    second = simulate(cfg)
    assert isinstance(first.seed, int) and first.seed > 2**64  # fresh 128-bit entropy
    assert first.seed != second.seed
    assert_same(first, simulate(cfg, seed=first.seed))
    assert first.provenance()["seed"] == str(first.seed)


def test_unseeded_cohort_records_its_entropy(cfg):
    many = simulate_many(cfg, n=2)
    entropy = many[0].seed[0]
    assert many[1].seed == (entropy, 1)
    assert_same(many[1], simulate(cfg, seed=many[1].seed))
    again = simulate_many(cfg, n=2, seed=entropy)
    for a, b in zip(many, again):
        assert_same(a, b)


@pytest.mark.parametrize("bad", [-1, 1.5, "7", True, (1, "x")])
def test_bad_seed_is_refused(cfg, bad):
    with pytest.raises(ConfigError, match=rf"^seed = {re.escape(repr(bad))}: must be a whole "
                                          "number >= 0"):
        simulate(cfg, seed=bad)


@pytest.mark.parametrize("bad", [-1, 2.5, "3"])
def test_bad_patient_count_is_refused(cfg, bad):
    with pytest.raises(ConfigError, match=rf"^n = {re.escape(repr(bad))}: must be a whole number"):
        simulate_many(cfg, bad, seed=1)


def test_unseeded_batch_patient_reruns_alone(cfg):
    """An unseeded batch draws 128-bit entropy; its patients still rerun alone."""
    batch = simulate_many(cfg, n=3, seed=None, workers=1)
    for r in batch:
        assert_same(r, simulate(cfg, seed=r.seed))


def test_record_buffer_size_does_not_change_a_patient():
    """The trajectory buffers start small and double when full; the kernel
    asks for room before a step, so their size never changes a draw."""
    from clonesim import engine
    from clonesim.model import build_model

    config = load_config(PRE_EXISTING, {"simulation.horizon_days": 1500})
    model = build_model(config)
    out = []
    for rows in (2, 256, 8192):
        state = engine.EngineState(model, record_rows=rows)
        state.run_until(1500.0, np.random.default_rng(3))
        times, types, counts = state.trajectory()
        out.append((state.steps, times.tobytes(), types.tobytes(), counts.tobytes()))
    assert times.size > 2, "the 2-row buffer never had to grow: the test checks nothing"
    assert out[0] == out[1] == out[2]
