"""Captions and alt text of the gallery's figures, for slides: each a
template whose every number is filled from the simulation that drew the
figure (``fig.clonesim["facts"]``, :mod:`clonesim.gallery.facts`), never
typed in; ``tests/test_gallery.py`` checks that no template holds a digit
of its own. :func:`captions_markdown` writes them all, with the command that
redraws each figure.
"""

from __future__ import annotations

from ..provenance import TEACHING_NOTE

#: The nine ideas of the course, in teaching order.
IDEAS = {
    1: "a 98% kill leaves a resistant few",
    2: "the recurrence grows from the survivors",
    3: "the next line acts on the survivors",
    4: "resistance is there before treatment, by chance",
    5: "refractory disease",
    6: "the recurrence's biology differs, so it is re-biopsied",
    7: "sites, sanctuaries and tropism",
    8: "surgery and radiation",
    9: "signs of progression, next lines, combination, holidays and adaptive therapy",
}

#: name -> (idea, caption template, alt-text template)
TEXTS = {
    "two_percent": (1,
        "What is the two percent? The drug kills {classic_kill}, so one dose leaves "
        "{classic_left} of the cells; in the classic scenario {classic_susceptible_left} of "
        "those are still sensitive, because resistant cells were only "
        "{classic_resistant_at_diagnosis} of the tumour at diagnosis. Only dose after dose "
        "leaves the resistant few: when the first line fails (day {classic_failure_day:.0f}) "
        "they are {classic_resistant_at_failure} of it. The texts' picture, where the cells "
        "left are the resistant ones, is the right-hand scenario: there "
        "{really_resistant_at_diagnosis} resist at diagnosis and {really_left} are left "
        "after one dose.",
        "Two bar charts on a log scale of cells susceptible and resistant to the first drug "
        "at diagnosis, after the first dose and when the first line fails. Left, the classic "
        "scenario: after one dose {classic_left} of cells remain, {classic_susceptible_left} "
        "of them susceptible. Right, a tumour with {really_resistant_at_diagnosis} resistant "
        "cells at diagnosis, where the resistant bar barely moves."),
    "recurrence": (2,
        "One virtual patient ({title}, seed {seed}): found on day {detection_day:.0f}, treated "
        "with {line1_drugs}, which kills {kill}. The burden falls to {nadir:.1e} cells "
        "({below_imaging}), yet the tumour comes back after {line1_days:.0f} days on the "
        "first line: at its "
        "failure {resistant_at_failure} of the cells resist {line1_drugs}, against "
        "{resistant_at_diagnosis} at diagnosis. The recurrence grew from the survivors.",
        "Log-scale line chart of cells over time by cell type for one patient: the sensitive "
        "cells fall with each dose while a resistant line keeps rising, until a scan sees "
        "progression on day {line1_end_day:.0f}; later lines repeat the pattern, "
        "{lines_used} lines in all, and the patient {outcome} on day {end_day:.0f}."),
    "muller": (3,
        "Who makes up the tumour over time (one virtual patient, {title}, seed {seed}). When "
        "the first line fails after {line1_days:.0f} days, {resistant_at_failure} of the tumour "
        "resists {line1_drugs}: the next line is given to these survivors, not to the tumour "
        "that was diagnosed, and each resistant clone is drawn inside the clone it arose from.",
        "Muller plot: stacked coloured bands showing each clone's share of the tumour over "
        "time, with new resistant clones nested inside their parents and taking over after "
        "each line starts; above it, the total burden on a log scale."),
    "fluctuation": (4,
        "The fluctuation test on {tumours} untreated simulated tumours: the number of resistant "
        "cells varies far more than chance at the end would give (variance / mean "
        "{variance_to_mean:.0f}, where a Poisson law has one). {none_resistant} of the tumours "
        "have none (the Luria-Delbrück law says {poisson_none}, with m = {m:.2g}), while one "
        "has {most_resistant}: a mutation early in growth leaves a jackpot. Resistance arose "
        "by chance before any drug.",
        "Histogram on a log scale of resistant cells per tumour, most tumours with none or a "
        "few and a long tail of jackpots, with the Luria-Delbrück law following the bars and "
        "a Poisson law of the same mean falling off far too fast."),
    "no_resistance": (4,
        "The chance that a tumour holds no resistant cell falls with its size (u = {u:g} per "
        "division): at about {size:.0f} cells {none_pure_growth} of the tumours grown "
        "without cell death and {none_with_death} of those with death/birth = "
        "{death_to_birth:.2g} have none. Cell death means more divisions for the same size, "
        "so more chances to mutate (Goldie-Coldman and Iwasa-Nowak-Michor curves drawn).",
        "Points with error bars and two falling curves of the probability of no resistant "
        "cell against tumour size on a log axis; the curve with cell death falls earlier."),
    "survival": (5,
        "A virtual cohort of {patients} patients ({title}): {refractory} are refractory, "
        "their first line never shrinks the tumour, because the patients differ in how many "
        "cells already resist the first drug and in some the resistant clone is already "
        "large at diagnosis. That share is tuned into the scenario, not predicted. Each "
        "panel names its own time origin: median overall survival {median_os} from "
        "detection, median progression-free survival on the first line {median_pfs1} from "
        "its start.",
        "Kaplan-Meier curves in separate panels: overall survival from detection, and "
        "progression-free survival on each line from that line's start, with shaded "
        "confidence bands; the first-line curve drops early for the refractory patients."),
    "receptor_switch": (6,
        "ER+ cells switch to {state}: {at_diagnosis} of this patient's tumour is {state} at "
        "diagnosis, {at_line1_end} when hormone therapy ({line1_drugs}) fails after "
        "{line1_days:.0f} days. Given by the list, the next line is {sequence_line2}, which "
        "cannot touch {state} cells (it lasts {sequence_line2_days:.0f} days); a re-biopsy "
        "reads the recurrence and gives {rebiopsy_line2} instead ({rebiopsy_line2_days:.0f} "
        "days). Overall survival: {sequence_os} by the list, {rebiopsy_os} with re-biopsy.",
        "Muller plot of one patient: a solid band of ER+ cells with a thin hatched, paler "
        "band of {state} cells inside it, which takes over the whole tumour once hormone "
        "therapy starts."),
    "sites": (7,
        "Burden at each site of one virtual patient ({title}, seed {seed}). When the first "
        "line ends (day {line1_end_day:.0f}) the cells per site are: {at_line1_end}. At the "
        "end (day {end_day:.0f}, {outcome}): {at_end}; the {largest_site_at_end} holds "
        "{largest_share_at_end} of the tumour. A site the drugs barely reach is a sanctuary.",
        "Log-scale line chart of cells at each site over time, one line style per site; "
        "the sites the drugs reach fall during treatment while the sanctuary keeps growing."),
    "sites_over_time": (7,
        "Each site over time, by cell type (one virtual patient, {title}, seed {seed}). When "
        "the first line ends (day {line1_end_day:.0f}): {at_line1_end}. At the end (day "
        "{end_day:.0f}, {outcome}): {at_end}; the {largest_site_at_end} holds "
        "{largest_share_at_end} of the tumour. Cells seed sites by their state's tropism, "
        "and each site keeps its own clones.",
        "One log-scale panel per site, each showing the cell types living there over time "
        "with the therapy lines shaded; the sanctuary's sensitive cells keep growing during "
        "treatment while the other sites' fall."),
    "local_therapy": (8,
        "The same virtual patient ({title}, seed {seed}) with its local therapies (left: "
        "{local_done}) and without them (right). The first line lasts {line1_with:.0f} days "
        "with them and {line1_without:.0f} days without; overall survival is {os_with} with "
        "and {os_without} without. Surgery and radiation act on one site, whatever the cells' "
        "resistance; what they change depends on what else is growing.",
        "Two log-scale charts of cells at each site over time for one patient, with dashed "
        "vertical lines where surgery or radiation removes a site's cells (left) and the "
        "same patient untreated locally (right)."),
    "arms": (9,
        "Arms on the same {patients} virtual patients ({title}; arms: {arms}). Compared where "
        "they differ: median progression-free survival on line {line} from its start, "
        "{pfs_medians}; median overall survival from detection, {os_medians}. Two drugs given "
        "together leave a cell that resists both as the only escape.",
        "Two panels of Kaplan-Meier curves, one curve per arm: overall survival from "
        "detection and progression-free survival on the line where the arms differ, from "
        "that line's start."),
    "adaptive": (9,
        "One virtual patient under continuous therapy and under adaptive therapy, which pauses "
        "the drug when the burden halves and resumes when it is back: the first line lasts "
        "{continuous_line1} continuously ({continuous_ended_by}) and {adaptive_line1} "
        "adaptively ({adaptive_ended_by}, {adaptive_pauses} pauses). Sensitive cells kept "
        "alive hold back the costly resistant ones.",
        "Two log-scale charts of cells by type over time: left, continuous therapy where the "
        "resistant cells take over; right, adaptive therapy where the burden oscillates "
        "between pauses and the resistant cells grow more slowly."),
    "holiday": (9,
        "The same virtual patient (seed {seed}) treated without breaks and with planned drug "
        "holidays ({on_days:.0f} days on each drug, {off_days:.0f} days off; scans go on). "
        "Days on each line: {lines_plain} without breaks, {lines_breaks} with them; overall "
        "survival {os_plain} and {os_breaks}. While the drug is off, the sensitive cells "
        "regrow (the dotted bands).",
        "Two log-scale charts of cells by type over time for one patient; on the right, "
        "dotted bands mark the drug holidays, during which the sensitive cells climb back "
        "before the next doses knock them down."),
    "marker": (9,
        "A blood tumour marker read at every visit ({title}, seed {seed}): a confirmed rise "
        "calls the first line progressed on day {marker_day:.0f}, while scans alone would "
        "call it on day {scan_day:.0f}, {lead_days:.0f} days later. The next line starts on "
        "{burden_marker:.1e} cells instead of {burden_scan:.1e}.",
        "Two panels sharing a time axis: above, cells by type on a log scale; below, the "
        "marker readings at each visit, falling during response and rising before each "
        "solid line where progression is called; a dashed line, later, marks where scans "
        "alone would have called the first line progressed."),
    "sweep": (1,
        "Median survival from detection over a grid of kill per dose and mutation rate "
        "({per_cell} patients per cell): from {shortest} to {longest}; {at_longest} of the "
        "{cells} cells reach the longest. Read across a row to see what a stronger kill buys "
        "at one mutation rate, and down a column to see what rarer resistance buys.",
        "Heatmap of median survival, kill fraction on the horizontal axis and mutation rate "
        "on the vertical, each cell labelled with its number of days."),
}


def caption(name: str, fig) -> str:
    """The caption of a drawn gallery figure, filled from its simulation."""
    return TEXTS[name][1].format(**fig.clonesim["facts"])


def alt_text(name: str, fig) -> str:
    """The alt text of a drawn gallery figure, filled from its simulation."""
    return TEXTS[name][2].format(**fig.clonesim["facts"])


def captions_markdown(entries) -> str:
    """``captions.md``: for each figure its name, file, idea, caption, alt
    text, the teaching note and the command that redraws it.

    Parameters
    ----------
    entries
        ``(name, file name, figure, command)`` tuples, in order.

    Returns
    -------
    str
    """
    out = ["# clonesim gallery: captions", "",
           f"{TEACHING_NOTE}. Every number below was read from the simulation that drew "
           "the figure.", ""]
    for name, file, fig, command in entries:
        idea = TEXTS[name][0]
        out += [f"## {name}", "", f"- file: `{file}`", f"- idea {idea}: {IDEAS[idea]}",
                f"- caption: {caption(name, fig)}", f"- alt text: {alt_text(name, fig)}",
                f"- note: {TEACHING_NOTE}", f"- reproduce: `{command}`", ""]
    return "\n".join(out)
