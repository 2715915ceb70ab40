"""The state of each run of a sweep, read from the run folders and the claims.

| state | meaning |
|---|---|
| ``complete`` | the run folder has its ``COMPLETE`` marker (written last by a completed run) |
| ``running`` | a live worker holds the run's claim |
| ``failed`` | the run stopped with ``status: failed`` or with bad input (retried on resume) |
| ``interrupted`` | stopped by a signal, or killed (folder without a summary, no live claim) |
| ``pending`` | not started |
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from femsi.outputs.run_folder import COMPLETE_MARKER
from femsi.sweeps.claims import STALE_AFTER_S, claim_path, holder
from femsi.sweeps.folder import read_mapping, read_sweep, run_dir

STATES = ("complete", "running", "failed", "interrupted", "pending")


@dataclass
class RunState:
    """What is known about one run."""

    index: int
    name: str
    state: str
    message: str = ""


def error_path(folder: Path, name: str) -> Path:
    """Where a worker notes an error that left no run folder (bad input, a crash)."""
    return Path(folder) / "logs" / f"{name}.error"


def run_state(folder: Path, run: dict, stale_after: float = STALE_AFTER_S) -> RunState:
    """The state of one run (a ``runs`` entry of ``sweep.json``)."""
    out = run_dir(folder, run["name"])
    index, name = run["index"], run["name"]
    if (out / COMPLETE_MARKER).exists():
        return RunState(index, name, "complete")
    live = holder(claim_path(folder, name), stale_after)
    if live is not None:
        where = f"{live.get('host')} pid {live.get('pid')}"
        if live.get("slurm_job"):
            where += f", Slurm job {live['slurm_job']}"
        return RunState(index, name, "running", f"claimed by {where}")
    summary = _summary(out)
    if summary is not None:
        status = summary.get("status")
        message = summary.get("message") or summary.get("end_reason") or ""
        if status == "interrupted":
            return RunState(index, name, "interrupted", message)
        if status == "completed":  # the marker comes last: stopped while finishing
            return RunState(index, name, "interrupted", "no COMPLETE marker after the summary")
        return RunState(index, name, "failed", message or f"status {status}")
    error = error_path(folder, name)
    if error.exists():
        return RunState(index, name, "failed", error.read_text().strip().splitlines()[-1])
    if out.exists():
        return RunState(index, name, "interrupted", "no summary.json: the worker was killed")
    return RunState(index, name, "pending")


def _summary(out: Path) -> dict | None:
    path = out / "summary.json"
    if not path.exists():
        return None
    summary, problem = read_mapping(path)
    if problem is not None:
        return {"status": "unreadable", "message": problem}
    return summary


def sweep_states(folder: Path, stale_after: float = STALE_AFTER_S) -> list[RunState]:
    """The state of every run of the sweep in ``folder``."""
    return [run_state(folder, run, stale_after) for run in read_sweep(folder)["runs"]]


def format_status(folder: Path, states: list[RunState], verbose: bool = False) -> str:
    """A short text report: counts per state, then the runs that are not complete."""
    counts = {state: sum(s.state == state for s in states) for state in STATES}
    lines = [
        f"{folder}: {len(states)} runs: "
        + ", ".join(f"{counts[s]} {s}" for s in STATES if counts[s] or s == "complete")
    ]
    for s in states:
        if verbose or s.state != "complete":
            detail = f"  {s.message}" if s.message else ""
            lines.append(f"  [{s.index:>4}] {s.state:<11} {s.name}{detail}")
    return "\n".join(lines)
