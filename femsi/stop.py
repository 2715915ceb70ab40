"""Cooperative stop requests: a signal asks a run to stop at its next time step.

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
    if signum == signal.SIGINT:
        return f"{name}: interrupted by the user (Ctrl-C)"
    if os.environ.get("SLURM_JOB_ID"):
        return f"{name} from Slurm (job {os.environ['SLURM_JOB_ID']}: its time limit, or scancel)"
    return f"{name}: asked to stop (a time limit, a container runtime, timeout or kill)"


def exit_code() -> int:
    """128 + the signal number (130 for Ctrl-C, 143 for SIGTERM), as a shell reports it."""
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
