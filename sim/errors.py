"""The project's own exceptions.

Every error a user can cause by what they type or write (a scenario file, an override, a
command-line option, an output directory) is a :class:`SimError`. The CLI turns each into one
line per problem and exit code 2; anything else is a bug and exits 1.
"""

from __future__ import annotations


class SimError(Exception):
    """Base class for errors caused by the user's input."""

    def lines(self) -> list[str]:
        """The message as one line per problem."""
        return [str(self)]


class ScenarioError(SimError):
    """A scenario file (or an override of it) is not valid.

    Args:
        problems: one :class:`Problem` per thing wrong, each naming where, what and what is allowed.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.line() for p in self.problems))

    def lines(self) -> list[str]:  # noqa: D102
        return [p.line() for p in self.problems]


class OutputError(SimError):
    """An output directory cannot be written (it exists without --force, or is not writable)."""


class RunsFailed(Exception):
    """Some runs of a command raised (a bug, or a scenario the model cannot play): the command exits 1.

    The results are written, with the first tracebacks in ``failures.txt``; ``--allow-failures``
    accepts them and exits 0.
    """


class UsageError(SimError):
    """A command-line value is out of range (e.g. ``--runs 0``)."""


class Problem:
    """One thing wrong in a scenario: where it is, the value found, and what is allowed.

    Args:
        source: the file (or ``--set`` override) the value came from.
        path: the key path, dotted (``reviewers.china.review_days.median``); empty for the file.
        message: what is allowed or what went wrong.
        value: the offending value, if there is one.
    """

    _MISSING = object()

    def __init__(self, source: str, path: str, message: str, value: object = _MISSING):
        self.source = source
        self.path = path
        self.message = message
        self.value = value

    def line(self) -> str:
        """Format as ``file: key = value: what is allowed``."""
        where = f"{self.source}: {self.path}" if self.path else f"{self.source}"
        if self.value is not Problem._MISSING:
            where += f" = {_short(self.value)}"
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"Problem({self.line()!r})"


def _short(value: object, limit: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def require_whole(name: str, value: object, minimum: int) -> None:
    """Refuse anything but a whole number (not a bool) of at least ``minimum``, naming the value."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise UsageError(f"{name} = {value}: must be a whole number >= {minimum}")
