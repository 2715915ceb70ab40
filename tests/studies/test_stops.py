"""Every stop is recorded (README, "What femsi guarantees").

SIGTERM and Ctrl-C end a run at its next time step with ``status: interrupted``, the reason
and exit code 128 + N; a full disk ends it with exit 1 and whole rows; an internal error is
one message with exit 3 and no traceback; under MPI an error on one rank ends the job within
seconds instead of leaving the others waiting.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import femsi
from femsi.outputs.timeseries import TimeSeries
from tests.conftest import MPIRUN, ROOT, run_cli, study, write_study

#: A slow enough study (a small particle, many short steps) to be stopped while it steps.
LONG = study(
    protocol=[{"lithiate": {"c_rate": 1, "duration": "1 h"}}],
    time={"initial_step": "1 s", "max_step": "1 s"},
)


def _start(tmp_path, env=None):
    config = write_study(tmp_path, LONG)
    out = tmp_path / "run"
    command = [sys.executable, "-m", "femsi", "run", str(config), "-o", str(out), "--no-progress"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    series = out / "timeseries.csv"
    deadline = time.monotonic() + 300
    while not (series.exists() and len(series.read_text().splitlines()) > 3):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run did not start stepping"
        time.sleep(0.2)
    return process, out


@pytest.mark.parametrize(
    ("signum", "env", "reason"),
    [
        (signal.SIGTERM, {}, "SIGTERM: asked to stop"),
        (signal.SIGTERM, {"SLURM_JOB_ID": "4242"}, "SIGTERM from Slurm (job 4242"),
        (signal.SIGINT, {}, "interrupted by the user (Ctrl-C)"),
        # Slurm's warning before the time limit (#SBATCH --signal=B:USR1@N in sweep.sbatch)
        (signal.SIGUSR1, {"SLURM_JOB_ID": "4243"}, "the job's time limit is near"),
    ],
)
def test_a_signal_ends_the_run_at_the_next_step_with_its_summary(tmp_path, signum, env, reason):
    process, out = _start(tmp_path, env)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signum
    assert "Traceback" not in stderr and reason in stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "interrupted" and reason in summary["message"]
    assert summary["end_reason"] == ("time limit" if signum == signal.SIGUSR1 else "interrupted")
    rows = list(csv.DictReader((out / "timeseries.csv").open()))
    assert len(rows) == summary["steps"] + 1  # every finished step, whole
    assert all(r["step"] != "" and r[list(r)[-1]] not in ("", None) for r in rows)


class _FullDisk:
    """A file that takes ``room`` bytes and then fails as a full disk does (mid-write)."""

    def __init__(self, path, room: int):
        self._file = path.open("r+b", buffering=0)
        self._file.seek(0, os.SEEK_END)
        self.room = room

    def write(self, data: bytes) -> int:
        if len(data) > self.room:
            self._file.write(data[: self.room])
            self.room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


def test_a_row_that_does_not_fit_on_the_disk_is_cut_off_again(tmp_path):
    path = tmp_path / "timeseries.csv"
    series = TimeSeries(path, ["step", "soc"], write=True)
    series._file.close()
    series._file = _FullDisk(path, room=2 * len("0,0.25\r\n") + 3)
    series.append({"step": 0, "soc": 0.25})
    series.append({"step": 1, "soc": 0.25})
    with pytest.raises(OSError, match="No space"):
        series.append({"step": 2, "soc": 0.25})
    series.close()
    lines = path.read_text().splitlines()
    assert lines == ["step,soc", "0,0.25", "1,0.25"]


def test_a_full_disk_fails_the_run_with_its_rows_whole(tmp_path, monkeypatch):
    calls = {"n": 0}
    original = TimeSeries.append

    def append(self, row):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(self, row)

    monkeypatch.setattr(TimeSeries, "append", append)
    tree = study(protocol=[{"lithiate": {"c_rate": 1, "duration": "60 s"}}])
    result = femsi.run(femsi.load_config(tree), tmp_path / "run", progress=False)
    assert result.status == "failed"
    assert "cannot write the results" in result.summary["message"]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "failed"
    assert len(list(csv.DictReader((tmp_path / "run" / "timeseries.csv").open()))) == 3


def test_an_internal_error_is_one_message_and_exit_3(tmp_path, monkeypatch):
    from femsi import cli

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("femsi.study.run", broken)
    config = write_study(tmp_path, study())
    assert cli.main(["run", str(config), "-o", str(tmp_path / "x")]) == cli.EXIT_INTERNAL
    with pytest.raises(RuntimeError):
        cli.main(["--debug", "run", str(config), "-o", str(tmp_path / "y")])


def test_an_unreadable_mesh_is_an_input_error(tmp_path):
    mesh = tmp_path / "mesh.vtu"
    mesh.write_text("not a mesh")
    tree = study(geometry={"type": "mesh_file", "path": str(mesh)})
    out = run_cli("validate", write_study(tmp_path, tree))
    assert out.returncode in (0, 2)  # validate does not read meshes
    result = run_cli("run", write_study(tmp_path, tree), "-o", tmp_path / "run")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("femsi: error: geometry.path") and "Traceback" not in (
        result.stderr
    )


HANGING = """
import sys
from mpi4py import MPI
from femsi import cli
cli.ERROR_GRACE_S = 2.0
comm = MPI.COMM_WORLD
if comm.rank == 0:
    sys.exit(cli._fail("geometry: meshing failed on rank 0 only", 2))
