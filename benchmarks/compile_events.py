"""Exclusive compile time per numba function for one cold classic_98_2 patient (#15).

Run with an empty cache: ``NUMBA_CACHE_DIR=$(mktemp -d) python -m benchmarks.compile_events``.
"""
import sys, time, collections
from numba.core import event as ev
excl = collections.defaultdict(float); stack = []
class L(ev.Listener):
    def on_start(self, e): stack.append([e.data['dispatcher'].py_func.__qualname__, time.perf_counter(), 0.0])
    def on_end(self, e):
        name, t0, child = stack.pop(); dt = time.perf_counter() - t0
        excl[name] += dt - child
        if stack: stack[-1][2] += dt
ev.register("numba:compile", L())
import clonesim
clonesim.simulate(clonesim.load_config('configs/classic_98_2.toml'), seed=1)
tot = sum(excl.values()); print(f"total {tot:.2f}")
ours = {'advance','_mutants','_deliver','_emit','_split_moves','_moves','_second_order','_apply_doses','sample_birth_death','lineage_law','slot_for','clone_rates','multi_target','record_row','_mutant_count','_remaining_mass','_site_lethal','decode','split_type','arrival_time','expected_cell_time'}
print(f"clonesim kernels {sum(v for k,v in excl.items() if k in ours):.2f}  numba library (random, np.zeros, min...) {sum(v for k,v in excl.items() if k not in ours):.2f}")
for k, v in sorted(excl.items(), key=lambda kv: -kv[1])[:25]: print(f"{v:6.2f} {k}")
