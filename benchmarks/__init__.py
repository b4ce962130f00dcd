"""Speed and memory benchmarks of clonesim, with the commands that reproduce them.

* ``python -m benchmarks.engine``  -- the engine's own figures (results/engine.json)
* ``python -m benchmarks.peers``   -- clonesim vs GillesPy2 and a numba SSA (results/peers.json)
* ``python -m benchmarks.report``  -- runs both and writes benchmarks/README.md
* ``python -m benchmarks.panels``  -- the notebooks' panels redrawing (benchmarks/panels.md)

``benchmarks.ssa_numba.run(n_reps, N, seed)`` is a plain exact SSA of the
two-type model the peers comparison uses, importable for tests.

Teaching model, not for clinical use.
"""
