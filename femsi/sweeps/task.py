"""``femsi sweep-task DIR INDEX...``: do runs of a sweep, safely, on any number of MPI ranks.

Local workers and Slurm array tasks both end up here. Rank 0 checks the run's state, claims it
(:mod:`femsi.sweeps.claims`), removes the remains of an earlier failed or interrupted attempt
(never a complete run), and all ranks then run the study in this process with
:func:`femsi.study.run`. The claim is released at the end whatever happened. SIGTERM (a pool
shutting down, scancel) and SIGUSR1 (Slurm's warning before the time limit) ask the run to stop
at its next time step (:mod:`femsi.stop`), so it ends ``interrupted`` with its summary written
and its reason (``end_reason: time limit`` for SIGUSR1); runs not yet started are left.

Exit codes: 0 the run is complete (now or before), 1 it failed, 2 bad input, 3 another live
worker holds it. Given several indices, the process does the runs in turn (imports and
compiled forms are then paid once) and returns the worst code (2, 1, 3, 0 in that order).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
from pathlib import Path

from mpi4py import MPI

from femsi import stop
from femsi.errors import InputError
from femsi.outputs.run_folder import COMPLETE_MARKER
from femsi.sweeps.claims import STALE_AFTER_S, try_claim
from femsi.sweeps.folder import read_sweep, run_dir
from femsi.sweeps.status import error_path

logger = logging.getLogger(__name__)

EXIT_DONE, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_BUSY = 0, 1, 2, 3
#: What ends a run at its next time step: a pool or Slurm (SIGTERM), Slurm's time-limit
#: warning (SIGUSR1, ``#SBATCH --signal``).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGUSR1)


def task_indices(indices: list[int] | None) -> list[int]:
    """The run indices: ``indices``, else ``[$SLURM_ARRAY_TASK_ID]``.

    Raises:
        InputError: Neither is given.
    """
    if indices:
        return list(indices)
    value = os.environ.get("SLURM_ARRAY_TASK_ID")
    if value is None or not value.isdigit():
        raise InputError("INDEX", "give the run index or set SLURM_ARRAY_TASK_ID")
    return [int(value)]


def run_tasks(folder: Path, indices: list[int], comm: MPI.Comm = MPI.COMM_WORLD) -> int:
    """Do the runs ``indices`` in turn (:func:`run_task`); returns the worst exit code.

    Bad input of one run is reported and the next run is done; an interrupt stops them all.
    """
    codes = []
    stop.clear()
    for number, index in enumerate(indices):
        if stop.stop_requested(comm):  # a signal during the last run: start no other
            if comm.rank == 0:
                left = ", ".join(str(i) for i in indices[number:])
                print(f"femsi: {stop.reason()}; runs not started: {left}", flush=True)
            codes.append(EXIT_FAILED)
            break
        try:
            codes.append(run_task(folder, index, comm))
        except InputError as err:
            if len(indices) == 1:
                raise
            if comm.rank == 0:
                print(f"femsi: error: run {index}: {err}", flush=True)
            codes.append(EXIT_BAD_INPUT)
    rank = {EXIT_BAD_INPUT: 3, EXIT_FAILED: 2, EXIT_BUSY: 1, EXIT_DONE: 0}
    return max(codes, key=lambda code: rank.get(code, 4))


def run_task(
    folder: Path, index: int, comm: MPI.Comm = MPI.COMM_WORLD, stale_after: float = STALE_AFTER_S
) -> int:
    """Do run ``index`` of the sweep in ``folder``.

    Args:
        folder: The sweep folder (holding ``sweep.json``).
        index: Index of the run in ``sweep.json``.
        comm: The communicator the run is solved on.
        stale_after: Heartbeat age (s) after which another worker's claim is taken over.

    Returns:
        The exit code (see the module docstring).

    Raises:
        InputError: Not a sweep folder, an index out of range, or a run whose config no
            longer matches the one the sweep was expanded with.
    """
    folder = Path(folder)
    decision, claim = None, None
    if comm.rank == 0:
        try:
            decision, claim, run = _claim(folder, index, stale_after)
        except InputError as err:
            decision = err
    decision = comm.bcast(decision, root=0)
    if isinstance(decision, InputError):
        raise decision
    if decision != "run":
        return decision
    run = comm.bcast(run if comm.rank == 0 else None, root=0)
    import femsi.study  # noqa: F401  (PETSc sets its signal handlers on import: ours after)

    previous = {signum: stop.install(signum) for signum in STOP_SIGNALS}
    try:
        with claim.heartbeat() if claim is not None else contextlib.nullcontext():
            return _execute(folder, run, comm)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if claim is not None:
            claim.release()


def _claim(folder: Path, index: int, stale_after: float):
    sweep = read_sweep(folder)
    runs = sweep["runs"]
    if not 0 <= index < len(runs):
        raise InputError("INDEX", f"the sweep has runs 0 to {len(runs) - 1}, not {index}")
    run = {**runs[index], "base": sweep["base"]}
    out = run_dir(folder, run["name"])
    if (out / COMPLETE_MARKER).exists():
        print(f"femsi: run {index} ({run['name']}) is already complete", flush=True)
        return EXIT_DONE, None, run
    claim = try_claim(folder, run["name"], stale_after)
    if claim is None:
        print(f"femsi: run {index} ({run['name']}) is claimed by another worker", flush=True)
        return EXIT_BUSY, None, run
    if (out / COMPLETE_MARKER).exists():  # completed between the check and the claim
        claim.release()
        return EXIT_DONE, None, run
    if out.exists():
        logger.info("removing the incomplete earlier attempt %s", out)
        shutil.rmtree(out)
    error_path(folder, run["name"]).unlink(missing_ok=True)
    return "run", claim, run


def _execute(folder: Path, run: dict, comm: MPI.Comm) -> int:
    from femsi.config import load_config
    from femsi.study import run as run_study

    out = run_dir(folder, run["name"])
    try:
        config = load_config(run["base"], run["overrides"])
        if config.hash() != run["config_hash"]:
            raise InputError(
                "base",
                f"{run['base']} changed since the sweep was expanded (config hash "
                f"{config.hash()}, expected {run['config_hash']}); expand it again",
            )
        result = run_study(config, out, progress=False, comm=comm)
    except InputError as err:
        if comm.rank == 0:
            error_path(folder, run["name"]).write_text(f"bad input: {err}\n")
        raise
    except KeyboardInterrupt:
        if comm.rank == 0 and not out.exists():
            error_path(folder, run["name"]).write_text("interrupted before the run started\n")
        raise
    if comm.rank == 0:
        print(f"femsi: run {run['index']} ({run['name']}): {result.status}", flush=True)
    return EXIT_DONE if result.status == "completed" else EXIT_FAILED
