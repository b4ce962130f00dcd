"""The numbers a gallery caption states, read from the simulation that drew
the figure (never typed into the caption): one function per figure, each
returning a dict that the caption's template is filled from
(:func:`clonesim.gallery.captions.caption`).
"""

from __future__ import annotations

import numpy as np

from ..plots import first_dose_counts
from ..plots.doses import percent
from ..results import km_median


def days(value: float) -> str:
    """Days as a reader says them: "412 days", or "not reached" for a median
    the curve never reaches (inf or NaN)."""
    return f"{value:.0f} days" if np.isfinite(value) else "not reached"


def share(value: float) -> str:
    """A share of cells: a percentage down to 0.1% (with the decimals it takes
    to tell it from 100%: 99.998%), then a power of ten (3e-06)."""
    if value != value:
        return "none"
    if value == 0:
        return "0%"
    return percent(value) if value >= 1e-3 else f"{value:.0e}"


def _kill(result) -> str:
    """Line 1's kill per dose, in words from the config."""
    drug = result.config.drugs[result.lines[0].drugs[0]]
    if drug.kill == "pulsed":
        return f"{percent(drug.kill_fraction)} of the susceptible cells per dose"
    return f"an extra death rate of {drug.kill_rate:g} per day"


def recurrence(result) -> dict:
    """One patient treated in lines: diagnosis, line 1's end and who made it end."""
    c = first_dose_counts(result)
    line1 = result.lines[0]
    out = {"title": result.config.title, "seed": result.seed,
           "detection_day": result.detection_time, "kill": _kill(result),
           "line1_drugs": "+".join(line1.drugs), "line1_end_day": line1.end,
           "line1_days": line1.end - line1.start,
           "resistant_at_diagnosis": share(c.resistant_share(0)),
           "resistant_at_failure": share(c.resistant_share(2)),
           "lines_used": len(result.lines), "outcome": str(result.outcome),
           "end_day": result.end_time}
    on_line1 = (result.times >= line1.start) & (result.times <= line1.end)
    nadir = float(result.burden[on_line1].min())
    out["nadir"] = nadir
    out["below_imaging"] = ("below the imaging limit" if nadir < result.config.clinic.imaging_limit
                            else "never below the imaging limit")
    return out


def first_doses(results) -> dict:
    """The 98% and the 2%, per scenario (keys prefixed by the scenario's key)."""
    out = {}
    for key, result in results.items():
        c = first_dose_counts(result)
        out.update({f"{key}_kill": _kill(result), f"{key}_left": share(c.left_after_dose),
                    f"{key}_susceptible_left": share(1 - c.resistant_share(1)),
                    f"{key}_resistant_at_diagnosis": share(c.resistant_share(0)),
                    f"{key}_resistant_at_failure": share(c.resistant_share(2)),
                    f"{key}_failure_day": c.times[2]})
    return out


def fluctuation(resistant, m: float) -> dict:
    """The fluctuation test: how many tumours, the law's m, and how far from Poisson."""
    r = np.asarray(resistant)
    mean = float(r.mean())
    return {"tumours": r.size, "m": m, "none_resistant": share(float(np.mean(r == 0))),
            "poisson_none": share(float(np.exp(-m))),
            "variance_to_mean": float(r.var()) / mean if mean else float("nan"),
            "most_resistant": int(r.max())}


def no_resistance(table, u: float, birth: float) -> dict:
    """P(no resistant cell), with and without death, at the size where it is
    nearest one half without death (where the curves tell most apart)."""
    pure = table[table["death_rate"] == table["death_rate"].min()].reset_index(drop=True)
    dying = table[table["death_rate"] == table["death_rate"].max()].reset_index(drop=True)
    p_pure = pure["no_resistant"] / pure["tumours"]
    i = int((p_pure - 0.5).abs().idxmin())
    p_dying = dying["no_resistant"] / dying["tumours"]
    return {"u": u, "size": float(pure["size"][i]), "tumours": int(pure["tumours"][i]),
            "none_pure_growth": share(float(p_pure[i])),
            "none_with_death": share(float(p_dying[i])),
            "p_pure": float(p_pure[i]), "p_death": float(p_dying[i]),
            "death_to_birth": float(dying["death_rate"][0]) / birth}


def survival(cohort) -> dict:
    """A cohort's refractory share and medians (from detection, from line start)."""
    os_km, pfs_km = cohort.survival("os"), cohort.survival("pfs", 1)
    return {"title": cohort[0].config.title, "patients": len(cohort),
            "refractory": share(cohort.refractory_fraction),
            "median_os": days(km_median(os_km.sf)) if os_km else "not reached",
            "median_pfs1": days(km_median(pfs_km.sf)) if pfs_km else "not reached"}


def arms(cohorts) -> dict:
    """Arms on the same patients: the line compared and each arm's medians."""
    from ..plots import first_differing_line

    line = first_differing_line(cohorts) or 1

    def med(c, ep, k):
        km = c.survival(ep, k)
        return days(km_median(km.sf)) if km else "not reached"

    first = next(iter(cohorts.values()))
    return {"title": first[0].config.title, "patients": len(first), "line": line,
            "arms": ", ".join(cohorts),
            "pfs_medians": "; ".join(f"{a}: {med(c, 'pfs', line)}" for a, c in cohorts.items()),
            "os_medians": "; ".join(f"{a}: {med(c, 'os', 1)}" for a, c in cohorts.items())}


