"""The run's progress display and the protocol's expected durations and early ends.

Reference values: a C-rate of 1 fills the active material in 3,600 s (d(SOC)/dt = C/3600 s,
``femsi.solvers.protocol``), so lithiating from SOC 0 to 0.9 at 1C takes 3,240 s and
delithiating back to 0.1 at 2C takes 0.8 · 1,800 s = 1,440 s.
"""

from __future__ import annotations

import io

import pytest

from femsi.config.schema import ProtocolStep
from femsi.progress import RunProgress, human_duration, step_weights
from femsi.solvers.protocol import drive_of, expected_durations

CAPACITY, AREA, C_MAX = 2.0e-12, 1.0e-11, 3.1e5  # mol, m², mol/m³ (any consistent values)


def _protocol(*steps: dict) -> list[ProtocolStep]:
    return [ProtocolStep.model_validate(step) for step in steps]


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_expected_durations_chain_the_protocol_steps():
    protocol = _protocol(
        {"lithiate": {"c_rate": 1, "until_soc": 0.9}},
        {"rest": {"duration": "10 min"}},
        {"delithiate": {"c_rate": 2, "until_soc": 0.1}},
        {"hold": {"surface_soc": 0.5, "until_soc": 0.4}},
    )
    durations = expected_durations(protocol, CAPACITY, AREA, C_MAX, 0.0)
    assert durations[:3] == pytest.approx([3240.0, 600.0, 1440.0], rel=1e-12)
    assert durations[3] is None  # a hold to a SOC has no rate known in advance


def test_a_duration_shorter_than_the_way_to_the_target_wins():
    (step,) = _protocol({"lithiate": {"c_rate": 1, "until_soc": 0.9, "duration": "20 min"}})
    drive = drive_of(step, CAPACITY, AREA, C_MAX)
    assert drive.expected_duration(0.0) == pytest.approx(1200.0)
    assert drive.progress(600.0, 600.0 / 3600.0, 0.0) == pytest.approx(0.5)


def test_the_surface_limit_before_the_target_is_an_early_end():
    (step,) = _protocol({"lithiate": {"c_rate": 1, "until_soc": 0.9}})
    drive = drive_of(step, CAPACITY, AREA, C_MAX)
    note = drive.early_end("surface concentration limit", 0.8151)
    assert note is not None and "SOC 0.815" in note and "SOC 0.9" in note and "c_max" in note
    assert drive.early_end("until_soc", 0.9) is None
    (timed,) = _protocol({"delithiate": {"c_rate": 1, "duration": "1 h"}})
    note = drive_of(timed, CAPACITY, AREA, C_MAX).early_end("surface concentration limit", 0.05)
    assert note is not None and "its duration of 3600 s" in note and "reached zero" in note


def test_step_weights_give_unknown_steps_the_mean_and_preloads_nothing():
    assert step_weights([100.0, None, 0.0, 300.0]) == [100.0, 200.0, 0.0, 300.0]
    assert step_weights([0.0, None]) == [0.0, 1.0]
    assert step_weights([0.0]) == [1.0]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(4.4, "4 s"), (130, "2 min 10 s"), (3900, "1 h 05 min"), (-3, "0 s")],
)
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


def test_plain_lines_with_an_eta_when_not_a_terminal():
    clock, stream = _Clock(), io.StringIO()
    progress = RunProgress("demo", stream=stream, interval_s=60.0, clock=clock)
    progress.protocol_started([100.0, 100.0])
    progress.protocol_step_started(0, "lithiate")
    clock.now += 30
    progress.advanced(0.5, "SOC=0.5")  # within the interval: no line yet
    assert stream.getvalue() == ""
    clock.now += 30  # 60 s for a quarter of the protocol: 180 s left
    progress.advanced(0.5, "SOC=0.5")
    line = stream.getvalue()
    assert "step 1/2 lithiate, SOC=0.5; 25 % of the protocol" in line
    assert "1 min 00 s elapsed, about 3 min 00 s left" in line
    progress.protocol_step_ended(0, "lithiate", "surface concentration limit", "ended early")
    assert "femsi: protocol step 0 (lithiate) ended early" in stream.getvalue()
    assert progress.fraction == pytest.approx(0.5)
    assert "\r" not in stream.getvalue()


def test_without_the_bar_only_early_ends_are_said():
    stream = io.StringIO()
    progress = RunProgress("demo", bar=False, stream=stream, interval_s=0.0)
    progress.protocol_started([10.0])
    progress.advanced(0.5, "x")
    progress.protocol_step_ended(0, "lithiate", "until_soc", None)
    assert stream.getvalue() == ""
    progress.protocol_step_ended(0, "lithiate", "surface concentration limit", "ended early")
    assert stream.getvalue() == "femsi: protocol step 0 (lithiate) ended early\n"


def test_a_terminal_gets_a_bar_with_the_protocol_share():
    stream = _Terminal()
    progress = RunProgress("demo", stream=stream)
    progress.protocol_started([100.0, 300.0])
    progress.protocol_step_started(0, "lithiate")
    progress.advanced(1.0, "SOC=0.9")
    progress.protocol_step_ended(0, "lithiate", "until_soc", None)
    progress.close()
    text = stream.getvalue()
    assert "\r" in text and "demo step 1/2 lithiate" in text and " 25%" in text
