"""A run's timeline: the event log, the deal's stretches (spans) and its stages, closed when the run ends.

Each actor writes its own rows through :class:`Timeline` (its log rows carry its id); the run's
:class:`RunTimeline` holds them all. Once the run has ended, the timeline refuses writes: a
reaction that tried to log after the outcome is a bug, and says so instead of leaving a row dated
after the end.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sim.narrative import EventName, SpanName


class TimelineClosed(RuntimeError):
    """Something tried to write to a run's timeline after the run ended."""


class RunTimeline:
    """The event log, spans and stage history of one run.

    Attributes:
        events: rows of (day, actor, event, detail).
        spans: rows of [span, actor responsible, start day, end day (None while open), process]
            (the reviewer or instrument whose procedure the stretch belongs to, or None).
        stages: rows of (day, deal stage) from day 0.
    """

    def __init__(self, today: Callable[[], int], narrate: bool, horizon_day: int, first_stage: str):
        self._today = today
        self.narrate = narrate
        self.horizon_day = horizon_day
        self.events: list[tuple[int, str, str, str]] = []
        self.spans: list[list] = []
        self.stages: list[tuple[int, str]] = [(0, first_stage)]
        self._open: dict[tuple[SpanName, str | None], list] = {}
        self.closed = False

    def _writable(self, what: str) -> None:
        if self.closed:  # callers test `closed` first on their hot path, to skip formatting `what`
            raise TimelineClosed(f"{what} after the run ended (day {self._today()})")

    def log(self, actor: str, event: EventName, detail: str = "") -> None:
        """One row of the event log."""
        if self.closed:
            self._writable(f"logging {event.value}")
        if self.narrate:
            self.events.append((self._today(), actor, event._value_, detail))

    def stage(self, stage: str) -> None:
        """The deal moved to a stage today."""
        if self.closed:
            self._writable(f"moving the deal to {stage}")
        self.stages.append((self._today(), stage))

    def open_span(self, name: SpanName, actor: str, process: str | None = None) -> None:
        """A stretch starts today (if it is not already open); ``actor`` is who is responsible for it."""
        if self.closed:
            self._writable(f"opening {name.value}")
        key = (name, process)
        if key not in self._open:
            span = [name._value_, actor, self._today(), None, process]
            self._open[key] = span
            self.spans.append(span)

    def close_span(self, name: SpanName, process: str | None = None) -> None:
        """A stretch ends today (nothing happens if it is not open)."""
        if self.closed:
            self._writable(f"closing {name.value}")
        span = self._open.pop((name, process), None)
        if span is not None:
            span[3] = self._today()

    def add_span(self, name: SpanName, actor: str, start: int, end: int, process: str | None = None) -> None:
        """A stretch already over (or whose end is known), e.g. a court case."""
        if self.closed:
            self._writable(f"adding {name.value}")
        self.spans.append([name._value_, actor, start, min(end, self.horizon_day), process])

    def is_open(self, name: SpanName, process: str | None = None) -> bool:
        """Whether a stretch is open."""
        return (name, process) in self._open

    def responsible(self, name: SpanName, process: str | None = None) -> str | None:
        """Who is responsible for an open stretch."""
        span = self._open.get((name, process))
        return span[1] if span else None

    def close_all(self, keep: tuple[SpanName, ...] = ()) -> None:
        """Close every open stretch but those named in ``keep`` (a deal's end: the ban's stretch goes on)."""
        for name, process in list(self._open):
            if name not in keep:
                self.close_span(name, process)

    def end(self, day: int, outcome_row: tuple[str, str] | None) -> None:
        """The run ended on ``day``: the outcome row, open stretches end, and the timeline closes."""
        if self.narrate and outcome_row is not None:
            self.events.append((day, "model", EventName.OUTCOME.value, f"{outcome_row[0]}: {outcome_row[1]}"))
        for span in self._open.values():
            span[3] = day
        self._open.clear()
        for span in self.spans:  # a stretch whose end was known ahead (an extension) ends with the run
            if span[3] > day:
                span[3] = max(day, span[2])
        self.closed = True


class Timeline:
    """One actor's pen on the run's timeline: its log rows and the stretches it opens carry its id."""

    log: Callable[..., None]
    """``log(event, detail="")``: a row of the event log in this actor's name."""

    def __init__(self, run: RunTimeline, actor: str):
        self.run = run
        self.actor = actor
        self.log = partial(run.log, actor)
        self.narrated = run.narrate  # whether log rows are kept: a costly detail need not be written otherwise

    def open(self, name: SpanName, process: str | None = None, responsible: str | None = None) -> None:
        """Open a stretch (this actor is responsible unless ``responsible`` names another, e.g. the parties)."""
        self.run.open_span(name, responsible or self.actor, process)

    def close(self, name: SpanName, process: str | None = None) -> None:
        """Close a stretch."""
        self.run.close_span(name, process)

    def add(self, name: SpanName, start: int, end: int, process: str | None = None) -> None:
        """A stretch already over, in this actor's name."""
        self.run.add_span(name, self.actor, start, end, process)

    def is_open(self, name: SpanName, process: str | None = None) -> bool:
        """Whether a stretch is open."""
        return self.run.is_open(name, process)
