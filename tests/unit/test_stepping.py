"""Time-step control rules (femsi/solvers/stepping.py), without a solve."""

from __future__ import annotations

import pytest

from femsi.config.schema import Time
from femsi.solvers.protocol import Drive
from femsi.solvers.stepping import propose_step, retry_step

TIME = Time(initial_step=1.0, max_step=60.0)  # max_soc_change 0.02, smallest step 1/1024 s
ONE_C = 1 / 3600


def lithiate(until=None, duration=None):
    return Drive("lithiate", 1e-5, None, duration, until, ONE_C)


def test_step_is_capped_by_max_step_and_soc_change():
    assert propose_step(1000.0, lithiate(), 0.0, 0.0, None, TIME) == (60.0, False)
    fast = Drive("lithiate", 1e-5, None, None, None, 2 * 3600**-1 * 10)  # 20C
    assert propose_step(1000.0, fast, 0.0, 0.0, None, TIME)[0] == pytest.approx(0.02 * 180)


def test_step_lands_on_duration_and_until_soc():
    assert propose_step(60.0, lithiate(duration=100.0), 70.0, 0.0, None, TIME) == (
        pytest.approx(30.0),
        True,
    )
    step, truncated = propose_step(60.0, lithiate(until=0.5), 0.0, 0.5 - 10 * ONE_C, None, TIME)
    assert truncated and step == pytest.approx(10.0)


def test_hold_extrapolates_the_last_rate_to_its_target():
    hold = Drive("hold", 0.0, 1.0, None, 0.3, None)
    step, truncated = propose_step(60.0, hold, 0.0, 0.29, 1e-3, TIME)
    assert truncated and step == pytest.approx(10.0)


def test_too_large_soc_change_is_retried_shorter():
    assert retry_step(lithiate(), 0.0, 0.05, 0.0, 10.0, TIME) == pytest.approx(4.0)
    assert retry_step(lithiate(), 0.0, 0.02, 0.0, 10.0, TIME) is None
    # at the smallest step everything is accepted (with a warning)
    assert retry_step(lithiate(), 0.0, 0.5, 0.0, TIME.smallest_step, TIME) is None


def test_hold_overshooting_its_target_is_retried():
    hold = Drive("hold", 0.0, 1.0, None, 0.3, None)
    retry = retry_step(hold, 0.29, 0.31, 0.0, 10.0, TIME)
    assert retry == pytest.approx(5.0)
    assert retry_step(hold, 0.29, 0.3 + 1e-7, 0.0, 10.0, TIME) is None
