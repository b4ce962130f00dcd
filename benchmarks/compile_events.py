"""Where a cold compile goes: each numba function's own compile time (#15).

Runs one ``classic_98_2`` patient in this process with an empty
``NUMBA_CACHE_DIR`` (made here) and listens to numba's ``numba:compile``
events; a function's own time is the time inside its compile minus its
callees'. Set ``NUMBA_OPT`` in the environment to compare optimisation
levels. Teaching model: these are computing speeds.

Usage::

    python -m benchmarks.compile_events [--top 25]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

#: The engine's own kernels; every other compiled function is numba's library
#: (numpy.random samplers, np.zeros, ...).
OURS = {"advance", "_mutants", "_deliver", "_emit", "_split_moves", "_moves",
        "_second_order", "_apply_doses", "sample_birth_death", "lineage_law", "slot_for",
        "clone_rates", "multi_target", "record_row", "_mutant_count", "_remaining_mass",
        "_site_lethal", "decode", "split_type", "arrival_time", "expected_cell_time"}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=25, help="functions to list")
    args = ap.parse_args(argv)
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="clonesim-cold-")
    from numba.core import event

    recorder = event.RecordingListener()
    event.register("numba:compile", recorder)
    import clonesim

    cfg = clonesim.load_config("configs/classic_98_2.toml")
    t = time.perf_counter()
    clonesim.simulate(cfg, seed=1)
    wall = time.perf_counter() - t
    stack, own, compiles = [], {}, 0
    for ts, ev in recorder.buffer:
        name = getattr(ev.data["dispatcher"], "py_func", ev.data["dispatcher"]).__qualname__
        if ev.is_start:
            stack.append([name, ts, 0.0])
            continue
        name, start, callees = stack.pop()
        compiles += 1
        own[name] = own.get(name, 0.0) + (ts - start) - callees
        if stack:
            stack[-1][2] += ts - start
    print(f"first simulate {wall:.1f} s, {compiles} compiles, "
          f"NUMBA_OPT={os.environ.get('NUMBA_OPT', '3 (default)')}")
    kernels = sum(s for name, s in own.items() if name in OURS)
    print(f"clonesim kernels {kernels:.1f} s, numba library {sum(own.values()) - kernels:.1f} s")
    for name, seconds in sorted(own.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"{seconds:6.2f} s  {name}")


if __name__ == "__main__":
    main()
