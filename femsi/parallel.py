"""MPI helpers: scalar reductions and rank-0 output.

Every scalar femsi reports is reduced here, so no caller handles rank-local numbers.
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
from dolfinx import fem

import femsi.compat  # noqa: F401


class ScalarForm:
    """A scalar UFL form compiled once and evaluated globally on every call.

    Args:
        form: A UFL form of rank 0 (its measures carry an explicit quadrature degree).
        comm: The communicator of the mesh.
    """

    def __init__(self, form, comm: MPI.Comm):
        self._form = fem.form(form)
        self._comm = comm

    def __call__(self) -> float:
        """Assemble the form and sum over all ranks."""
        return float(self._comm.allreduce(fem.assemble_scalar(self._form), op=MPI.SUM))


def global_max(comm: MPI.Comm, values: np.ndarray) -> float:
    """Largest entry over all ranks (``-inf`` where no rank holds any)."""
    local = float(np.max(values)) if values.size else -np.inf
    return float(comm.allreduce(local, op=MPI.MAX))


def global_min(comm: MPI.Comm, values: np.ndarray) -> float:
    """Smallest entry over all ranks (``inf`` where no rank holds any)."""
    local = float(np.min(values)) if values.size else np.inf
    return float(comm.allreduce(local, op=MPI.MIN))
