"""clonesim: how drug resistance wins, one virtual tumour at a time.

A stochastic, exact-where-it-matters model of clonal selection under
sequential therapies, for teaching. It is never a clinical prediction tool.

The public API is small::

    cfg = clonesim.load_config("configs/classic_98_2.toml")
    result = clonesim.simulate(cfg, seed=1)
    print(result.summary())
    fig = clonesim.plot_burden(result)
    many = clonesim.simulate_many(cfg, 200, seed=1, workers=2)
    table = many.to_dataframe()
    grid = clonesim.sweep(cfg, ["mutation_rate=1e-9:1e-5:9:log"], 100, seed=1)
"""

from .config import Config, ConfigError, Drug, load_config
from .provenance import TEACHING_NOTE
from .results import Cohort, Result, ResultSet
from .runners import simulate, simulate_cohort, simulate_many

__all__ = [
    "Cohort",
    "Config",
    "ConfigError",
    "Drug",
    "Result",
    "ResultSet",
    "TEACHING_NOTE",
    "load_config",
    "merge_sweeps",
    "plot_arms",
    "plot_burden",
    "plot_fluctuation",
    "plot_muller",
    "plot_no_resistance",
    "plot_outcomes",
    "plot_sites",
    "plot_survival",
    "plot_sweep",
    "read_sweep",
    "simulate",
    "simulate_cohort",
    "simulate_many",
    "sweep",
]

_SWEEPS = {"merge_sweeps", "read_sweep", "sweep"}

_PLOTS = {"plot_arms", "plot_burden", "plot_fluctuation", "plot_muller", "plot_no_resistance",
          "plot_outcomes", "plot_sites", "plot_survival", "plot_sweep"}


def __getattr__(name: str):
    """The plot functions load matplotlib on first use, not at ``import
    clonesim``: about half a second saved in every process that only
    simulates (each sweep or cohort worker among them). The sweep functions
    and ``__version__`` (a scan of the installed packages) load on first use
    too: about 0.1 s of every start (``benchmarks/startup.md``)."""
    if name in _PLOTS:
        from . import plots

        return getattr(plots, name)
    if name in _SWEEPS:
        from . import sweeps

        return getattr(sweeps, name)
    if name == "__version__":
        from .provenance import version

        return version()
    raise AttributeError(f"module 'clonesim' has no attribute {name!r}")
