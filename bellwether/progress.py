"""Progress of long work on a terminal or in a log: step k of n, sessions done, rate, time left.

A run over a session range does ``steps`` steps (land, each mart, ...), each over the
same ``sessions``; the work is ``steps x sessions`` *session-steps*. :class:`Progress`
counts them as steps start and end (and, inside a step, as its sessions are reported
done) and prints

* on a terminal, one line redrawn in place: a bar, ``step k/n`` and the step's name,
  session-steps done of the total, the rate (session-steps per second since the start)
  and the time left at that rate;
* otherwise (a pipe, a log file, CI), one line per finished step with the same figures.

Pure: no Dagster; :func:`orchestration.dagster_progress.listen` feeds it a run's events.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 24


def duration(seconds: float) -> str:
    """``seconds`` for reading: ``42 s``, ``3 min 05 s``, ``1 h 02 min``."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A text bar ``[#####.....]`` filled to ``fraction`` (clamped to 0..1)."""
    filled = round(min(1.0, max(0.0, fraction)) * width)
    return "[" + "#" * filled + "." * (width - filled) + "]"


class Progress:
    """Prints the progress of ``steps`` steps over ``sessions`` sessions each (module doc)."""

    def __init__(
        self,
        steps: int,
        sessions: int,
        out: TextIO | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.steps = max(1, steps)
        self.sessions = max(1, sessions)
        self.out = out or sys.stdout
        self.tty = self.out.isatty() if tty is None else tty
        self.clock = clock
        self.t0 = clock()
        self.step = 0  # steps started
        self.name = ""
        self.done = 0  # session-steps done
        self.step_done = 0  # sessions done in the current step
        self.step_t0 = self.t0

    @property
    def total(self) -> int:
        """Session-steps of the whole run."""
        return self.steps * self.sessions

    def start_step(self, name: str) -> None:
        """Step ``name`` starts (the next of the ``steps``)."""
        self.step = min(self.steps, self.step + 1)
        self.name = name
        self.step_done = 0
        self.step_t0 = self.clock()
        if self.tty:
            self._draw()

    def sessions_done(self, n: int) -> None:
        """``n`` more sessions of the current step are done."""
        n = max(0, min(n, self.sessions - self.step_done))
        self.step_done += n
        self.done += n
        if self.tty:
            self._draw()

    def end_step(self, outcome: str = "done") -> None:
        """The current step ended (``done``, ``failed``, ``skipped``): its sessions count."""
        self.sessions_done(self.sessions - self.step_done)
        if self.tty:
            self._draw()
        else:
            self.out.write(
                self.line(f"{outcome} in {duration(self.clock() - self.step_t0)}") + "\n"
            )
            self.out.flush()

    def finish(self, message: str) -> None:
        """End the display with ``message`` (on a line of its own)."""
        if self.tty:
            self.out.write("\r\033[K")
        self.out.write(f"{message} ({duration(self.clock() - self.t0)})\n")
        self.out.flush()

    def line(self, status: str = "") -> str:
        """The figures: step k/n and name, session-steps done, rate, time left."""
        elapsed = self.clock() - self.t0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else None
        parts = [
            f"step {self.step}/{self.steps} {self.name}" + (f" {status}" if status else ""),
            f"{self.done:,}/{self.total:,} session-steps done",
            f"{rate:,.0f}/s" if rate >= 10 else f"{rate:.1f}/s",  # a one-session run: 0.5/s
            f"about {duration(left)} left" if left is not None else "time left: estimating",
        ]
        return " | ".join(parts)

    def _draw(self) -> None:
        self.out.write(f"\r\033[K{bar(self.done / self.total)} {self.line()}")
        self.out.flush()