comm.recv(source=0)  # rank 1 waits for a message rank 0 never sends
"""


@pytest.mark.mpi
@pytest.mark.skipif(MPIRUN is None, reason="mpirun not found next to the Python interpreter")
def test_an_error_on_one_rank_ends_the_mpi_job_within_seconds():
    start = time.monotonic()
    out = subprocess.run(
        [MPIRUN, "-n", "2", sys.executable, "-c", HANGING],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0
    assert "meshing failed on rank 0 only" in out.stderr
    assert time.monotonic() - start < 30


@pytest.mark.mpi
@pytest.mark.skipif(MPIRUN is None, reason="mpirun not found next to the Python interpreter")
def test_an_input_error_on_every_rank_is_one_message(tmp_path):
    tree = study(geometry={"type": "mesh_file", "path": str(tmp_path / "missing.msh")})
    out = run_cli("run", write_study(tmp_path, tree), "-o", tmp_path / "run", ranks=2, timeout=120)
    assert out.returncode == 2
    assert out.stderr.count("femsi: error:") == 1 and "Traceback" not in out.stderr


def test_slurms_time_limit_warning_stops_a_sweep_task_and_starts_no_other_run(tmp_path):
    """SIGUSR1 (``#SBATCH --signal=B:USR1@N``) during the first of two runs of one task: the run
    ends ``time limit`` with its summary, and the second is not started (its array task would
    be killed at the limit half-way)."""
    import yaml

    write_study(tmp_path, LONG, "base.yaml")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        yaml.safe_dump(
            {"base": "base.yaml", "sweep": {"grid": {"geometry.radius": ["1 um", "1.1 um"]}}}
        )
    )
    folder = tmp_path / "sweep"
    assert run_cli("sweep", sweep, "-o", folder, "--dry-run", "--no-mesh").returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "femsi", "sweep-task", str(folder), "0", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SLURM_JOB_ID": "77"},
    )
    deadline = time.monotonic() + 300
    while not any(
        len(p.read_text().splitlines()) > 3 for p in (folder / "runs").glob("*/timeseries.csv")
    ):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run did not start stepping"
        time.sleep(0.2)
    process.send_signal(signal.SIGUSR1)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    assert "runs not started: 1" in stdout and "time limit is near" in stdout
    (run,) = (folder / "runs").iterdir()  # the second run was never started
    summary = json.loads((run / "summary.json").read_text())
    assert summary["end_reason"] == "time limit" and "job 77" in summary["message"]
