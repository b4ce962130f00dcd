"""The one error a user sees: a scenario or a call that cannot be run.

Most messages are about a scenario file and name the file and the key. An
error about one *parameter* of a call (a keyword of :func:`clonesim.sweep`,
which is also a key of a sweep file and a flag of ``clonesim sweep``) is
structured, so that each front end names the parameter in its own words:
Python keywords here, the file's keys for a sweep file, flags in the CLI.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import numpy as np

from .schema import toml_text

__all__ = ["ConfigError", "MISSING", "Verbatim", "key_words", "file_words"]


class _Missing:
    """The value of a parameter that was not given at all."""

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"  # one object, also after pickling


#: The ``value`` of a :class:`ConfigError` about a parameter that was not given.
MISSING = _Missing()


class Verbatim(str):
    """A placeholder written as is in every wording (``N``, ``K/2``), never quoted."""

    def __repr__(self) -> str:
        return str(self)


#: ``{name}`` or ``{name=VALUE}`` in a message: another parameter, named in the
#: message's wording; VALUE is a Python literal, or a placeholder such as N.
_REF = re.compile(r"\{([a-z][a-z_]*)(?:=([^{}\n]*))?\}")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value) if isinstance(value, Path) else value


def key_words(param: str, value: Any = MISSING) -> str:
    """A parameter as Python names it: ``replicates``, ``replicates = 0``,
    ``axes entry 'mutation_rate=1:2:0'`` (one of the axes)."""
    if value is MISSING:
        return param
    shown = repr(_plain(value))
    return f"axes entry {shown}" if param == "axes" else f"{param} = {shown}"


def file_words(param: str, value: Any = MISSING) -> str:
    """A parameter as a sweep file writes it: ``replicates = 0``, ``design = "lhs"``."""
    if value is MISSING:
        return param
    value = _plain(value)
    return f"{param} = {value if isinstance(value, Verbatim) else toml_text(value)}"


def _ref_value(text: str | None) -> Any:
    if text is None:
        return MISSING
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return Verbatim(text)


class ConfigError(ValueError):
    """A scenario or a call that cannot be run, with a message meant for the user.

    Most errors are a message about a scenario file, which names the file and
    the key. An error about one *parameter* of a call (a keyword of
    :func:`clonesim.sweep`, which is also a key of a sweep file and a flag of
    ``clonesim sweep``) is structured instead, so that each front end names
    the parameter in its own words: ``str()`` says ``replicates = 0: must be
    at least 1``; the command line renders ``--replicates 0: must be at least
    1`` from the same error (:meth:`render`); an error read from a sweep file
    names the file and the key as the file writes it.

    Parameters
    ----------
    message
        The whole message, as is (an unstructured error).
    param
        The parameter: a Python keyword such as ``replicates``, ``axes``,
        ``chunk_size`` or ``fmt``; in an error about a sweep file
        (``source``), the key as the file writes it.
    value
        The value given; :data:`MISSING` when it was not given (the message
        then says the parameter is missing).
    allowed
        What is allowed, or what is wrong and what to do, in words. Another
        parameter is written ``{name}``, or ``{name=VALUE}`` with a value (a
        Python literal, or a placeholder such as ``N``), and is named in the
        same words as ``param``. Without ``param``, the whole message.
    hint
        A second line: how to write the value.
    source
        The file the value was read from (a sweep file), named first.
    """

    def __init__(self, message: str = "", *, param: str | None = None, value: Any = MISSING,
                 allowed: str | None = None, hint: str | None = None,
                 source: str | Path | None = None):
        self.param = param
        self.value = value
        self.allowed = allowed
        self.hint = hint
        self.source = None if source is None else str(source)
        super().__init__(message if allowed is None else self.render())

    @property
    def structured(self) -> bool:
        """Whether the message is made from param, value and allowed (see :meth:`render`)."""
        return self.allowed is not None

    def _refs(self, text: str, words) -> str:
        return _REF.sub(lambda m: words(m[1], _ref_value(m[2])), text)

    def reason(self, words=None) -> str:
        """``allowed`` alone, with the parameters it refers to named by ``words``
        (as for :meth:`render`)."""
        if not self.structured:
            return str(self)
        return self._refs(self.allowed, words or (file_words if self.source else key_words))

    def render(self, words=None, source: str | Path | None = None) -> str:
        """The message with every parameter named by ``words(param, value)``.

        Parameters
        ----------
        words
            ``words(name, value)`` -> how to name a parameter (``value`` is
            :data:`MISSING` when there is none to show): :func:`key_words`
            (the default, Python keywords), :func:`file_words` (the default
            with a ``source``), or the command line's flags.
        source
            The file to name first, instead of ``self.source``.

        Returns
        -------
        str
            ``source: param = value: allowed``, then the hint on a line of its
            own; ``param is missing: ...`` without a value; without a source,
            no ``source:``.
        """
        if not self.structured:
            return str(self)
        source = self.source if source is None else str(source)
        words = words or (file_words if source else key_words)
        text = self._refs(self.allowed, words)
        if self.param is not None:
            head = words(self.param, self.value)
            text = f"{head} is missing: {text}" if self.value is MISSING else f"{head}: {text}"
        if self.hint:
            text += "\n  " + self._refs(self.hint, words)
        return f"{source}: {text}" if source else text

    def in_file(self, source: str | Path) -> "ConfigError":
        """This error as read from the sweep file ``source`` (named first, in its keys)."""
        if not self.structured:
            return ConfigError(f"{source}: {self}")
        return ConfigError(param=self.param, value=self.value, allowed=self.allowed,
                           hint=self.hint, source=source)
