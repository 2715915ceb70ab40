"""Continuation: reach a load in increments, halving an increment that fails.

One helper for every load that Newton may not reach in one go: the swelling of the initial
state (``swelling_factor`` from 0 to 1, growing increments) and a ``preload`` (the plate
pressure in ``increments`` equal parts). Each accepted increment is committed (plastic
history, damage): a ramp is a loading path.
"""

from __future__ import annotations

from collections.abc import Callable


class ContinuationFailed(Exception):
    """An increment failed even at the smallest size; ``reached`` is the fraction done."""

    def __init__(self, reached: float):
        super().__init__(f"continuation stopped at {reached:.4g}")
        self.reached = reached


def continuation[Stats](
    set_fraction: Callable[[float], None],
    attempt: Callable[[], Stats | None],
    *,
    increment: float,
    smallest: float,
    growth: float = 1.0,
    accepted: Callable[[Stats], None] | None = None,
) -> Stats | None:
    """Take the load from fraction 0 to 1.

    Args:
        set_fraction: Sets the load to a fraction in (0, 1].
        attempt: Solves at the current load and commits; returns the stats, or None after
            restoring the state of the last accepted increment.
        increment: The first increment.
        smallest: Below this increment the continuation fails.
        growth: Factor on the increment after a success.
        accepted: Called with the stats of each accepted increment.

    Returns:
        The stats of the last increment.

    Raises:
        ContinuationFailed: An increment below ``smallest`` would be needed.
    """
    done, stats = 0.0, None
    while done < 1.0 - 1e-12:
        target = min(1.0, done + increment)
        set_fraction(target)
        stats = attempt()
        if stats is None:
            increment /= 2
            if increment < smallest:
                raise ContinuationFailed(done)
            continue
        done = target
        increment *= growth
        if accepted is not None:
            accepted(stats)
    return stats
