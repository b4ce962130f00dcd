"""What a panel's controls say: a human label for each parameter name the
notebooks' panels use, and each value's readout to the slider's step.

A notebook function keeps the argument it computes with (``kill_fraction``
as a fraction, ``log10_mutation_rate`` as an exponent); this table decides
only what the class reads on the slider: "kill per dose 99.9%", "mutation
rate (per division) 1e-7". No ipywidgets here, so tests and the no-widget
fallback can read the table. Teaching model, not for clinical use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Control", "CONTROLS", "DESCRIPTION_PX", "READOUT_PX", "SLIDER_PX", "control",
           "decimals", "grid", "readout"]

#: Width of a control's label column, in CSS pixels (ipywidgets' default is 80,
#: which cut "log10_mutation_rate" to "log10_mu...").
DESCRIPTION_PX = 250
#: The whole control: label, track (about 290 px, three times the old one, so
#: one pixel is under two steps of a 500-step slider) and readout.
SLIDER_PX = 640
#: The widest a slider's readout is drawn before it is cut (ipywidgets 8:
#: ``--jp-widgets-inline-width-short``, 300 / 2 - 2 px).
READOUT_PX = 148


def decimals(step: float) -> int:
    """Decimal places of a slider step: 0.001 -> 3, 0.25 -> 2, 5 -> 0."""
    text = f"{step:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def percent(value: float, step: float) -> str:
    """A fraction as a percent, to the step: 0.999 with step 0.001 -> "99.9%"."""
    return f"{100 * value:.{max(0, decimals(100 * step))}f}%"


def power(exponent: float, step: float) -> str:
    """A rate from its log10: -7 -> "1e-7", -6.5 -> "3.2e-7" (two digits)."""
    lead = math.floor(exponent + 1e-9)
    mantissa = 10 ** (exponent - lead)
    digits = f"{mantissa:.2g}"
    if digits == "10":  # 9.96 rounds up a decade
        digits, lead = "1", lead + 1
    return f"{digits}e{lead}"


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075"
                                           "\u2076\u2077\u2078\u2079")


def cells(exponent: float, step: float) -> str:
    """A count from its log10, as a class writes it: 9 -> "10⁹", 6.5 -> "3.2 × 10⁶"."""
    lead = math.floor(exponent + 1e-9)
    digits = f"{10 ** (exponent - lead):.2g}"
    if digits == "10":
        digits, lead = "1", lead + 1
    tens = "10" + str(lead).translate(_SUPERSCRIPT)
    return tens if digits == "1" else f"{digits} \u00d7 {tens}"


def plain(value: float, step: float) -> str:
    """A number to the step's decimals: 0.3 with step 0.1 -> "0.3"."""
    return f"{value:.{decimals(step)}f}"


@dataclass(frozen=True)
class Control:
    """How one panel parameter reads.

    Attributes
    ----------
    label
        The words beside the slider.
    readout
        ``readout(value, step) -> str``: the value as the class reads it.
    choices
        For a menu: the words for each value (values not named show as they are).
    """

    label: str
    readout: Callable[[float, float], str] = plain
    choices: dict = field(default_factory=dict)


#: Every parameter name of the seven notebooks' panels (their keys), with
#: its label and readout. Labels fit :data:`DESCRIPTION_PX` (tests/test_panels.py).
CONTROLS: dict[str, Control] = {
    "kill_fraction": Control("kill per dose", percent),
    "log10_mutation_rate": Control("mutation rate (per division)", power),
    "log10_detection": Control("detection size (cells)", cells),
    "log10_final_size": Control("final tumour size (cells)", cells),
    "log10_switch_rate": Control("ER+ \u2192 ER\u2212 switch (per day)", power),
    "log10_brain_seeding": Control("breast \u2192 brain seeding (per day)", power),
    "resistance_cost": Control("cost of resistance (birth rate)", percent),
    "death_over_birth": Control("death rate / birth rate", plain),
    "pause_at": Control("pause at (of starting burden)", percent),
    "antibody_in_brain": Control("antibody reaching the brain", percent),
    "chemo_in_brain": Control("chemo reaching the brain", percent),
    "biopsy_cells": Control("re-biopsy size (cells)"),
    "policy": Control("next line chosen by", choices={"rebiopsy": "re-biopsy",
                                                       "sequence": "fixed order",
                                                       "adaptive": "adaptive"}),
    "seed": Control("seed (which random draw)"),
}


def control(name: str) -> Control:
    """The :class:`Control` of a parameter; an unknown name reads as its words.

    ``"log10_x_rate"`` not in :data:`CONTROLS` becomes "x rate" with a
    ``1e-7`` readout; any other ``"a_b"`` becomes "a b" read to its step.
    """
    if name in CONTROLS:
        return CONTROLS[name]
    if name.startswith("log10_") and len(name) > 6:
        return Control(name[6:].replace("_", " "), power)
    return Control(name.replace("_", " ").strip() or name)


def readout(name: str, value, step: float = 1.0) -> str:
    """What the slider of ``name`` shows at ``value``: ``readout("kill_fraction",
    0.999, 0.001) == "99.9%"``."""
    spec = control(name)
    if isinstance(value, str):
        return spec.choices.get(value, value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return spec.readout(value, step)


def grid(lo: float, hi: float, step: float, default=None) -> list[float]:
    """The values of a ``(lo, hi, step)`` slider, each rounded to the step's
    decimals (so 0.5 + 499 x 0.001 is 0.999, not 0.9990000000000001), with
    the function's default added in order when it falls between steps."""
    places = decimals(step) + decimals(lo)
    n = int(math.floor((hi - lo) / step + 1e-9))
    values = [round(lo + k * step, places) for k in range(n + 1)]
    if default is not None and lo <= default <= hi and default not in values:
        values = sorted([*values, float(default)])
    return values
