"""The words a patient's story is told in: outcomes, responses, events.

Each is a ``StrEnum``, so a table cell, a CSV and a comparison with a plain
string all see the word itself (``Outcome.CURED == "cured"``), while code
names it once and a typo fails at import, not silently at a comparison.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Outcome", "Response", "EventKind"]


class Outcome(StrEnum):
    """How a patient's simulation ended."""

    CURED = "cured"
    DIED = "died"
    ALIVE = "alive at end of follow-up"
    #: only with ``tumour.condition_on_detection = false``
    NEVER_DETECTED = "died out before detection"


class Response(StrEnum):
    """What a scan shows, in RECIST 1.1's categories; a line's best response is
    the best any of its scans reached."""

    COMPLETE_RESPONSE = "complete response"
    PARTIAL_RESPONSE = "partial response"
    STABLE_DISEASE = "stable disease"
    PROGRESSIVE_DISEASE = "progressive disease"
    #: the line ended (cure aside) before its first scan
    NOT_EVALUATED = "not evaluated"


class EventKind(StrEnum):
    """What happened at an event of a patient's story (``Result.events``)."""

    DETECTION = "detection"
    LINE_START = "line start"
    PARTIAL_RESPONSE = "partial response"
    COMPLETE_RESPONSE = "complete response"
    PROGRESSION = "progression"
    SYMPTOMS = "symptoms"
    DOSE_DELAYED = "dose delayed"
    TOXICITY = "toxicity"  # a line stopped for it
    SURGERY = "surgery"
    RADIATION = "radiation"
    REBIOPSY = "re-biopsy"
    PAUSE = "pause"
    RESUME = "resume"
    HOLIDAY_STARTS = "holiday starts"
    HOLIDAY_ENDS = "holiday ends"
    NO_LINE_LEFT = "no line left"
    CURED = "cured"
    DIED = "died"
    DIED_OUT = "died out before detection"
    END_OF_FOLLOW_UP = "end of follow-up"


#: The event that closes a patient's story, for each outcome.
CLOSING_EVENT = {Outcome.CURED: EventKind.CURED, Outcome.DIED: EventKind.DIED,
                 Outcome.ALIVE: EventKind.END_OF_FOLLOW_UP,
                 Outcome.NEVER_DETECTED: EventKind.DIED_OUT}