def sites(result) -> dict:
    """Cells at each site when line 1 ends and at the end."""
    by_site = result.site_burden()
    names = list(result.config.sites)
    i1 = int(np.flatnonzero(result.times <= result.lines[0].end)[-1]) if result.lines else -1

    def at(i):
        return ", ".join(f"{n} {int(v):.2g}" for n, v in zip(names, by_site[i]))

    last = by_site[-1].astype(float)
    return {"title": result.config.title, "seed": result.seed,
            "line1_end_day": result.lines[0].end if result.lines else float("nan"),
            "at_line1_end": at(i1), "at_end": at(-1), "end_day": result.end_time,
            "outcome": str(result.outcome),
            "largest_site_at_end": names[int(np.argmax(last))],
            "largest_share_at_end": share(float(last.max() / last.sum())) if last.sum() else "0%"}


def sweep(table, n: int) -> dict:
    """The range of median survival over the grid, and how many cells tie at the top."""
    v = table["median_survival_days"].to_numpy(float)
    return {"per_cell": n, "shortest": days(float(np.nanmin(v))),
            "longest": days(float(np.nanmax(v))), "cells": len(v),
            "at_longest": int(np.sum(v == np.nanmax(v)))}


def _state_share(result, time: float, state: str) -> float:
    """Share of the tumour in a phenotype state at the last record at or before ``time``."""
    ct = result.cell_types
    i = int(np.flatnonzero(result.times <= time)[-1])
    mask = np.asarray(ct.state(result.type_ids.astype(np.int64))) == ct.state_names.index(state)
    total = result.counts[i].sum()
    return float(result.counts[i, mask].sum() / total) if total else float("nan")


def receptor_switch(by_arm, state: str) -> dict:
    """One patient in each arm (same seed): the switched state's share, and
    what each arm gave after line 1."""
    out = {"state": state}
    for arm, r in by_arm.items():
        line1 = r.lines[0]
        out.update({f"{arm}_line2": "+".join(r.lines[1].drugs) if len(r.lines) > 1 else "none",
                    f"{arm}_line2_days": (r.lines[1].end - r.lines[1].start
                                          if len(r.lines) > 1 else float("nan")),
                    f"{arm}_os": days(r.survival_days),
                    "line1_drugs": "+".join(line1.drugs), "line1_days": line1.end - line1.start,
                    "at_diagnosis": share(_state_share(r, r.detection_time, state)),
                    "at_line1_end": share(_state_share(r, line1.end, state))})
    return out


def local_therapy(with_local, without) -> dict:
    """One patient with and without the local therapies (same seed)."""
    done = [e for e in with_local.events if str(e.kind) in ("surgery", "radiation")]
    what = "; ".join(f"{e.kind} ({e.detail.split(':')[0]}) on day {e.time:.0f}" for e in done)
    return {"title": with_local.config.title, "seed": with_local.seed,
            "local_done": what or "no local therapy was triggered",
            "line1_with": with_local.lines[0].end - with_local.lines[0].start,
            "line1_without": without.lines[0].end - without.lines[0].start,
            "os_with": days(with_local.survival_days), "os_without": days(without.survival_days),
            "outcome_with": str(with_local.outcome), "outcome_without": str(without.outcome)}


def adaptive(by_arm) -> dict:
    """One patient in each arm: time on line 1 to progression, and the pauses."""
    out = {}
    for arm, r in by_arm.items():
        line1 = r.lines[0]
        out[f"{arm}_line1"] = days(line1.end - line1.start)
        out[f"{arm}_ended_by"] = str(line1.ended_by)
        out[f"{arm}_pauses"] = sum(str(e.kind) == "pause" for e in r.events)
    return out


def holiday(plain, breaks) -> dict:
    """The same patient without and with planned breaks: days on each line, survival."""
    def lines(r):
        return ", ".join(f"{o.end - o.start:.0f}" for o in r.lines)

    return {"seed": plain.seed, "lines_plain": lines(plain), "lines_breaks": lines(breaks),
            "os_plain": days(plain.survival_days), "os_breaks": days(breaks.survival_days),
            "on_days": breaks.config.therapy.holiday_on_days,
            "off_days": breaks.config.therapy.holiday_off_days}


def marker(result, scan_only) -> dict:
    """Day the marker called line 1 progressed, and the day scans alone did."""
    called, scanned = result.lines[0].end, scan_only.lines[0].end

    def burden_at(r, day):
        return float(r.burden[int(np.flatnonzero(r.times <= day)[-1])])

    return {"seed": result.seed, "marker_day": called, "scan_day": scanned,
            "burden_marker": burden_at(result, called),
            "burden_scan": burden_at(scan_only, scanned),
            "lead_days": scanned - called, "visits": len(result.markers),
            "title": result.config.title}
