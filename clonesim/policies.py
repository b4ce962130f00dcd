"""What is given when: one small class per treatment policy.

The course (:mod:`clonesim.course`) grows the tumour between visits and asks
the patient's policy at each decision point:

``choose_line(course, unused)``
    at detection and after each progression: which of the unused lines next
    (``None``: none fits, supportive care);
``at_scan(course, line)``
    after a scan that did not show progression: change what is given?
``first_switch(line)`` and ``at_switch(course, line)``
    timed changes within a line (drug holidays).

:class:`Policy` itself is the standard of care: the lines in order, each
given without a break until it fails. A combination needs no class of its
own: it is a line of several drugs (``"A+B"``), and every policy gives it as
one. To try a policy of your own, subclass one of these and override a hook;
:func:`policy_for` turns the config's ``therapy.policy`` word into an object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .clinic import biopsy, liquid_biopsy, susceptible_fraction
from .config import Therapy
from .outcomes import EventKind

if TYPE_CHECKING:  # pragma: no cover
    from .course import Course, Line

__all__ = ["Policy", "Sequence", "Rebiopsy", "Adaptive", "Holidays", "POLICIES", "policy_for"]


class Policy:
    """The lines in order, each given continuously until progression."""

    #: the word ``therapy.policy`` uses for this policy
    name = "sequence"

    def __init__(self, therapy: Therapy):
        self.therapy = therapy

    def choose_line(self, course: Course, unused: list[int]) -> int | None:
        """Index (into ``therapy.lines``) of the next line, or ``None`` for
        supportive care; ``unused`` is never empty."""
        return unused[0]

    def at_scan(self, course: Course, line: Line) -> None:
        """Called after each scan of a line that did not progress."""

    def first_switch(self, line: Line) -> float:
        """Day of the first timed change within a line (``inf``: none)."""
        return np.inf

    def at_switch(self, course: Course, line: Line) -> float:
        """Make the timed change that is due; return the day of the next one."""
        return np.inf


Sequence = Policy


class Rebiopsy(Policy):
    """At detection and each progression, biopsy the tumour and give the first
    unused line the sample reads sensitive to. If none reads sensitive, give
    none (supportive care): a clinic does not give a hormone therapy to a
    sample that reads ER-, even when it is the only line left. A sample with
    no tumour cell tells nothing, so the list decides."""

    name = "rebiopsy"

    def choose_line(self, course: Course, unused: list[int]) -> int | None:
        th, st, model = self.therapy, course.state, course.model
        by_site = st.burden_by_site()
        name = th.rebiopsy_site
        n = st.n_slots
        # biopsies draw from their own stream, so that arms compared on the same
        # patient share its tumour until their decisions differ
        if name == "blood":
            where = "blood (liquid biopsy)"
            sample = liquid_biopsy(st.counts[:n], st.site_of_slots(), course.shedding,
                                   th.rebiopsy_cells, course.biopsy_rng)
        else:
            site = int(np.argmax(by_site)) if name == "largest" else model.site_names.index(name)
            where = model.site_names[site]
            sample = biopsy(st.counts[:n], st.types[:n], st.site_of_slots(), site,
                            th.rebiopsy_cells, course.biopsy_rng)
        if sample.sum() == 0:  # a sample without tumour cells tells nothing: follow the list
            choice = unused[0]
        else:
            choice = next((i for i in unused if susceptible_fraction(
                sample, st.types[:n], model, th.lines[i]) >= th.sensitive_fraction), None)
        mix: dict[str, int] = {}
        for k in np.flatnonzero(sample):
            label = model.label(int(st.types[k]))
            mix[label] = mix.get(label, 0) + int(sample[k])
        told = ", ".join(f"{c} {lab}" for lab, c in sorted(mix.items(), key=lambda x: -x[1])) \
            or "no tumour cell in the sample"
        chosen = ("no line on the list fits" if choice is None
                  else f"chooses {'+'.join(th.lines[choice])}")
        course.event(EventKind.REBIOPSY, detail=f"{where}: {told}; {chosen}")
        return choice


class Adaptive(Policy):
    """Adaptive therapy: pause a line when the burden has fallen to
    ``adaptive_pause_at`` of its start, resume when it regrows to
    ``adaptive_resume_at``, so sensitive cells keep the resistant in check."""

    name = "adaptive"

    def at_scan(self, course: Course, line: Line) -> None:
        th = self.therapy
        burden = course.state.burden()
        if line.giving and burden <= th.adaptive_pause_at * line.monitor.baseline:
            course.switch(line, False, EventKind.PAUSE, "adaptive: burden fell enough")
        elif not line.giving and burden >= th.adaptive_resume_at * line.monitor.baseline:
            course.switch(line, True, EventKind.RESUME, "adaptive: burden regrew")


class Holidays(Policy):
    """Drug holidays laid over another policy: ``holiday_on_days`` on
    treatment, then ``holiday_off_days`` off, again and again within each line;
    the other policy still chooses the lines and reads the scans."""

    name = "holidays"

    def __init__(self, therapy: Therapy, inner: Policy):
        super().__init__(therapy)
        self.inner = inner

    def choose_line(self, course: Course, unused: list[int]) -> int:
        return self.inner.choose_line(course, unused)

    def at_scan(self, course: Course, line: Line) -> None:
        self.inner.at_scan(course, line)

    def first_switch(self, line: Line) -> float:
        return line.start + self.therapy.holiday_on_days

    def at_switch(self, course: Course, line: Line) -> float:
        giving = not line.giving
        course.switch(line, giving, EventKind.HOLIDAY_ENDS if giving else EventKind.HOLIDAY_STARTS)
        th = self.therapy
        return line.next_switch + (th.holiday_on_days if giving else th.holiday_off_days)


#: ``therapy.policy`` words and their classes.
POLICIES: dict[str, type[Policy]] = {cls.name: cls for cls in (Policy, Rebiopsy, Adaptive)}


def policy_for(therapy: Therapy) -> Policy:
    """The policy a config's ``[therapy]`` asks for (holidays laid over it when set)."""
    policy = POLICIES[therapy.policy](therapy)
    return Holidays(therapy, policy) if therapy.holiday_on_days > 0 else policy
