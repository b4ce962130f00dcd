"""A sweep table summarised for figures: per group, an estimate and its confidence band."""

from __future__ import annotations

import difflib
import math
import re
from typing import Sequence

import numpy as np

from ..config import ConfigError
from .table import BURDEN_COLUMNS, OUTCOME_COLUMNS


#: How figures name a metric; ttp_lineK_days is named on the fly.
METRIC_LABELS = {
    "cured": "P(cured)",
    "died": "P(died)",
    "refractory": "P(refractory to line 1)",
    "lines_used": "mean lines used",
    "survival_days": "mean survival (days from detection, censored at follow-up)",
    "days_to_lethal": "mean days to lethal burden (among those who died)",
    "detection_day": "mean day of detection",
    "end_day": "mean last day",
    "final_burden": "mean final burden (cells)",
    "final_sensitive": "mean final sensitive cells",
    "final_resistant": "mean final resistant cells",
}



def metric_label(metric: str) -> str:
    """A reader's name for a sweep column."""
    m = re.match(r"^ttp_line(\d+)_days$", metric)
    if m:
        return f"mean time to progression on line {m.group(1)} (days, among progressed)"
    return METRIC_LABELS.get(metric, f"mean {metric}")



def summarise_sweep(table, by: Sequence[str], metric: str, level: float = 0.95):
    """Per group of ``by`` values: patients, estimate and a confidence band.

    A true/false metric (``cured``, ``died``, ``refractory``) is a probability
    with a Wilson score interval (``scipy.stats.binomtest(...).proportion_ci``);
    a numeric one is a mean with a normal-approximation interval
    (mean +/- z * standard error), over the rows where it is defined (a time to
    progression only where the line progressed).

    Parameters
    ----------
    table
        A sweep table (:func:`read_sweep`, :func:`sweep`).
    by
        Columns to group by (axes of the sweep).
    metric
        An outcome column.
    level
        Confidence level of the band.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``value``, ``low``, ``high`` and
        ``probability`` (whether the metric is a proportion).

    Raises
    ------
    ConfigError
        If a column is not in the table.
    """
    import pandas as pd
    from scipy import stats

    for col in [*by, metric]:
        if col not in table.columns:
            axes = [c for c in table.columns if c not in ("point", "replicate", "seed")
                    and c not in OUTCOME_COLUMNS and c not in BURDEN_COLUMNS
                    and not c.startswith("ttp_line")]
            outcomes = [c for c in table.columns if c not in axes
                        and c not in ("point", "replicate", "seed", "outcome")]
            hint = difflib.get_close_matches(col, list(table.columns), n=1)
            raise ConfigError(f"no column {col!r} in this sweep"
                              + (f"; did you mean {hint[0]!r}?" if hint else "")
                              + f"\n  axes: {', '.join(axes)}\n  metrics: {', '.join(outcomes)}")
    probability = table[metric].dtype == bool
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for keys, group in table.groupby(list(by), sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        vals = group[metric].dropna()
        n = len(vals)
        row = dict(zip(by, keys), n=n)
        if n == 0:
            row.update(value=np.nan, low=np.nan, high=np.nan)
        elif probability:
            k = int(vals.sum())
            ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
            row.update(value=k / n, low=ci.low, high=ci.high)
        else:
            x = vals.to_numpy(dtype=float)
            mean = float(x.mean())
            half = z * x.std(ddof=1) / math.sqrt(n) if n > 1 else np.nan
            row.update(value=mean, low=mean - half, high=mean + half)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["probability"] = probability
    return out
