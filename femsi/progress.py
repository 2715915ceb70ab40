"""What a run shows while it runs: the protocol's progress with an ETA, and early ends.

On a terminal a tqdm bar shows the share of the whole protocol done (weighted by each step's
expected duration, see :func:`femsi.solvers.protocol.expected_durations`), the elapsed wall
time and the time left. When the output is not a terminal (a log file, a Slurm job, CI) the
bar would write carriage-return updates into the file; instead a plain line is written every
``interval_s`` seconds and at the end of each protocol step. A protocol step that ends before
its target (the surface concentration limit before ``until_soc``) is said on screen in both
modes, and with the bar switched off (``--no-progress``) as well.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def human_duration(seconds: float) -> str:
    """``seconds`` as a person reads it: ``45 s``, ``2 min 10 s``, ``1 h 05 min``."""
    seconds = max(float(seconds), 0.0)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def step_weights(durations: list[float | None]) -> list[float]:
    """Each protocol step's share of the progress bar.

    A step of unknown duration (a hold that ends at a state of charge) weighs as much as the
    mean known step; a preload (no time) weighs nothing unless nothing else has a time.
    """
    known = [d for d in durations if d is not None and d > 0]
    unknown = sum(known) / len(known) if known else 1.0
    weights = [unknown if d is None else float(d) for d in durations]
    if not any(w > 0 for w in weights):
        return [1.0] * len(durations)
    return weights


class RunProgress:
    """The progress display of one run (rank 0 only).

    Args:
        name: The study's name.
        bar: Show the progress (a bar on a terminal, plain lines otherwise); notices of early
            ends are shown either way.
        stream: Where to write (standard error by default).
        interval_s: Wall seconds between plain progress lines.
        clock: Wall clock (for tests).
    """

    def __init__(
        self,
        name: str,
        *,
        bar: bool = True,
        stream: TextIO | None = None,
        interval_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.stream = stream if stream is not None else sys.stderr
        self.show = bar
        self.interactive = bar and _is_terminal(self.stream)
        self.interval_s = interval_s
        self.clock = clock
        self.started = clock()
        self._last_line = self.started
        self.weights: list[float] = []
        self.total = 0.0
        self._done = 0.0
        self._index, self._kind = 0, "initial"
        self._fraction = 0.0
        self._text = ""
        self._bar = None

    def protocol_started(self, durations: list[float | None]) -> None:
        """The protocol begins.

        Args:
            durations: Each protocol step's expected duration, s (None if unknown).
        """
        self.weights = step_weights(durations)
        self.total = sum(self.weights)
        if self.interactive and self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=100.0,
                file=self.stream,
                dynamic_ncols=True,
                leave=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining} {postfix}",
            )
            self._describe()

    @property
    def fraction(self) -> float:
        """The share of the protocol done, 0 to 1."""
        if self.total <= 0:
            return 0.0
        current = self.weights[self._index] if self._index < len(self.weights) else 0.0
        return min((self._done + current * self._fraction) / self.total, 1.0)

    def eta_s(self) -> float | None:
        """Wall seconds left at the rate so far, or None before there is a rate."""
        fraction = self.fraction
        if fraction < 1e-3:
            return None
        return (self.clock() - self.started) * (1.0 - fraction) / fraction

    def protocol_step_started(self, index: int, kind: str) -> None:
        """A protocol step begins."""
        self._index, self._kind, self._fraction = index, kind, 0.0
        self._describe()

    def advanced(self, fraction: float, text: str) -> None:
        """A time step was accepted.

        Args:
            fraction: How far the current protocol step is, 0 to 1.
            text: The state to show (time, SOC, solver counts).
        """
        self._fraction = min(max(fraction, 0.0), 1.0)
        self._text = text
        if self._bar is not None:
            self._bar.n = 100.0 * self.fraction
            self._bar.set_postfix_str(text, refresh=True)
        elif self.show and self.clock() - self._last_line >= self.interval_s:
            self._line()

    def protocol_step_ended(self, index: int, kind: str, reason: str, early: str | None) -> None:
        """A protocol step ended; ``early`` says why it ended before its target, if it did."""
        if index < len(self.weights):
            self._done += self.weights[index]
        self._index, self._fraction = index + 1, 0.0
        if early:
            self.notice(f"femsi: protocol step {index} ({kind}) {early}")
        if self._bar is not None:
            self._bar.n = 100.0 * self.fraction
            self._bar.refresh()
        elif self.show:
            self._line(f"protocol step {index} ({kind}) ended: {reason}")

    def notice(self, text: str) -> None:
        """Say ``text`` on its own line (above the bar on a terminal)."""
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _describe(self) -> None:
        if self._bar is not None:
            step = min(self._index + 1, len(self.weights))
            self._bar.set_description_str(
                f"{self.name} step {step}/{len(self.weights)} {self._kind}", refresh=False
            )

    def _line(self, what: str | None = None) -> None:
        self._last_line = self.clock()
        elapsed = human_duration(self._last_line - self.started)
        eta = self.eta_s()
        left = f", about {human_duration(eta)} left" if eta is not None else ""
        step = min(self._index + 1, len(self.weights))
        head = what or f"step {step}/{len(self.weights)} {self._kind}"
        state = f", {self._text}" if self._text and what is None else ""
        print(
            f"femsi: {self.name}: {head}{state}; {100 * self.fraction:.0f} % of the protocol, "
            f"{elapsed} elapsed{left}",
            file=self.stream,
            flush=True,
        )


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
