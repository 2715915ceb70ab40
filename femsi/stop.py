"""Cooperative stop requests: a signal asks a run to stop at its next time step.

A signal handler must not raise inside PETSc: an exception in a SNES callback becomes a failed
solve, the time step is cut until ``min_step``, and an interrupted run is reported as a failed
one. So :func:`request_stop` (installed for SIGTERM by ``femsi sweep-task``) only sets a flag,
and the time loop asks :func:`stop_requested` before each step; the ranks agree by a reduction,
so all of them stop at the same step. The run then ends with ``status: interrupted`` and
writes its summary as usual.
"""

from __future__ import annotations

import signal
import threading

from mpi4py import MPI

_requested = threading.Event()


def request_stop(signum: int | None = None, frame=None) -> None:
    """Ask the running study to stop at its next time step (a signal handler)."""
    _requested.set()


def stop_requested(comm: MPI.Comm) -> bool:
    """Whether a stop was asked on any rank (collective)."""
    return bool(comm.allreduce(1 if _requested.is_set() else 0, op=MPI.MAX))


def clear() -> None:
    """Forget a stop request (before the next run in the same process)."""
    _requested.clear()


def install(signum: int = signal.SIGTERM):
    """Handle ``signum`` by :func:`request_stop`; returns the previous handler."""
    return signal.signal(signum, request_stop)
