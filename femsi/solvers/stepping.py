"""Time-step control: the next step's size, and whether a finished step was too long.

Pure functions of the protocol step's drive, the time settings and the state of charge, so the
rules are testable without a solve:

- a step is at most ``max_step`` and the current adaptive size;
- it ends exactly at the step's ``duration``;
- it lands on ``until_soc`` where the SOC rate is known (galvanostatic) or extrapolated from
  the last step (hold), and changes SOC by at most ``max_soc_change`` at that rate;
- a finished step that changed SOC by more than 1.25 ``max_soc_change``, or overshot a hold's
  target, is retried shorter; at the smallest step everything is accepted.
"""

from __future__ import annotations

import logging

from femsi.config.schema import Time
from femsi.solvers.protocol import Drive

logger = logging.getLogger(__name__)

#: How far past ``max_soc_change`` a step may go before it is retried shorter.
SOC_CHANGE_SLACK = 1.25
#: How close to a hold's ``until_soc`` a step must land.
HOLD_TARGET_TOLERANCE = 1e-6


def propose_step(
    dt: float, drive: Drive, elapsed: float, soc: float, last_rate: float | None, time: Time
) -> tuple[float, bool]:
    """The size of the next step.

    Args:
        dt: The current adaptive step.
        drive: The protocol step's drive.
        elapsed: Time since the protocol step started, s.
        soc: Current state of charge.
        last_rate: d(SOC)/dt of the last accepted step, if any.
        time: The ``time`` settings.

    Returns:
        The step and whether it was shortened to land on an end condition (then it does not
        count towards growing the adaptive step).
    """
    step = min(dt, time.max_step)
    truncated = False
    if drive.duration is not None and drive.duration - elapsed < step:
        step, truncated = drive.duration - elapsed, True
    rate = drive.soc_rate if drive.soc_rate else last_rate
    if rate:
        if drive.until_soc is not None:
            to_target = (drive.until_soc - soc) / rate
            if 0 < to_target < step:
                step, truncated = to_target, True
        step = min(step, time.max_soc_change / abs(rate))
    return step, truncated


def retry_step(
    drive: Drive, soc_before: float, soc_after: float, start_soc: float, dt: float, time: Time
) -> float | None:
    """A shorter step if the finished one went too far, else None (accept it)."""
    change = abs(soc_after - soc_before)
    if dt <= time.smallest_step:
        if change > SOC_CHANGE_SLACK * time.max_soc_change:
            logger.warning(
                "SOC changed by %.3g in the smallest step (%.3g s): the mesh cannot resolve "
                "this change more finely (a held surface fills its nodes at once)",
                change,
                dt,
            )
        return None
    if change > SOC_CHANGE_SLACK * time.max_soc_change:
        return dt * max(time.max_soc_change / change, 0.1)
    if drive.kind == "hold" and drive.until_soc is not None and change > 0:
        overshoot = (
            drive.reached(soc_after, start_soc)
            and abs(soc_after - drive.until_soc) > HOLD_TARGET_TOLERANCE
        )
        if overshoot:
            gap = abs(drive.until_soc - soc_before)
            return max(dt * gap / change, time.smallest_step)
    return None


def easy(stats) -> bool:
    """Whether a step was easy enough for the next to grow (no mechanics: always).

    A staggered (phase-field) solve says so itself; a Newton solve is easy at 4 iterations
    or fewer.
    """
    if stats is None:
        return True
    return getattr(stats, "easy", stats.newton_iterations <= 4)
