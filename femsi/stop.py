"""Cooperative stop requests: a signal asks a run to stop at its next time step.

The signals: SIGINT (Ctrl-C), SIGTERM (``timeout``, container runtimes, ``scancel``, Slurm at
the time limit) and SIGUSR1 (Slurm's warning before the time limit, ``#SBATCH --signal``).
A signal handler must not raise inside PETSc: an exception in a SNES callback becomes a failed
solve, the time step is cut until ``min_step``, and an interrupted run is reported as a failed
one. So :func:`request_stop` (installed for SIGTERM by ``femsi sweep-task``) only sets a flag,
and the time loop asks :func:`stop_requested` before each step; the ranks agree by a reduction,
so all of them stop at the same step. The run then ends with ``status: interrupted`` and
writes its summary as usual.
"""

from __future__ import annotations

import os
import signal
import threading

from mpi4py import MPI

_requested = threading.Event()
_signal: list[int] = []


def request_stop(signum: int | None = None, frame=None) -> None:
    """Ask the running study to stop at its next time step (a signal handler).

    A second Ctrl-C does not wait for the next step: it interrupts at once.
    """
    if signum == signal.SIGINT and _requested.is_set():
        raise KeyboardInterrupt
    if signum is not None and not _signal:
        _signal.append(signum)
    _requested.set()


def reason() -> str:
    """Why the run was asked to stop: the signal, and who sends it."""
    if not _signal:
        return "interrupted"
    signum = _signal[0]
    name = signal.Signals(signum).name
    job = os.environ.get("SLURM_JOB_ID")
    if signum == signal.SIGINT:
        return f"{name}: interrupted by the user (Ctrl-C)"
    if signum == signal.SIGUSR1:
        if job:
            return (
                f"{name} from Slurm (job {job}): the job's time limit is near "
                "(#SBATCH --signal); submit the script again to go on with the runs left"
            )
        return f"{name}: asked to stop (a time-limit warning)"
    if job:
        return (
            f"{name} from Slurm (job {job}): scancel, preemption, or the time limit reached "
            "without a warning signal"
        )
    return f"{name}: asked to stop (a time limit, a container runtime, timeout or kill)"


def end_reason() -> str:
    """The run's ``end_reason`` for a stop: ``time limit`` (SIGUSR1) or ``interrupted``."""
    return "time limit" if _signal and _signal[0] == signal.SIGUSR1 else "interrupted"


def exit_code() -> int:
    """128 + the signal number, as a shell reports it.

    130 for Ctrl-C, 138 for SIGUSR1, 143 for SIGTERM.
    """
    return 128 + _signal[0] if _signal else 130


def stop_requested(comm: MPI.Comm) -> bool:
    """Whether a stop was asked on any rank (collective)."""
    return bool(comm.allreduce(1 if _requested.is_set() else 0, op=MPI.MAX))


def clear() -> None:
    """Forget a stop request (before the next run in the same process)."""
    _requested.clear()
    _signal.clear()


def install(signum: int = signal.SIGTERM):
    """Handle ``signum`` by :func:`request_stop`; returns the previous handler."""
    return signal.signal(signum, request_stop)
